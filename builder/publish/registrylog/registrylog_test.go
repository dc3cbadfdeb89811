package registrylog

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestChildrenFirst(t *testing.T) {
	index := []byte(`{"manifests":[{"digest":"sha256:aa"},{"digest":"sha256:bb"}]}`)
	put := func(path string, status int, body []byte) Request {
		return Request{Method: http.MethodPut, Path: path, Status: status, Body: body}
	}
	head := func(path string, status int) Request {
		return Request{Method: http.MethodHead, Path: path, Status: status}
	}
	good := []Request{head("/v2/lib/x/manifests/sha256:aa", 200), put("/v2/lib/x/manifests/sha256:bb", 201, nil), put("/v2/lib/x/manifests/latest", 201, index)}
	if p := ChildrenFirst(good); len(p) != 0 {
		t.Errorf("children first: %v", p)
	}
	bad := []Request{head("/v2/lib/x/manifests/sha256:aa", 404), put("/v2/lib/x/manifests/latest", 201, index), put("/v2/lib/x/manifests/sha256:bb", 201, nil)}
	if p := ChildrenFirst(bad); len(p) != 2 || !strings.Contains(p[0], "lib/x:latest was written before sha256:aa") {
		t.Errorf("index first: %v", p)
	}
}

func TestLogWrapAndWrites(t *testing.T) {
	var log Log
	srv := httptest.NewServer(log.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.WriteHeader(http.StatusCreated)
		}
	})))
	defer srv.Close()
	http.Head(srv.URL + "/v2/a/manifests/1")
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/v2/a/manifests/1", strings.NewReader("{}"))
	http.DefaultClient.Do(req)
	reqs := log.Snapshot()
	if len(reqs) != 2 || string(reqs[1].Body) != "{}" || reqs[1].Status != 201 {
		t.Fatalf("%v", reqs)
	}
	if w := Writes(reqs); len(w) != 1 || !strings.HasPrefix(w[0], "PUT /v2/a/manifests/1") {
		t.Errorf("writes %v", w)
	}
	if len(log.Snapshot()) != 0 {
		t.Error("Snapshot did not forget")
	}
}
