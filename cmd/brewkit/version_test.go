package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"},
			Settings: settings("vcs.revision", "0123abcd", "vcs.modified", "false", "vcs.time", "2026-11-30T10:00:00Z")},
			true, "v1.2.0, commit 0123abcd (2026-11-30T10:00:00Z), go1.26.8"},
		{"checkout with changes", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", "0123abcd", "vcs.modified", "true")},
			true, "(devel), commit 0123abcd+dirty, go1.26.8"},
		{"no vcs stamp", &debug.BuildInfo{GoVersion: "go1.26.8"}, true, "(devel), commit unknown, go1.26.8"},
		{"no build info", nil, false, "unknown (no build information in the binary)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := version(tc.info, tc.ok); got != tc.want {
				t.Errorf("version = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVersionFlag(t *testing.T) {
	out, _, err := brewkit(t, testEnv(), "--version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "brewkit ") || !strings.Contains(out, ", commit ") || !strings.HasSuffix(out, "\n") {
		t.Errorf("--version printed %q, want \"brewkit VERSION, commit REVISION, GO\"", out)
	}
}

func TestDebugFlag(t *testing.T) {
	g := &globalOptions{logLevel: "warn", debug: true}
	var buf strings.Builder
	if err := g.openLog(&buf); err != nil {
		t.Fatal(err)
	}
	g.log.Debug("seen")
	if !strings.Contains(buf.String(), "seen") {
		t.Errorf("--debug: a debug message is not logged (%q)", buf.String())
	}
}

func TestArchHelp(t *testing.T) {
	for _, cmd := range []string{"build", "plan"} {
		out, _, err := brewkit(t, testEnv(), cmd, "--help")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "given as a flag to build or plan, only its jobs are planned and built") {
			t.Errorf("brewkit %s --help does not say what --arch does for it:\n%s", cmd, out)
		}
	}
}

func TestBuildFlagsChecked(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "--pull", "sometimes", "foo"}, `--pull "sometimes": want always, missing or never`},
		{[]string{"build", "--platform", "linux/bogus", "foo"}, "--platform: "},
		{[]string{"build", "--platform", "arm64", "foo"}, "--platform: "},
	} {
		_, _, err := brewkit(t, testEnv(), tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}

// TestBuildLoadNoEngine: neither a Docker engine nor containerd answers;
// --load says where it tried before anything is started.
func TestBuildLoadNoEngine(t *testing.T) {
	env := testEnv()
	env["DOCKER_HOST"] = "unix://" + t.TempDir() + "/docker.sock"
	env["CONTAINERD_ADDRESS"] = t.TempDir() + "/containerd.sock"
	_, _, err := brewkit(t, env, "build", "--load", "foo")
	for _, want := range []string{
		"--load: no Docker engine or containerd answers to load images into: ",
		"tried the Docker engine API at " + env["DOCKER_HOST"] + ": ",
		"tried containerd at " + env["CONTAINERD_ADDRESS"] + ": ",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("build --load: %v\nwant it to say %q", err, want)
		}
	}
}
