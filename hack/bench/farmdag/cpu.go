package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// userHZ is the unit of /proc's CPU times on Linux (sysconf(_SC_CLK_TCK)),
// 100 on every architecture Go runs Linux on.
const userHZ = 100

// cpuSample is the CPU time spent so far by the machine and by the
// farm's processes, read together.
type cpuSample struct {
	machine   time.Duration // every core, busy (not idle or waiting on I/O)
	buildkitd time.Duration // the farm's buildkitd, with the children they waited for (runc, containers, QEMU)
	registry  time.Duration // the farm's registry
	self      time.Duration // this process and its waited-for children (git)
}

// CPU is what a timed build cost in CPU time: the difference of two
// samples.
type CPU struct {
	Cores     int           `json:"cores"`
	Machine   time.Duration `json:"machine"`
	Buildkitd time.Duration `json:"buildkitd"`
	Registry  time.Duration `json:"registry"`
	Self      time.Duration `json:"coordinator"`
}

func sampleCPU(farmRoot string) cpuSample {
	s := cpuSample{machine: machineBusy(), self: processCPU()}
	bin := filepath.Join(farmRoot, ".farm", "bin", "buildkitd")
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		cmd, err := os.ReadFile(filepath.Join(p, "cmdline"))
		if err != nil {
			continue
		}
		argv0, _, _ := bytes.Cut(cmd, []byte{0})
		switch {
		case string(argv0) == bin:
			s.buildkitd += procCPU(p)
		case filepath.Base(string(argv0)) == "docker-registry" && bytes.Contains(cmd, []byte(farmRoot)):
			s.registry += procCPU(p)
		}
	}
	return s
}

func (s cpuSample) since(s0 cpuSample) CPU {
	return CPU{Cores: runtime.NumCPU(), Machine: s.machine - s0.machine, Buildkitd: s.buildkitd - s0.buildkitd,
		Registry: s.registry - s0.registry, Self: s.self - s0.self}
}

// String is the arithmetic: CPU time per job, against what the cores
// offered over the makespan.
func (c CPU) String(jobs int, makespan time.Duration) string {
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.2fs (%.3fs a job)", d.Seconds(), d.Seconds()/float64(max(jobs, 1)))
	}
	offered := time.Duration(c.Cores) * makespan
	return fmt.Sprintf("machine %s = %.0f%% of %d cores x makespan; buildkitd %s, registry %s, brewkit %s",
		per(c.Machine), 100*c.Machine.Seconds()/offered.Seconds(), c.Cores, per(c.Buildkitd), per(c.Registry), per(c.Self))
}

// machineBusy is the busy CPU time of every core so far (/proc/stat's
// first line: user, nice, system, irq, softirq, steal).
func machineBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system [idle iowait] irq softirq steal
		if i < len(f) {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * time.Second / userHZ
}

// procCPU is a process's user and system time with that of the
// children it waited for (/proc/PID/stat fields 14 to 17).
func procCPU(proc string) time.Duration {
	data, err := os.ReadFile(filepath.Join(proc, "stat"))
	if err != nil {
		return 0
	}
	_, rest, ok := bytes.Cut(data, []byte(") ")) // after the command, which may hold spaces
	if !ok {
		return 0
	}
	f := strings.Fields(string(rest)) // f[0] is field 3 (state)
	var ticks int64
	for i := 11; i <= 14 && i < len(f); i++ {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ
}

// processCPU is the user and system CPU time of this process and of the
// children it waited for.
func processCPU() time.Duration {
	var t time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			t += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return t
}
