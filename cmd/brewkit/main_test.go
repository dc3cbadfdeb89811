package main

import (
	"bytes"
	"context"
	"testing"
)

// brewkit runs the real command tree in-process with env as its whole
// environment, and returns what it printed.
func brewkit(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newRootCmd(func(k string) string { return env[k] })
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// testEnv points brewkit at testdata/library on an amd64 host.
func testEnv() map[string]string {
	return map[string]string{"BREWKIT_LIBRARY": "testdata/library", "BREWKIT_ARCH": "amd64", "HOME": "/nonexistent"}
}
