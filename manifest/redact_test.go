package manifest

import "testing"

func TestRedactGitRepo(t *testing.T) {
	for _, tc := range []struct{ repo, want string }{
		{"https://github.com/docker-library/golang.git", "https://github.com/docker-library/golang.git"},
		{"http://user:TOKEN@host/r.git", "http://host/r.git"},
		{"https://TOKEN@github.com/o/r.git", "https://github.com/o/r.git"},
		{"https://us@er:p@ss@host:8443/r", "https://host:8443/r"},
		{"https://user:TOKEN@host", "https://host"},
		{"https://user:TOKEN@host?x=1", "https://host?x=1"},
		{"https://host/path@v1", "https://host/path@v1"},
		{"ssh://git@example.com/o/r.git", "ssh://example.com/o/r.git"},
		{"git@github.com:o/r.git", "git@github.com:o/r.git"},
		{"/srv/git/r", "/srv/git/r"},
		{"", ""},
	} {
		if got := RedactGitRepo(tc.repo); got != tc.want {
			t.Errorf("RedactGitRepo(%q) = %q, want %q", tc.repo, got, tc.want)
		}
	}
}
