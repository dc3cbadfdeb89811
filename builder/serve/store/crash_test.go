package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// crashChildEnv, set to a state directory, makes the test binary run
// [crashChild] on it instead of the tests.
const crashChildEnv = "BREWKIT_STORE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	os.Exit(m.Run())
}

// crashChild puts batches of jobs into the store in dir until it is
// killed, and prints the number of each batch once PutJobs, then PutTags
// of its tag, have returned nil for it. Batch i adds job i, queued, and
// moves job i-1 to running; then tag i, holding job i, is published.
func crashChild(dir string) int {
	s, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := range 1_000_000 {
		if err := s.PutJobs(crashBatch(i)...); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := s.PutTags(crashTag(i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(i)
	}
	return 0
}

// crashBatch returns the jobs of batch i of [crashChild].
func crashBatch(i int) []Job {
	job := func(n int, state string) Job {
		j := testJob(fmt.Sprintf("src%07d/amd64", n), state)
		j.Error = strings.Repeat("a long error message ", 50) // spreads jobs over pages
		return j
	}
	if i == 0 {
		return []Job{job(0, "queued")}
	}
	return []Job{job(i, "queued"), job(i-1, "running")}
}

// crashTag returns the tag of batch i of [crashChild].
func crashTag(i int) Tag {
	t := testTag(fmt.Sprintf("r.example/library/t:%07d", i))
	t.Jobs = []string{crashBatch(i)[0].ID}
	return t
}

func TestSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	last := runAndKill(t, dir, 100)
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("reopening after SIGKILL: %v", err)
	}
	defer s.Close()
	checkIndex(t, s)
	jobs, err := s.Jobs(JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// Batch last+1 may have been committed, not printed.
	if n := len(jobs); n != last+1 && n != last+2 {
		t.Fatalf("%d jobs after batch %d was committed, want %d or %d", n, last, last+1, last+2)
	}
	// Batches are atomic: the batch that added job i+1 moved job i.
	for i, job := range jobs {
		want := crashBatch(i)[0]
		if i < len(jobs)-1 {
			want.State = "running"
		}
		if job.ID != want.ID || job.State != want.State {
			t.Errorf("job %d is %s, %s; want %s, %s", i, job.ID, job.State, want.ID, want.State)
		}
	}
	checkCrashTags(t, s, last, len(jobs))
}

// checkCrashTags checks the tags [crashChild] left, having printed
// batch last and put jobs jobs: every tag printed is there, whole, and
// a tag is never there without its job.
func checkCrashTags(t *testing.T, s *Store, last, jobs int) {
	t.Helper()
	tags, err := s.Tags()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tags); n < last+1 || n > jobs {
		t.Fatalf("%d tags after batch %d was printed and %d jobs stored", n, last, jobs)
	}
	for i, tag := range tags {
		if want := crashTag(i); !cmp.Equal(tag, want) {
			t.Errorf("tag %d is %+v; want %+v", i, tag, want)
		}
	}
}

// runAndKill runs crashChild on the store in dir, kills it with SIGKILL
// soon after it has printed n batches, and returns the last batch it printed.
func runAndKill(t *testing.T, dir string, n int) int {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	last, lines := -1, bufio.NewScanner(stdout)
	for lines.Scan() {
		i, err := strconv.Atoi(lines.Text())
		if err != nil || i != last+1 {
			t.Fatalf("the child printed %q after %d", lines.Text(), last)
		}
		if last = i; last+1 == n {
			// A random wait, so that the kill lands anywhere in a
			// batch: inside PutJobs, between two, while printing.
			time.AfterFunc(rand.N(3*time.Millisecond), func() { _ = cmd.Process.Kill() })
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if exit, ok := errors.AsType[*exec.ExitError](err); !ok || exit.ProcessState.String() != "signal: killed" {
		t.Fatalf("the child ended with %v, not killed, after batch %d; stderr:\n%s", err, last, stderr.String())
	}
	return last
}
