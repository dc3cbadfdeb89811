package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestBuildTargetErrors checks how `brewkit build` refuses what it cannot
// do, before it plans anything or starts a daemon.
func TestBuildTargetErrors(t *testing.T) {
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
			cmd.SetArgs(append([]string{"--library", t.TempDir(), "build", "--all"}, tt.args...))
			err := cmd.ExecuteContext(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q\noutput:\n%s", err, tt.wantErr, out.Bytes())
			}
		})
	}
}
