package farmtest

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		stat    string
		want    Process
		wantErr bool
	}{
		{"42 (sshd) S 1 42 42 0 -1", Process{Pid: 42, PPid: 1, Comm: "sshd", State: "S"}, false},
		{"42 (a (b) c) Z 7 42", Process{Pid: 42, PPid: 7, Comm: "a (b) c", State: "Z"}, false},
		{"42 () R 3", Process{Pid: 42, PPid: 3, State: "R"}, false},
		{"42 sshd S 1", Process{}, true},
		{"42 (sshd) S", Process{}, true},
		{"42 (sshd) S x", Process{}, true},
	}
	for _, tt := range tests {
		got, err := parseStat(42, []byte(tt.stat))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseStat(%q) = %+v, %v; want %+v, error %v", tt.stat, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestDescendants finds the test's own child, and alive tells it running
// from the zombie it is once killed and not yet waited for.
func TestDescendants(t *testing.T) {
	p, err := os.StartProcess("/bin/sleep", []string{"sleep", "60"}, &os.ProcAttr{})
	if err != nil {
		t.Skip(err)
	}
	defer p.Wait()
	defer p.Kill()
	var child Process
	for _, d := range Descendants(t, os.Getpid()) {
		if d.Pid == p.Pid {
			child = d
		}
	}
	if child.Comm != "sleep" || child.PPid != os.Getpid() || !alive(child) {
		t.Fatalf("child %d: %+v among the descendants (alive %v), want sleep", p.Pid, child, alive(child))
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(child) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(child) {
		t.Errorf("child %d is alive 5s after SIGKILL", p.Pid)
	}
}
