package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/sourcetest"
)

// TestE2ECredentialInGitRepo builds and publishes from a repository that
// wants a password, given in GitRepo: the build works, and the password is
// in none of plan's JSON, the build's output, its --metadata-file or the
// published image's manifest and config.
func TestE2ECredentialInGitRepo(t *testing.T) {
	farm := farmtest.Require(t)
	const token = "e2e-T0KEN-" + "do-not-leak"
	r := sourcetest.NewRepo(t, filepath.Join(t.TempDir(), "private"))
	commit := r.CommitNodes(sourcetest.File("Dockerfile", "FROM scratch\nCOPY hello /hello\n"), sourcetest.File("hello", "hello\n"))
	server := sourcetest.ServeHTTP(t, r.Dir, "robot", token)
	repo := strings.Replace(server, "http://", "http://robot:"+token+"@", 1) + "/repo.git"
	lib := writeLibrary(t, map[string]string{"private": "Maintainers: Test (@test)\n\nTags: 1\nArchitectures: amd64\nGitRepo: " + repo +
		"\nGitFetch: refs/heads/main\nGitCommit: " + commit + "\n"})
	ns := "e2e-cred-" + randomHex(t)
	staging, to, cache := farm.Registry+"/"+ns+"/staging", farm.Registry+"/"+ns, t.TempDir()

	planOut, planErr, err := brewkit(t, buildEnv(t), "--library", lib, "plan", "--all", "--cache", cache,
		"--workers", farm.File, "--staging", staging, "--format", "json")
	if err != nil {
		t.Fatalf("brewkit plan: %v\n%s", err, planErr)
	}
	b := build(t, lib, farm.File, staging, cache, "--push", to)
	if b.err != nil || len(b.meta.Jobs) != 1 || b.meta.Jobs[0].Status != "built" {
		t.Fatalf("brewkit build --push: %v\n%s\n%s", b.err, b.stdout, b.stderr)
	}
	img := pull(t, to+"/private:1")
	manifest, err1 := img.RawManifest()
	config, err2 := img.RawConfigFile()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for what, text := range map[string]string{
		"plan JSON": planOut, "plan stderr": planErr, "build stdout": b.stdout, "build stderr": b.stderr,
		"--metadata-file": string(b.metaRaw), "the image's manifest": string(manifest), "the image's config": string(config),
	} {
		if strings.Contains(text, token) {
			t.Errorf("%s carries the credential:\n%s", what, text)
		}
	}
	if want := server + "/repo.git#" + commit; !strings.Contains(string(manifest), want) {
		t.Errorf("the manifest's source annotation is not %s:\n%s", want, manifest)
	}
}
