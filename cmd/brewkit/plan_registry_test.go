package main

import (
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	inproc "github.com/google/go-containerregistry/pkg/registry"

	"github.com/brewkit/brewkit/builder/farmtest"
)

// planRegistryLibrary is base (amd64, arm64v8) and app FROM base (amd64),
// from a repository on a git daemon of the test's own.
func planRegistryLibrary(t *testing.T) string {
	t.Helper()
	url, commit := farmtest.GitDaemon(t).NewRepo(t, "src", map[string]string{
		"base/Dockerfile": "FROM scratch\nCOPY Dockerfile /\n",
		"app/Dockerfile":  "FROM base\nCOPY Dockerfile /app\n",
	})
	head := maintainers + "GitRepo: " + url + "\nGitCommit: " + commit + "\n\n"
	return writeLibrary(t, map[string]string{
		"base": head + "Tags: latest\nArchitectures: amd64, arm64v8\nDirectory: base\n",
		"app":  head + "Tags: 1\nArchitectures: amd64\nDirectory: app\n",
	})
}

// registryHosts are the registries of TestPlanRegistryLookups: a working
// one, one that answers everything 401, and a closed loopback port.
func registryHosts(t *testing.T) map[string]string {
	t.Helper()
	good := httptest.NewServer(inproc.New(inproc.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(good.Close)
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="brewkit test"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
	}))
	t.Cleanup(unauthorized.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	return map[string]string{
		"good":         strings.TrimPrefix(good.URL, "http://"),
		"unauthorized": strings.TrimPrefix(unauthorized.URL, "http://"),
		"unreachable":  closed,
	}
}

// TestPlanRegistryLookups runs brewkit plan --staging on registries that
// answer, refuse (401) or cannot be reached: when lookups fail, plan
// still shows every job, with the build ids it knows and "lookup failed",
// and exits non-zero naming the staging repository and what failed.
func TestPlanRegistryLookups(t *testing.T) {
	lib := planRegistryLibrary(t)
	hosts := registryHosts(t)
	base := "base:latest (amd64)" // a job whose lookup fails, as errors name it
	tests := []struct {
		registry string
		states   map[string]string // "TAG ARCH" -> state
		errParts []string          // what the error says, besides the staging prefix
	}{
		{"good", map[string]string{"base:latest amd64": "to build", "base:latest arm64v8": "to build", "app:1 amd64": "after its parents"}, nil},
		{"unauthorized", map[string]string{"base:latest amd64": "lookup failed", "base:latest arm64v8": "lookup failed",
			"app:1 amd64": "unknown (after a failed lookup)"}, []string{"failed for 2 of 3 jobs", base, "/ns/staging-amd64:", "401 Unauthorized"}},
		{"unreachable", map[string]string{"base:latest amd64": "lookup failed", "base:latest arm64v8": "lookup failed",
			"app:1 amd64": "unknown (after a failed lookup)"}, []string{"failed for 2 of 3 jobs", base, "/ns/staging-arm64v8:", "connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.registry, func(t *testing.T) {
			t.Parallel()
			staging := hosts[tt.registry] + "/ns/staging"
			args := []string{"--library", lib, "plan", "--all", "--cache", t.TempDir(), "--staging", staging}
			out, _, err := brewkit(t, map[string]string{"HOME": t.TempDir()}, append(args, "--format", "json")...)
			checkLookupError(t, err, staging, tt.errParts)
			checkLookupStates(t, out, tt.states)
			table, _, tableErr := brewkit(t, map[string]string{"HOME": t.TempDir()}, args...)
			checkLookupError(t, tableErr, staging, tt.errParts)
			for job, state := range tt.states {
				if !hasStateRow(table, job, state) {
					t.Errorf("plan table: no row for %s with %q:\n%s", job, state, table)
				}
			}
		})
	}
}

// hasStateRow reports whether the plan table has a row for job ("TAG
// ARCH") that ends with state.
func hasStateRow(table, job, state string) bool {
	for _, l := range strings.Split(table, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[0]+" "+f[1] == job && strings.HasSuffix(l, "  "+state) {
			return true
		}
	}
	return false
}

func checkLookupError(t *testing.T, err error, staging string, parts []string) {
	t.Helper()
	if parts == nil {
		if err != nil {
			t.Errorf("brewkit plan: %v, want no error", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("brewkit plan: no error, want one naming %s and %q", staging, parts)
	}
	for _, p := range append(parts, "looking up builds in "+staging+" failed") {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("brewkit plan: error %q does not say %q", err, p)
		}
	}
}

// checkLookupStates checks the state of every job in plan --format json,
// and that a failed lookup keeps its build id and says what failed.
func checkLookupStates(t *testing.T, out string, want map[string]string) {
	t.Helper()
	var p struct {
		Jobs []struct {
			Tags        []string `json:"tags"`
			Arch        string   `json:"arch"`
			BuildID     string   `json:"buildId"`
			State       string   `json:"state"`
			LookupError string   `json:"lookupError"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan --format json: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, j := range p.Jobs {
		key := j.Tags[0] + " " + j.Arch
		got[key] = j.State
		if j.State == "lookup failed" && (len(j.BuildID) != 64 || !strings.Contains(j.LookupError, j.BuildID)) {
			t.Errorf("%s: build id %q, lookup error %q; want the build id, and an error naming it", key, j.BuildID, j.LookupError)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan --format json: states (-want +got):\n%s", diff)
	}
}
