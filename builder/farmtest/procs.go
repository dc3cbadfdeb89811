package farmtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Process is a process as /proc shows it.
type Process struct {
	Pid, PPid int
	// Comm is its command name (/proc/PID/comm): the base name of the
	// file it executed, at most 15 bytes.
	Comm string
	// State is its state, such as "R" (running), "S" (sleeping) or "Z"
	// (a zombie).
	State string
}

// Descendants returns the processes under pid: its children, theirs, and
// so on, zombies included, each parent before its children. A process
// whose parent died is no longer under it: it belongs to init (or a
// subreaper) from then on.
func Descendants(t testing.TB, pid int) []Process {
	t.Helper()
	out, err := descendants(pid)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// descendants is Descendants, returning its error.
func descendants(pid int) ([]Process, error) {
	procs, err := processes()
	if err != nil {
		return nil, err
	}
	children := map[int][]Process{}
	for _, p := range procs {
		children[p.PPid] = append(children[p.PPid], p)
	}
	var out []Process
	var walk func(int)
	walk = func(p int) {
		for _, c := range children[p] {
			out = append(out, c)
			walk(c.Pid)
		}
	}
	walk(pid)
	return out, nil
}

// processes lists every process /proc shows.
func processes() ([]Process, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var out []Process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		p, err := parseStat(pid, stat)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// parseStat reads /proc/PID/stat: "pid (comm) state ppid ...", where comm
// may hold anything, parentheses and spaces included.
func parseStat(pid int, stat []byte) (Process, error) {
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open {
		return Process{}, fmt.Errorf("/proc/%d/stat: %q: no (comm)", pid, stat)
	}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 2 { // state, ppid
		return Process{}, fmt.Errorf("/proc/%d/stat: %q: no parent", pid, stat)
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return Process{}, fmt.Errorf("/proc/%d/stat: %q: parent: %w", pid, stat, err)
	}
	return Process{Pid: pid, PPid: ppid, Comm: string(stat[open+1 : end]), State: fields[0]}, nil
}

// alive reports whether p still runs: a process of its pid and command
// name exists and is not a zombie.
func alive(p Process) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.Pid), "stat"))
	if err != nil {
		return false
	}
	q, err := parseStat(p.Pid, stat)
	return err == nil && q.Comm == p.Comm && q.State != "Z" && q.State != "X"
}
