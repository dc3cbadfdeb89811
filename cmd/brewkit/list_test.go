package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestList(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		want       string
		wantStderr string
	}{{
		name: "every tag and shared tag",
		args: []string{"list", "hello"},
		want: "hello:1.0.0\nhello:1.0\nhello:1\nhello:latest\nhello:stable\nhello:0.9\nhello:0\nhello:1.0.0-windowsservercore-ltsc2022\nhello:1.0-windowsservercore-ltsc2022\nhello:stable\nhello:windowsservercore\n",
	}, {
		name: "uniq with a namespace, through ls",
		args: []string{"--namespace", "ns", "ls", "--uniq", "hello"},
		want: "ns/hello:1.0.0\nns/hello:0.9\nns/hello:1.0.0-windowsservercore-ltsc2022\n",
	}, {
		name: "a tag selects its entry",
		args: []string{"list", "hello:0"},
		want: "hello:0.9\nhello:0\n",
	}, {
		name: "a shared tag selects all its entries",
		args: []string{"list", "--uniq", "hello:stable"},
		want: "hello:1.0.0\nhello:1.0.0-windowsservercore-ltsc2022\n",
	}, {
		name: "repos",
		args: []string{"list", "--repos", "--all"},
		want: "empty-ok\nhello\n",
	}, {
		name: "repos of an explicit tag lists its tags",
		args: []string{"list", "--repos", "--uniq", "hello:latest"},
		want: "hello:1.0.0\n",
	}, {
		name: "arch filter",
		args: []string{"--arch", "s390x", "list", "--arch-filter", "hello"},
		want: "hello:1.0.0\nhello:1.0\nhello:1\nhello:latest\nhello:stable\n",
	}, {
		name:       "apply constraints reports what it skips",
		args:       []string{"list", "--uniq", "--apply-constraints", "hello"},
		want:       "hello:1.0.0\nhello:0.9\n",
		wantStderr: `skipping "hello:1.0.0-windowsservercore-ltsc2022" (due to architecture "amd64"; only "windows-amd64" supported)` + "\n",
	}, {
		name:       "constraints satisfied, exclusive",
		args:       []string{"--arch", "windows-amd64", "--constraint", "windowsservercore-ltsc2022", "--exclusive-constraints", "list", "--uniq", "--apply-constraints", "hello"},
		want:       "hello:1.0.0-windowsservercore-ltsc2022\n",
		wantStderr: `skipping "hello:1.0.0" (due to architecture "windows-amd64"; only "amd64, arm64v8, s390x" supported)` + "\n" + `skipping "hello:0.9" (due to architecture "windows-amd64"; only "amd64" supported)` + "\n",
	}, {
		name:       "unsatisfied constraints",
		args:       []string{"--arch", "windows-amd64", "list", "--uniq", "--apply-constraints", "hello:1.0.0-windowsservercore-ltsc2022"},
		wantStderr: `skipping "hello:1.0.0-windowsservercore-ltsc2022" (due to unsatisfactory constraints ["windowsservercore-ltsc2022"])` + "\n",
	}, {
		name: "library and arch from bashbrew's variables",
		args: []string{"list", "--arch-filter", "--uniq", "hello"},
		env:  map[string]string{"BASHBREW_LIBRARY": "testdata/library", "BASHBREW_ARCH": "windows-amd64"},
		want: "hello:1.0.0-windowsservercore-ltsc2022\n",
	}, {
		name: "a path and a tag",
		args: []string{"list", "--uniq", "./testdata/library/hello:1"},
		want: "hello:1.0.0\n",
	}, {
		name: "a file with no entries lists nothing",
		args: []string{"list", "empty-ok"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.env
			if env == nil {
				env = testEnv()
			}
			out, errOut, err := brewkit(t, env, tt.args...)
			if err != nil {
				t.Fatalf("brewkit %s: %v", strings.Join(tt.args, " "), err)
			}
			if diff := cmp.Diff(tt.want, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStderr, errOut); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListErrors(t *testing.T) {
	bad := t.TempDir() + "/bad"
	writeFile(t, bad, "Maintainers: Jane Doe (@jane)\nGitRepo: r\n\nTags: a\nGitCommit: nope\n   \nTags: b\n")
	tests := []struct {
		name string
		args []string
		want []string // substrings of the error
	}{
		{"no repo", []string{"list"}, []string{"need at least one repo"}},
		{"unknown repo", []string{"list", "nope"}, []string{`manifest "nope": not found in "testdata/library"`}},
		{"unknown tag", []string{"list", "hello:nope"}, []string{`testdata/library/hello: tag "nope": not found`}},
		{"unknown arch", []string{"--arch", "arm64", "list", "hello"}, []string{`--arch "arm64": unknown architecture; want one of amd64,`}},
		{"bad arch namespace", []string{"--arch-namespace", "arm64v8", "list", "hello"}, []string{`--arch-namespace "arm64v8": want ARCH=NAMESPACE`}},
		{"every problem of a bad file", []string{"list", bad}, []string{
			bad + `:5: Tags "a": invalid GitCommit "nope"`,
			bad + `:6: line holds only blanks ("   ")`,
		}},
		{"a bad file does not hide the good ones", []string{"list", bad, "hello:0"}, []string{bad + ":5:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := brewkit(t, testEnv(), tt.args...)
			if err == nil {
				t.Fatal("brewkit succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	out, _, _ := brewkit(t, testEnv(), "list", bad, "hello:0")
	if out != "hello:0.9\nhello:0\n" {
		t.Errorf("good manifest after a bad one: got %q", out)
	}
}

func TestWarningsGoToStderr(t *testing.T) {
	f := t.TempDir() + "/warn"
	writeFile(t, f, "Maintainers: Jane Doe (@jane)\nGitRepo: r\nGitCommit: 0123456789abcdef0123456789abcdef01234567\n\nTags: a\nArchitecture: arm64v8\n")
	out, errOut, err := brewkit(t, testEnv(), "list", f)
	if err != nil || out != "warn:a\n" {
		t.Fatalf("got %q, %v", out, err)
	}
	if !strings.Contains(errOut, f+`:6: unknown field "Architecture" is ignored`) {
		t.Errorf("stderr %q lacks the warning", errOut)
	}
}
