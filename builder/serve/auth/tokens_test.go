package auth

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTokens(t *testing.T) {
	a, b := HashLine("a-token"), HashLine("b-token")
	tests := []struct {
		name  string
		file  string
		names []string
		err   string // a substring of the error; "" for none
	}{
		{name: "two", file: "ci " + a + "\nalice " + b + "\n", names: []string{"ci", "alice"}},
		{name: "comments and blanks", file: "# clients\n\n  ci\t" + a + "  # the CI\n\n", names: []string{"ci"}},
		{name: "no newline at the end", file: "ci " + a, names: []string{"ci"}},
		{name: "CRLF", file: "ci " + a + "\r\n", names: []string{"ci"}},
		{name: "empty", file: "", err: "tokens: no tokens"},
		{name: "only comments", file: "# nobody\n", err: "no tokens"},
		{name: "one field", file: "ci\n", err: "tokens:1: want two fields"},
		{name: "three fields", file: "\nci " + a + " extra\n", err: "tokens:2: want two fields, \"NAME sha256:HEX\"; the line has 3"},
		{name: "no prefix", file: "ci " + a[len("sha256:"):] + "\n", err: `tokens:1: ci: the hash does not start with "sha256:"`},
		{name: "other algorithm", file: "ci sha512:" + a[len("sha256:"):] + "\n", err: `does not start with "sha256:"`},
		{name: "a token, not a hash", file: "ci bk_secretsecret\n", err: "this is a token, not its hash"},
		{name: "short", file: "ci " + a[:len(a)-2] + "\n", err: "tokens:1: ci: the hash has 62 hex digits; want 64"},
		{name: "long", file: "ci " + a + "00\n", err: "has 66 hex digits"},
		{name: "uppercase", file: "ci sha256:" + strings.ToUpper(a[7:9]) + a[9:] + "\n", err: "uppercase"},
		{name: "not hex", file: "ci sha256:" + strings.Repeat("g", 64) + "\n", err: "not hex"},
		{name: "duplicate name", file: "ci " + a + "\nci " + b + "\n", err: "tokens:2: ci: a second token of this name (the first is at line 1)"},
		{name: "duplicate hash", file: "ci " + a + "\nbob " + a + "\n", err: "tokens:2: bob: the same token as ci at line 1"},
		{name: "bad name", file: "c/i " + a + "\n", err: `tokens:1: name "c/i": '/' is not allowed`},
		{name: "long name", file: strings.Repeat("n", 65) + " " + a + "\n", err: "want at most 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens, err := ParseTokens(strings.NewReader(tt.file), "tokens")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v; want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.names, tokens.Names()); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseTokensNeverEchoes: an error about a line that holds a token
// does not repeat it.
func TestParseTokensNeverEchoes(t *testing.T) {
	token, _, err := NewToken("ci")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"ci " + token, token, "ci " + token + " x", "ci sha256:" + token} {
		_, err := ParseTokens(strings.NewReader(file), "tokens")
		if err == nil || strings.Contains(err.Error(), token) || strings.Contains(err.Error(), token[3:]) {
			t.Errorf("error %v: want one without the token", err)
		}
	}
}

func TestLoadTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens")
	if _, err := LoadTokens(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("a missing file: error %v; want one naming it", err)
	}
	if err := os.WriteFile(path, []byte("ci "+HashLine("x")+"\nbad\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTokens(path); err == nil || !strings.HasPrefix(err.Error(), path+":2: ") {
		t.Errorf("a bad line: error %v; want one starting %s:2:", err, path)
	}
}

// TestCheck checks a token against a file whose every entry matches in
// turn: the loop visits all of them whichever matches, and finds the
// right name at any position.
func TestCheck(t *testing.T) {
	var file strings.Builder
	tokens := map[string]string{}
	names := []string{"first", "second", "third", "last"}
	for _, name := range names {
		token, line, err := NewToken(name)
		if err != nil {
			t.Fatal(err)
		}
		tokens[name] = token
		file.WriteString(line + "\n")
	}
	ts, err := ParseTokens(strings.NewReader(file.String()), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		got, ok := ts.Check(tokens[name])
		if !ok || got != name {
			t.Errorf("Check(token of %s) = %q, %v", name, got, ok)
		}
	}
	for _, bad := range []string{"", "bk_", tokens["first"] + "x", tokens["last"][:len(tokens["last"])-1], HashLine(tokens["first"]), strings.ToUpper(tokens["second"])} {
		if got, ok := ts.Check(bad); ok {
			t.Errorf("Check(%q) = %q; want no match", bad, got)
		}
	}
	var none *Tokens
	if _, ok := none.Check(tokens["first"]); ok || none.Len() != 0 || none.Names() != nil {
		t.Error("nil Tokens match something")
	}
}

func TestNewToken(t *testing.T) {
	token, line, err := NewToken("ci-bot@example")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, "bk_") || len(token) != 3+43 {
		t.Errorf("token %q: want bk_ and 43 base64url characters", token)
	}
	ts, err := ParseTokens(strings.NewReader(line), "line")
	if err != nil {
		t.Fatalf("the line does not parse: %v", err)
	}
	if name, ok := ts.Check(token); !ok || name != "ci-bot@example" {
		t.Errorf("Check = %q, %v; want ci-bot@example", name, ok)
	}
	if strings.Contains(line, token) || strings.Contains(line, token[3:]) {
		t.Errorf("line %q holds the token", line)
	}
	other, _, err := NewToken("ci-bot@example")
	if err != nil || other == token {
		t.Errorf("two tokens alike: %q, %v", other, err)
	}
	for _, bad := range []string{"", "a b", "a#b", "é", strings.Repeat("x", 65)} {
		if _, _, err := NewToken(bad); err == nil {
			t.Errorf("NewToken(%q): no error", bad)
		}
	}
}

// FuzzParseTokens: the parser never panics, and what it accepts round
// trips: the names it returns, each with its hash, parse to the same.
func FuzzParseTokens(f *testing.F) {
	f.Add("ci " + HashLine("a") + "\n# c\n\nbob " + HashLine("b") + " # x\n")
	f.Add("ci sha256:00\n")
	f.Add("ci bk_abc\n")
	f.Add("a b c\n")
	f.Add("\xff sha256:" + strings.Repeat("A", 64))
	f.Fuzz(func(t *testing.T, file string) {
		ts, err := ParseTokens(strings.NewReader(file), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		var again strings.Builder
		for _, e := range ts.entries {
			again.WriteString(e.name + " " + hashPrefix + hex.EncodeToString(e.hash[:]) + "\n")
		}
		ts2, err := ParseTokens(strings.NewReader(again.String()), "again")
		if err != nil {
			t.Fatalf("re-parse of %q: %v", again.String(), err)
		}
		if diff := cmp.Diff(ts.Names(), ts2.Names()); diff != "" {
			t.Errorf("round trip (-first +again):\n%s", diff)
		}
	})
}
