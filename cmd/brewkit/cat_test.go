package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCat(t *testing.T) {
	tmpl := t.TempDir() + "/t.tmpl"
	writeFile(t, tmpl, "{{ .RepoName }}={{ len .Entries }}")
	env := testEnv()
	env["SOME_VAR"] = "set"
	env["BASHBREW_ARCH_NAMESPACES"] = "amd64 = amd64, arm64v8 = arm64v8"
	tests := []struct {
		name   string
		args   []string
		format string
		want   string
	}{{
		name: "canonical text of a file with no entries",
		args: []string{"cat", "empty-ok"},
		want: "Maintainers: Jane Doe (@jane)\nGitRepo: https://github.com/example/none.git\n",
	}, {
		name: "repos are separated by an empty line",
		args: []string{"cat", "empty-ok", "empty-ok"},
		want: "Maintainers: Jane Doe (@jane)\nGitRepo: https://github.com/example/none.git\n\n\nMaintainers: Jane Doe (@jane)\nGitRepo: https://github.com/example/none.git\n",
	}, {
		name: "a tag prints its whole entry",
		args: []string{"cat", "hello:0"},
		want: "Maintainers: Jane Doe <jane@example.com> (@jane), John Roe (@john)\nTags: 0.9, 0\nArchitectures: amd64\nGitRepo: https://github.com/example/hello.git\nGitFetch: refs/heads/master\nGitCommit: 0123456789abcdef0123456789abcdef01234567\nDirectory: 0.9\nFile: Dockerfile\nBuilder: buildkit\narm64v8-GitCommit: 89abcdef0123456789abcdef0123456789abcdef\narm64v8-GitFetch: refs/heads/dist-arm64v8\n",
	}, {
		name:   "per-arch accessors",
		args:   []string{"cat", "hello:latest"},
		format: `{{ range .TagEntry.Architectures }}{{ . }} {{ $.TagEntry.ArchGitCommit . | printf "%.7s" }} {{ $.TagEntry.ArchDirectory . }} {{ ociPlatform . }}{{ "\n" }}{{ end }}`,
		want:   "amd64 0123456 1.0 linux/amd64\narm64v8 89abcde 1.0 linux/arm64/v8\ns390x 0123456 1.0/s390x linux/s390x\n",
	}, {
		name:   "string functions",
		args:   []string{"cat", "hello:latest"},
		format: `{{ join "," .TagEntry.Tags }} {{ first .TagEntry.Tags }} {{ last .TagEntry.Tags }} {{ join "/" "a" "b" }} {{ "git://x/y.git" | replace "git://" "https://" | trimSuffixes ".git" }} {{ trimPrefixes "a" "b" "abc" }} {{ hasPrefix "1." "1.0" }} {{ hasSuffix "x" "1.0" }} {{ sha256sum "" | printf "%.8s" }}`,
		want:   "1.0.0,1.0,1,latest 1.0.0 latest a/b https://x/y c true false e3b0c442\n",
	}, {
		name:   "ternary, getenv, arch, namespaces",
		args:   []string{"--namespace", "lib", "cat", "hello:latest"},
		format: `{{ .TagEntry.HasArchitecture "s390x" | ternary "yes" "no" }} {{ getenv "SOME_VAR" }} {{ getenv "NOPE" "unset" }} {{ getenv "SOME_VAR" "is set" "is not" }} {{ arch }} {{ namespace }} {{ archNamespace "arm64v8" }} {{ i }}`,
		want:   "yes set unset is set amd64 lib arm64v8 0\n",
	}, {
		name:   "archFilter, defaults, json, Tags",
		args:   []string{"cat", "hello"},
		format: `{{ range archFilter "windows-amd64" .Entries }}{{ .Tags | first }}{{ end }} {{ defaults.File }} {{ json .TagName }} {{ .Tags "ns" true (index .Entries 1) }}`,
		want:   "1.0.0-windowsservercore-ltsc2022 Dockerfile \"\" [ns/hello:0.9]\n",
	}, {
		name:   "SkipConstraints and shared tag groups",
		args:   []string{"cat", "hello"},
		format: `{{ range .Entries }}{{ if not ($.SkipConstraints .) }}{{ .Tags | first }} {{ end }}{{ end }}{{ range .Manifest.GetSharedTagGroups }}[{{ join "," .SharedTags }}]{{ end }}`,
		want:   "1.0.0 0.9 [stable][windowsservercore]\n",
	}, {
		name: "a template file",
		args: []string{"cat", "-F", tmpl, "hello", "empty-ok"},
		want: "hello=3\nempty-ok=0\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.format != "" {
				args = append(args, "--format", tt.format)
			}
			out, _, err := brewkit(t, env, args...)
			if err != nil {
				t.Fatalf("brewkit: %v", err)
			}
			if diff := cmp.Diff(tt.want, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCatErrors(t *testing.T) {
	tests := []struct{ name, format, want string }{
		{"parse error", "{{ .Nope", "parsing format:"},
		{"unknown field", "{{ .Nope }}", `executing the template for "hello": template: --format:1:3: executing "--format" at <.Nope>: can't evaluate field Nope`},
		{"first of nothing", "{{ first .TagEntries }}", "first: want at least one argument"},
		{"replace needs pairs", `{{ replace "a" "x" }}`, "replace: want OLD NEW pairs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := brewkit(t, testEnv(), "cat", "-f", tt.format, "hello")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
