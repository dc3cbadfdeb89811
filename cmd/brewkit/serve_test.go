package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestServeRefusesBadNotifyFlags: --notify and --notify-failures are
// checked before anything is opened, and the error hides a URL's
// password.
func TestServeRefusesBadNotifyFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    string
		secrets string // must not be in the error
	}{
		{"no failures", []string{"--notify-failures", "0"}, "--notify-failures 0: want a positive count", ""},
		{"not http", []string{"--notify", "ftp://hooks.example/x"}, "--notify: notify URL ftp://hooks.example/x: want http:// or https://", ""},
		{"no host, a password", []string{"--notify", "http://user:hunter2@"}, "want http:// or https://", "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := newRootCmd(func(string) string { return "" })
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs(append([]string{"serve", "--source", t.TempDir(), "--worker", "amd64=unix:///nowhere.sock",
				"--push", "127.0.0.1:5000/library", "--state", t.TempDir()}, tt.args...))
			err := cmd.ExecuteContext(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serve %q: %v; want an error with %q", tt.args, err, tt.want)
			}
			if tt.secrets != "" && strings.Contains(err.Error(), tt.secrets) {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}
