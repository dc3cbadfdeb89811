package builder_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"golang.org/x/sync/errgroup"

	"github.com/brewkit/brewkit/builder"
	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/platforms"
)

// busyboxDockerfile makes a scratch image that can run commands, and records
// the machine its RUN steps ran on.
const busyboxDockerfile = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox","--install","-s","/bin"]
RUN uname -m > /arch
`

// TestE2EBuildOnEachArch builds, from a git context served by the harness,
// on each farm worker for its own arch, with the BuildKit Go client, and
// checks that RUN ran on that arch.
func TestE2EBuildOnEachArch(t *testing.T) {
	farm := farmtest.Require(t)
	git := farmtest.GitDaemon(t)
	for _, tt := range []struct{ arch, uname string }{
		{"amd64", "x86_64"}, {"arm64v8", "aarch64"}, {"ppc64le", "ppc64le"}, {"s390x", "s390x"},
	} {
		w := farm.Worker(tt.arch) // on this goroutine: it may fail the test
		t.Run(tt.arch, func(t *testing.T) {
			t.Parallel()
			url, commit := git.NewRepo(t, "busybox-"+tt.arch, map[string]string{
				"Dockerfile": busyboxDockerfile,
				"busybox":    string(farmtest.Busybox(t, tt.arch)),
			})
			p, err := platforms.OCI(tt.arch)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			c, err := builder.Dial(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			out := t.TempDir()
			start := time.Now()
			logs, err := solve(ctx, c, client.SolveOpt{
				Frontend: "dockerfile.v0",
				FrontendAttrs: map[string]string{
					"context":  url + "#" + commit,
					"platform": platforms.Format(p),
					"no-cache": "", // run the steps, do not take them from an earlier run
				},
				Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}},
			})
			if err != nil {
				t.Fatalf("building %s#%s for %s on %s: %v\n%s", url, commit, platforms.Format(p), w.Name, err, logs)
			}
			got, err := os.ReadFile(filepath.Join(out, "arch"))
			if err != nil {
				t.Fatalf("the build exported no /arch: %v", err)
			}
			if g := strings.TrimSpace(string(got)); g != tt.uname {
				t.Errorf("uname -m on worker %s for %s = %q, want %q", w.Name, tt.arch, g, tt.uname)
			}
			t.Logf("built on %s for %s in %s: uname -m = %s", w.Name, platforms.Format(p),
				time.Since(start).Round(time.Millisecond), strings.TrimSpace(string(got)))
		})
	}
}

// solve runs opt on c, returning the build's log output for failure messages.
func solve(ctx context.Context, c *client.Client, opt client.SolveOpt) ([]byte, error) {
	ch := make(chan *client.SolveStatus) // Solve closes it
	var logs bytes.Buffer
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		_, err := c.Solve(ctx, nil, opt, ch)
		return err
	})
	g.Go(func() error {
		for s := range ch {
			for _, v := range s.Vertexes {
				if v.Completed != nil {
					fmt.Fprintf(&logs, "# %s\n", v.Name)
				}
				if v.Error != "" {
					fmt.Fprintf(&logs, "# %s: ERROR %s\n", v.Name, v.Error)
				}
			}
			for _, l := range s.Logs {
				logs.Write(l.Data)
			}
		}
		return nil
	})
	err := g.Wait()
	return logs.Bytes(), err
}
