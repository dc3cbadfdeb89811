package sourcetest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ServeHTTP serves the repository at dir (a work tree or a bare
// repository) over git's dumb HTTP protocol at /repo.git, to clients that
// give user and password by basic authentication, and returns the
// server's URL (http://127.0.0.1:PORT, without credentials). The server
// stops at the end of the test.
func ServeHTTP(t testing.TB, dir, user, password string) string {
	t.Helper()
	gitDir := dir
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		gitDir = filepath.Join(dir, ".git")
	}
	cmd := exec.Command("git", "--git-dir="+gitDir, "update-server-info")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git update-server-info: %v: %s", err, out)
	}
	files := http.StripPrefix("/repo.git/", http.FileServer(http.Dir(gitDir)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "who are you?", http.StatusUnauthorized)
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
