package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/brewkit/brewkit/builder/engine"
	"github.com/brewkit/brewkit/builder/farmtest"
	"github.com/brewkit/brewkit/builder/gitsource"
	"github.com/brewkit/brewkit/builder/serve"
	"github.com/brewkit/brewkit/builder/serve/auth"
	"github.com/brewkit/brewkit/builder/serve/store"
	"github.com/brewkit/brewkit/builder/serve/web"
)

// e2eToken is the token the browser gives for Retry.
const e2eToken = "bk_e2e-token"

// guards are the API's guard, with e2eToken, and a private one.
func guards(t *testing.T, log *slog.Logger) (public, private auth.Guard) {
	tokens, err := auth.ParseTokens(strings.NewReader("e2e "+auth.HashLine(e2eToken)+"\n"), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	return auth.Guard{Tokens: tokens, Logger: log}, auth.Guard{Tokens: tokens, Private: true, Logger: log}
}

// pageFixture is a daemon on the farm following an official-images
// repository of its own, and its page served to a headless Chromium.
type pageFixture struct {
	t    *testing.T
	d    *serve.Daemon
	url  string          // of the page
	priv string          // of the page of a private server of the same daemon
	ctx  context.Context // the browser tab's
	shot string          // where screenshots go
}

// newPageFixture starts the fixture. NONCE in app's file names and
// texts, and in the library's texts, is replaced by a nonce of the test.
//
// Name the Dockerfile and the nonce file after the nonce: BuildKit keeps
// the last context sent per mount name ("context", "dockerfile") and
// sends only the files whose path, size, mode or mtime changed, and the
// engine gives every file its commit's time (in tests, always
// 2024-01-01). A nonce file of the same size at the same path is not
// sent again, the last test's is built, and the build is found cached.
func newPageFixture(t *testing.T, library func(appURL, commit string) map[string]string, app map[string]string) *pageFixture {
	farm := farmtest.Require(t)
	chromium := findChromium(t)
	git := farmtest.GitDaemon(t)
	nonce := fmt.Sprint(time.Now().UnixNano())
	to := farm.Registry + "/web-" + nonce
	git.NewRepo(t, "official-images", map[string]string{"README": "test\n"})
	files := map[string]string{}
	for k, v := range app {
		files[strings.ReplaceAll(k, "NONCE", nonce)] = strings.ReplaceAll(v, "NONCE", nonce)
	}
	appURL, commit := git.NewRepo(t, "app", files)
	lib := map[string]string{}
	for name, text := range library(appURL, commit) {
		lib["library/"+name] = strings.ReplaceAll(text, "NONCE", nonce)
	}

	target, err := engine.Farm(farm.Workers, farm.Registry, to+"/staging")
	if err != nil {
		t.Fatal(err)
	}
	sources, err := gitsource.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Options{Target: target, Sources: sources, WaitForWorkers: true, Fair: true, Heartbeat: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	state := t.TempDir()
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs, err := store.NewLogs(filepath.Join(state, "logs"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	d, err := serve.New(serve.Options{Source: filepath.Join(git.Dir, "official-images"), Poll: time.Hour, Sources: sources, Engine: e,
		Store: st, Logs: logs, Publish: engine.PublishOptions{To: to}, Schedule: store.Schedule{0, time.Hour}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	public, private := guards(t, log)
	h, err := web.New(web.Options{Daemon: d, Guard: public, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	hp, err := web.New(web.Options{Daemon: d, Guard: private, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	psrv := httptest.NewServer(hp)
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		srv.Close()
		psrv.Close()
	})
	git.Commit(t, "official-images", lib)
	d.Sync()

	f := &pageFixture{t: t, d: d, url: srv.URL, priv: psrv.URL, shot: artifacts(t)}
	f.ctx = browser(t, chromium)
	return f
}

// findChromium is the browser hack/farm installs.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("BREWKIT_E2E=1 but no chromium on PATH: hack/farm up installs it (apt-get install -y chromium)")
	return ""
}

// browser starts a headless Chromium of its own, offline-friendly, and
// returns a tab's context; t.Cleanup stops it.
func browser(t *testing.T, path string) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, // --headless, and scrollbars hidden
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// artifacts is the directory the test's screenshots go to:
// $BREWKIT_ARTIFACTS, or testdata-out in the package's directory.
func artifacts(t *testing.T) string {
	dir := os.Getenv("BREWKIT_ARTIFACTS")
	if dir == "" {
		dir = "testdata-out"
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run runs browser actions, for a minute at most.
func (f *pageFixture) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

// eval is the value of a JavaScript expression on the page.
func eval[T any](f *pageFixture, expr string) T {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		f.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// click clicks the element of a JavaScript expression once there is
// one. The page's live parts are replaced every 2 s: the element is
// found and clicked in one step.
func (f *pageFixture) click(what, elem string) {
	f.t.Helper()
	f.waitJS(what, fmt.Sprintf(`(() => { const e = %s; if (!e) return false; e.click(); return true })()`, elem), time.Minute)
}

// waitJS waits, without reloading the page, until a JavaScript
// expression is true.
func (f *pageFixture) waitJS(what, expr string, within time.Duration) {
	f.t.Helper()
	deadline := time.Now().Add(within)
	for !eval[bool](f, expr) {
		if time.Now().After(deadline) {
			f.screenshot("failed")
			f.logJobs()
			f.t.Fatalf("waiting for %s (%s): gave up after %v", what, expr, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// logJobs logs every job and its log, to tell why a wait failed.
func (f *pageFixture) logJobs() {
	jobs, err := f.d.Jobs(store.JobFilter{})
	if err != nil {
		f.t.Log(err)
		return
	}
	for _, j := range jobs {
		f.t.Logf("job %+v", j)
		resp, err := http.Get(f.url + "/api/v1/jobs/" + j.ID + "/log")
		if err != nil {
			f.t.Log(err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f.t.Logf("its log:\n%s", body)
	}
}

// screenshot writes the whole page as a PNG into the artifacts.
func (f *pageFixture) screenshot(name string) string {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, time.Minute)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		f.t.Fatalf("a screenshot: %v", err)
	}
	path := filepath.Join(f.shot, fmt.Sprintf("%s-%s.png", f.t.Name(), name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		f.t.Fatal(err)
	}
	f.t.Logf("screenshot: %s", path)
	return path
}

// job is a job of the daemon by its first tag.
func (f *pageFixture) job(tag string) serve.Job {
	f.t.Helper()
	jobs, err := f.d.Jobs(store.JobFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, j := range jobs {
		if len(j.Tags) > 0 && j.Tags[0] == tag {
			return j
		}
	}
	return serve.Job{}
}

// row is the JavaScript selector of the job table's row of tag.
func row(tag string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("#jobs tbody tr[data-job]")].find(r => r.querySelector("a.job-link").textContent.trim() === %q)`, tag)
}

// TestE2EPage opens the page of a daemon building on the farm: the job
// table lists the jobs; the log of a running job grows on screen without
// a reload; Retry, without a token then with one, requeues a failed job;
// the page fits 1280 and 390 px wide screens; a private server's page
// shows nothing before the token, then the jobs and a log.
func TestE2EPage(t *testing.T) {
	busybox := string(farmtest.Busybox(t, "amd64"))
	app := map[string]string{
		"slow/Dockerfile.NONCE": "FROM scratch\nCOPY busybox /bin/busybox\nCOPY nonce.NONCE /nonce\n" +
			`RUN ["/bin/busybox", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do echo brewkit-line-$i; /bin/busybox sleep 1; done"]` + "\n",
		"slow/busybox": busybox, "slow/nonce.NONCE": "NONCE",
		"bad/Dockerfile.NONCE": "FROM scratch\nCOPY busybox /bin/busybox\nCOPY nonce.NONCE /nonce\n" +
			`RUN ["/bin/busybox", "sh", "-c", "echo brewkit-about-to-fail; exit 3"]` + "\n",
		"bad/busybox": busybox, "bad/nonce.NONCE": "NONCE",
	}
	f := newPageFixture(t, func(url, commit string) map[string]string {
		entry := "Maintainers: x <x@example.com> (@x)\nGitRepo: %s\nGitCommit: %s\n\nTags: 1\nArchitectures: amd64\nDirectory: %s\nFile: Dockerfile.NONCE\n"
		return map[string]string{"slow": fmt.Sprintf(entry, url, commit, "slow"), "bad": fmt.Sprintf(entry, url, commit, "bad")}
	}, app)

	// The job table lists the jobs, the page updating itself.
	f.run("opening the page", chromedp.Navigate(f.url+"/"), chromedp.WaitVisible(chromedp.CSS("#live-top")),
		chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))
	f.waitJS("the job table to list slow:1 and bad:1", row("slow:1")+" !== undefined && "+row("bad:1")+" !== undefined", 2*time.Minute)

	// The running job's log grows on screen.
	f.waitJS("slow:1 running", row("slow:1")+`?.dataset.state === "running"`, 2*time.Minute)
	f.click("showing slow:1", row("slow:1")+`?.querySelector("a.job-link")`)
	lines := `(document.getElementById("log").textContent.match(/brewkit-line-\d+/g) || []).length`
	f.waitJS("the log to show a line", lines+" >= 1", time.Minute)
	first := eval[int](f, lines)
	f.waitJS("the log to grow", fmt.Sprintf("%s > %d", lines, first), time.Minute)
	if !eval[bool](f, `window.notReloaded === true`) || f.job("slow:1").State != serve.StateRunning {
		t.Fatalf("the log grew, but the page was reloaded or the job is no longer running (%s)", f.job("slow:1").State)
	}
	t.Logf("the log grew from %d to %d lines while slow:1 ran", first, eval[int](f, lines))
	f.screenshot("1280-log")

	// A failed job: Retry without a token says so, with one requeues it.
	f.waitJS("bad:1 in backoff", row("bad:1")+`?.dataset.state === "backoff"`, 2*time.Minute)
	failedAt := f.job("bad:1").End
	if failedAt == nil {
		t.Fatal("bad:1 in backoff has no end time")
	}
	retry := row("bad:1") + `?.querySelector('button[data-action="retry"]')`
	f.click("Retry without a token", retry)
	f.waitJS("a 401 notice", `!document.getElementById("notice").hidden && document.getElementById("notice").textContent.includes("401")`, 30*time.Second)
	f.run("giving a token",
		chromedp.SendKeys(chromedp.CSS("#token"), e2eToken),
		chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)))
	f.click("Retry with a token", retry)
	f.waitJS("an accepted notice", `document.getElementById("notice").textContent.includes("accepted")`, 30*time.Second)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		j := f.job("bad:1")
		if j.End != nil && j.End.After(*failedAt) && j.State == serve.StateBackoff {
			t.Logf("bad:1 was built again after Retry: it failed again at %s", j.End)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("bad:1 was not built again after Retry: %+v", j)
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.waitJS("the page to show bad:1's new attempt", row("bad:1")+`?.dataset.state === "backoff"`, time.Minute)

	// The last run's timeline: its jobs' bars are drawn (the page's CSP
	// allows no inline style; the bars are SVG).
	f.waitJS("the last run's timeline", `(() => { const r = document.querySelector("#live-timeline rect.bar"); return !!r && r.getBBox().width > 10 })()`, time.Minute)

	// Both widths: nothing wider than the screen; at 390 px the job table's
	// rows are cards that fit.
	f.run("1280 px", chromedp.EmulateViewport(1280, 900))
	if !eval[bool](f, `document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
		t.Error("at 1280 px the page is wider than the screen")
	}
	f.screenshot("1280")
	f.run("390 px", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)))
	f.waitJS("the layout at 390 px", `document.documentElement.clientWidth === 390`, 10*time.Second)
	if w := eval[[]int](f, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); w[0] > w[1] {
		t.Errorf("at 390 px the page is %d px wide, wider than the screen (%d)", w[0], w[1])
	}
	readable := `[...document.querySelectorAll("#jobs tbody tr[data-job]")].every(r => {
		const b = r.getBoundingClientRect();
		return b.left >= 0 && b.right <= document.documentElement.clientWidth && getComputedStyle(r.cells[0]).display === "flex";
	})`
	if !eval[bool](f, readable) {
		t.Error("at 390 px the job table's rows are not cards within the screen")
	}
	f.screenshot("390")

	// A private server: the page shows a token field only, then, with the
	// token, the jobs and a job's log, streamed with the token.
	f.run("opening the private page", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(f.priv+"/"),
		chromedp.WaitVisible(chromedp.CSS("#live-top")))
	if !eval[bool](f, `document.body.textContent.includes("A private server") && !document.querySelector("#jobs")`) {
		t.Fatal("a private server's page shows the daemon's state without a token")
	}
	f.run("giving the private page a token",
		chromedp.SendKeys(chromedp.CSS("#token"), e2eToken),
		chromedp.Click(chromedp.CSS(`#token-form button[type="submit"]`)))
	f.waitJS("the private page to list the jobs", row("slow:1")+" !== undefined && "+row("bad:1")+" !== undefined", time.Minute)
	f.click("showing bad:1", row("bad:1")+`?.querySelector("a.job-link")`)
	f.waitJS("bad:1's log, streamed with the token", `document.getElementById("log").textContent.includes("brewkit-about-to-fail")`, time.Minute)
	f.screenshot("private")
}

// testLog writes a daemon's log to the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
