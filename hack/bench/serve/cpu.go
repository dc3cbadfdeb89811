package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTicks = 100

// cpuTimes is CPU seconds used so far: by this process (and the git
// processes it waited for), the farm's registry and its buildkitds, and
// the whole machine, busy and in all.
type cpuTimes struct {
	Self, Registry, Workers float64
	Busy, Total             float64
}

func (a cpuTimes) sub(b cpuTimes) cpuTimes {
	return cpuTimes{Self: a.Self - b.Self, Registry: a.Registry - b.Registry, Workers: a.Workers - b.Workers,
		Busy: a.Busy - b.Busy, Total: a.Total - b.Total}
}

// farmPids reads the pids hack/farm up recorded next to the workers file.
func farmPids(workersFile string) (registry int, workers []int) {
	dir := filepath.Dir(workersFile)
	registry = readPid(filepath.Join(dir, "registry", "pid"))
	files, _ := filepath.Glob(filepath.Join(dir, "workers", "*", "pid"))
	for _, f := range files {
		if pid := readPid(f); pid > 0 {
			workers = append(workers, pid)
		}
	}
	return registry, workers
}

func readPid(file string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

// sampleCPU reads the CPU times now; a process it cannot read counts 0.
func sampleCPU(registry int, workers []int) cpuTimes {
	c := cpuTimes{Self: procCPU("self", true), Registry: procCPU(strconv.Itoa(registry), false)}
	for _, w := range workers {
		c.Workers += procCPU(strconv.Itoa(w), true)
	}
	if data, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(data), "\n")
		for i, f := range strings.Fields(line)[1:] {
			v, _ := strconv.ParseFloat(f, 64)
			if i < 8 { // user nice system idle iowait irq softirq steal (guest time is in user)
				c.Total += v / clockTicks
				if i != 3 && i != 4 {
					c.Busy += v / clockTicks
				}
			}
		}
	}
	return c
}

// procCPU is the user and system CPU seconds of process pid, with those
// of its waited-for children when children.
func procCPU(pid string, children bool) float64 {
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // from field 3, state
	var ticks float64
	n := 2 // utime, stime: fields 14 and 15
	if children {
		n = 4 // and cutime, cstime
	}
	for i := range n {
		v, _ := strconv.ParseFloat(fields[11+i], 64)
		ticks += v
	}
	return ticks / clockTicks
}
