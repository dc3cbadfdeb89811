package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/brewkit/brewkit/builder/sourcetest"
)

// argsLoggingGit writes a git wrapper that appends its arguments and
// environment to a log before running git.
func argsLoggingGit(t *testing.T) (bin, log string) {
	t.Helper()
	real, err := exec.LookPath("git")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log = filepath.Join(dir, "args.log")
	bin = filepath.Join(dir, "git")
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" >> %s\nexec %s \"$@\"\n", shellQuote(log), shellQuote(real))
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

// A GitRepo's credential is used for the fetch, through a credential
// helper fed from git's environment: never on git's command line (which
// every user of the machine can read), in a message or in the log.
func TestEnsureCredentialInGitRepo(t *testing.T) {
	t.Parallel()
	const token = "s3cr3t-T0KEN"
	f := newFixture(t)
	f.write("Dockerfile", "FROM scratch\n", 0o644)
	id := f.commit("one", date1, date1)
	host := strings.TrimPrefix(sourcetest.ServeHTTP(t, f.dir, "robot", token), "http://")
	bin, argsLog := argsLoggingGit(t)
	var logs logBuffer
	c := openCache(t, WithGit(bin), WithLogger(logs.logger()))

	commit, err := c.Ensure(context.Background(), Source{Repo: "http://robot:" + token + "@" + host + "/repo.git", Fetch: "refs/heads/main", Commit: id})
	if err != nil {
		t.Fatalf("Ensure with the credential: %v", err)
	}
	if commit.String() != "http://"+host+"/repo.git@"+id {
		t.Errorf("commit.String() = %q, want the URL without userinfo", commit.String())
	}
	_, err = c.Ensure(context.Background(), Source{Repo: "http://robot:wrong-" + token + "@" + host + "/repo.git", Fetch: "refs/heads/main", Commit: strings.Repeat("1", 40)})
	if err == nil {
		t.Fatal("Ensure with a wrong credential and a missing commit succeeded")
	}
	_, err2 := c.Ensure(context.Background(), Source{Repo: "http://" + host + "/repo.git", Fetch: "refs/heads/main", Commit: strings.Repeat("2", 40)})
	if err2 == nil {
		t.Fatal("Ensure without a credential succeeded")
	}
	if fe := (*FetchError)(nil); errors.As(err2, &fe) && fe.Repeat {
		t.Errorf("Ensure without a credential: %v; want its own fetch, not the failure of the wrong credential", err2)
	}
	args, rerr := os.ReadFile(argsLog)
	if rerr != nil {
		t.Fatal(rerr)
	}
	for what, text := range map[string]string{"git's arguments": string(args), "the log": logs.String(), "an error": err.Error() + err2.Error()} {
		if strings.Contains(text, token) {
			t.Errorf("%s carries the credential:\n%s", what, text)
		}
	}
	if !strings.Contains(string(args), "fetch") {
		t.Errorf("the wrapper logged no fetch: %s", args)
	}
}
