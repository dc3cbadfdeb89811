package store

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLogsCreateAnyJobID(t *testing.T) {
	tests := map[string]string{
		"a job id":         strings.Repeat("3b1c", 16) + "/arm64v8",
		"climbing out":     "../../x",
		"absolute":         "/etc/passwd",
		"only dots":        "..",
		"a dash first":     "-rf",
		"empty":            "",
		"NUL and newline":  "a\x00b\nc",
		"not ASCII":        "débian/amd64",
		"very long":        strings.Repeat("0123456789/", 1000),
		"backslashes":      `..\..\x`,
		"a name with .log": "x.log/../../y",
	}
	// the name of a log file of attempt 3
	logNamePattern := regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.~-]*\.[0-9a-f]{16}\.3\.[0-9]{8}T[0-9]{6}\.[0-9]{9}Z\.log$`)
	logs := newLogs(t)
	for name, id := range tests {
		t.Run(name, func(t *testing.T) {
			f, path, err := logs.Create(id, 3)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(f, "hello\n"); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if dir := filepath.Dir(path); dir != logs.Dir() {
				t.Errorf("Create made %s, outside %s", path, logs.Dir())
			}
			base := filepath.Base(path)
			if len(base) > 255 || !logNamePattern.MatchString(base) {
				t.Errorf("Create named its file %q, want a name matching %s", base, logNamePattern)
			}
			if b, err := os.ReadFile(filepath.Join(logs.Dir(), base)); err != nil || string(b) != "hello\n" {
				t.Errorf("reading the log back: %q, %v", b, err)
			}
		})
	}
}

// newLogs returns logs in a new directory.
func newLogs(t *testing.T) *Logs {
	t.Helper()
	logs, err := NewLogs(filepath.Join(t.TempDir(), "logs"))
	if err != nil {
		t.Fatal(err)
	}
	return logs
}

func TestLogsCreateNeverReusesAFile(t *testing.T) {
	logs := newLogs(t)
	logs.now = func() time.Time { return testTime(0) } // every name the same
	var paths []string
	for i := range 3 {
		f, path, err := logs.Create("a/b", 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fmt.Fprintf(f, "log %d\n", i); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	name := logName("a/b", 1, testTime(0))
	want := []string{name, strings.TrimSuffix(name, ".log") + "-2.log", strings.TrimSuffix(name, ".log") + "-3.log"}
	for i, path := range paths {
		if filepath.Base(path) != want[i] {
			t.Errorf("log %d is %s, want %s", i, filepath.Base(path), want[i])
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != fmt.Sprintf("log %d\n", i) {
			t.Errorf("log %d holds %q (%v)", i, b, err)
		}
	}
}

func TestLogNameTellsSimilarIDsApart(t *testing.T) {
	now := testTime(0)
	pairs := [][2]string{
		{"a/b", "a_b"},
		{"a/b", "a:b"},
		{strings.Repeat("x", 300) + "1", strings.Repeat("x", 300) + "2"},
		{strings.Repeat("x", 100) + "1" + strings.Repeat("y", 100), strings.Repeat("x", 100) + "2" + strings.Repeat("y", 100)},
	}
	for _, p := range pairs {
		if a, b := logName(p[0], 1, now), logName(p[1], 1, now); a == b {
			t.Errorf("job ids %q and %q have the same log name %q", p[0], p[1], a)
		}
	}
}

func TestSlug(t *testing.T) {
	tests := map[string]string{
		"3b1c/amd64": "3b1c_amd64",
		"../../x":    "_.._x",
		".hidden":    "hidden",
		"-rf":        "rf",
		"":           "job",
		"...":        "job",
		"é":          "__",
		strings.Repeat("a", 60) + strings.Repeat("b", 60): strings.Repeat("a", 50) + "~" + strings.Repeat("b", 50),
	}
	for id, want := range tests {
		if got := slug(id); got != want {
			t.Errorf("slug(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestLogsPrune(t *testing.T) {
	tests := []struct {
		name     string
		maxCount int
		maxAge   time.Duration
		want     []string // the files left, newest first
	}{
		{"no limits", 0, 0, []string{"h0", "h1", "h2", "h30", "h40"}},
		{"by count", 2, 0, []string{"h0", "h1"}},
		{"by age", 0, 24 * time.Hour, []string{"h0", "h1", "h2"}},
		{"by both, count first", 2, 24 * time.Hour, []string{"h0", "h1"}},
		{"by both, age first", 4, 24 * time.Hour, []string{"h0", "h1", "h2"}},
		{"a count above the number of files", 10, 0, []string{"h0", "h1", "h2", "h30", "h40"}},
		{"negative limits", -1, -time.Hour, []string{"h0", "h1", "h2", "h30", "h40"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := newLogs(t)
			for _, hours := range []int{30, 0, 2, 40, 1} {
				writeLog(t, logs, fmt.Sprintf("h%d", hours), time.Duration(hours)*time.Hour)
			}
			other := filepath.Join(logs.Dir(), "notes.txt") // not a log
			if err := os.WriteFile(other, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			removed, err := logs.Prune(tt.maxCount, tt.maxAge)
			if err != nil {
				t.Fatal(err)
			}
			left := listLogs(t, logs)
			if d := cmp.Diff(tt.want, left); d != "" {
				t.Errorf("Prune(%d, %v) left (-want +got):\n%s", tt.maxCount, tt.maxAge, d)
			}
			if removed != 5-len(tt.want) {
				t.Errorf("Prune(%d, %v) = %d removed, want %d", tt.maxCount, tt.maxAge, removed, 5-len(tt.want))
			}
			if _, err := os.Stat(other); err != nil {
				t.Errorf("Prune removed a file that is not a log: %v", err)
			}
		})
	}
}

// writeLog creates a log of job id, last written age ago.
func writeLog(t *testing.T, logs *Logs, id string, age time.Duration) {
	t.Helper()
	f, path, err := logs.Create(id, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	mod := time.Now().Add(-age)
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// listLogs returns the job ids of the logs in logs, newest first.
func listLogs(t *testing.T, logs *Logs) []string {
	t.Helper()
	files, err := logs.files()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range files {
		id, _, _ := strings.Cut(f.name, ".")
		ids = append(ids, id)
	}
	return ids
}
