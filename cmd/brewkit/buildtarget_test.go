package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fooEntry is a library file of one entry, never fetched by these tests.
const fooEntry = "Maintainers: x <x@example.com> (@x)\nGitRepo: https://example.com/x.git\n\n" +
	"Tags: 1\nGitCommit: 0123456789012345678901234567890123456789\nArchitectures: amd64\n"

// TestBuildTargetErrors checks how `brewkit build` refuses what it cannot
// do, before it plans anything or starts a daemon.
func TestBuildTargetErrors(t *testing.T) {
	unreachable := map[string]string{"BUILDKIT_HOST": "docker-container://buildkit"}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
	}{
		{"output with a registry", nil, []string{"--registry", "127.0.0.1:5000", "--output", "x"}, "--output is for builds without a registry"},
		{"output with $BREWKIT_REGISTRY", map[string]string{"BREWKIT_REGISTRY": "127.0.0.1:5000"}, []string{"--output", "x"}, "--output is for builds without a registry"},
		{"output with workers", nil, []string{"--worker", "amd64=tcp://127.0.0.1:1", "--output", "x"}, "--output is for builds on the local buildkitd"},
		{"workers without a registry", nil, []string{"--worker", "amd64=tcp://127.0.0.1:1"}, "no registry to stage images in"},
		{"BUILDKIT_HOST brewkit cannot reach", map[string]string{"BUILDKIT_HOST": "docker-container://buildkit"}, nil,
			`BUILDKIT_HOST=docker-container://buildkit: unsupported address`},
		// Checked before a daemon is looked for: BUILDKIT_HOST would fail
		// otherwise, with another error.
		{"bad --progress", unreachable, []string{"--progress", "fancy"}, `--progress "fancy": want one of`},
		{"malformed --push", unreachable, []string{"--registry", "127.0.0.1:5000", "--push", "127.0.0.1:5000/Library"}, `--push: publishing to "127.0.0.1:5000/Library"`},
		{"--push without a registry", unreachable, []string{"--push", "127.0.0.1:5000/library"}, "--push and --dry-run need a registry"},
		{"malformed --staging", unreachable, []string{"--staging", "127.0.0.1:5000/Staging"}, `staging prefix "127.0.0.1:5000/Staging"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOME": t.TempDir(), "BREWKIT_ARCH": "amd64"}
			for k, v := range tt.env {
				env[k] = v
			}
			cmd := newRootCmd(func(k string) string { return env[k] })
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			lib := t.TempDir()
			if err := os.WriteFile(filepath.Join(lib, "foo"), []byte(fooEntry), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd.SetArgs(append([]string{"--library", lib, "build", "--all", "--cache", t.TempDir()}, tt.args...))
			err := cmd.ExecuteContext(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q\noutput:\n%s", err, tt.wantErr, out.Bytes())
			}
		})
	}
}

// TestBuildArgumentErrors checks that a name the library does not have,
// or a library that is not there, is refused before any daemon is looked
// for.
func TestBuildArgumentErrors(t *testing.T) {
	lib := t.TempDir()
	if err := os.WriteFile(filepath.Join(lib, "foo"), []byte(fooEntry), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": t.TempDir(), "BREWKIT_ARCH": "amd64", "BUILDKIT_HOST": "docker-container://buildkit"}
	missing := filepath.Join(lib, "missing")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--library", lib, "foo:nope"}, `tag "nope": not found`},
		{[]string{"--library", lib, "nosuchrepo"}, "nosuchrepo"},
		{[]string{"--library", missing, "--all"}, "--all: reading the library"},
	}
	for _, cmdName := range []string{"build", "plan"} {
		for _, tt := range tests {
			cmd := newRootCmd(func(k string) string { return env[k] })
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs(append([]string{cmdName, "--cache", t.TempDir()}, tt.args...))
			err := cmd.ExecuteContext(t.Context())
			if err == nil || strings.Contains(err.Error(), "BUILDKIT_HOST") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("brewkit %s %v: error %v, want one containing %q (and no daemon looked for)\noutput:\n%s", cmdName, tt.args, err, tt.want, out.Bytes())
			}
		}
	}
}
