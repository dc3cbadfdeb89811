package scheduler

import (
	"encoding/json"
	"strings"
	"testing"
)

// A Source shows and records its GitRepo without a credential.
func TestSourceRedactsCredential(t *testing.T) {
	s := Source{GitRepo: "https://robot:TOKEN@git.example.com/r.git", GitCommit: "c0ffee", Directory: "1.0", File: "Dockerfile"}
	b, err := json.Marshal(map[string]any{"job": Job{Source: s}.Source, "ptr": &s})
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"String": s.String(), "JSON": string(b)} {
		if strings.Contains(text, "TOKEN") || strings.Contains(text, "robot") || !strings.Contains(text, "https://git.example.com/r.git") {
			t.Errorf("%s = %s, want the GitRepo without its userinfo", what, text)
		}
	}
	var back Source
	if err := json.Unmarshal([]byte(`{"gitRepo":"x","gitCommit":"c","directory":"d","file":"f"}`), &back); err != nil || back.GitRepo != "x" || back.File != "f" {
		t.Errorf("Unmarshal = %+v, %v", back, err)
	}
}
