package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/builder/registrytest"
)

// TestRemoteArches runs brewkit remote arches against an in-process
// registry that requires basic auth, with the credentials in a Docker
// config file: an index of amd64, arm64 (v8 added), an attestation
// (no bashbrew architecture) and a member whose platform only its config
// gives, and a single image.
func TestRemoteArches(t *testing.T) {
	host, user, pass := authRegistry(t)
	index, digests := pushArchesIndex(t, host+"/ext/img:1")
	single := pushImage(t, host+"/ext/single:latest", v1.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.1"})

	config := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	if err := os.WriteFile(filepath.Join(config, "config.json"), fmt.Appendf(nil, `{"auths":{%q:{"auth":%q}}}`, host, auth), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", config) // authn.DefaultKeychain reads it

	tests := []struct {
		name string
		args []string
		want string
	}{{
		name: "index, text",
		args: []string{"remote", "arches", host + "/ext/img:1"},
		want: fmt.Sprintf("%s/ext/img:1 -> %s\n  amd64 -> %s\n  arm64v8 -> %s\n  s390x -> %s\n", host, index, digests[0], digests[1], digests[3]),
	}, {
		name: "single image, latest added",
		args: []string{"remote", "arches", host + "/ext/single"},
		want: fmt.Sprintf("%s/ext/single:latest -> %s\n  windows-amd64 -> %s\n", host, single, single),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := brewkit(t, testEnv(), tt.args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if out != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		out, stderr, err := brewkit(t, testEnv(), "remote", "arches", "--json", host+"/ext/img:1")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		want := fmt.Sprintf(`{"ref":"%s/ext/img:1","desc":{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"%s","size":`, host, index)
		if !strings.HasPrefix(out, want) || !strings.HasSuffix(out, "}\n") || strings.Count(out, "\n") != 1 {
			t.Fatalf("got %s, want it to start with %s", out, want)
		}
		var got struct {
			Arches map[string][]struct {
				Digest   string `json:"digest"`
				Platform struct {
					OS           string `json:"os"`
					Architecture string `json:"architecture"`
					Variant      string `json:"variant"`
				} `json:"platform"`
			} `json:"arches"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if a := got.Arches["arm64v8"]; len(a) != 1 || a[0].Platform.Variant != "v8" || a[0].Digest != digests[1].String() {
			t.Errorf("arm64v8: got %+v, want %s with variant v8", a, digests[1])
		}
		if len(got.Arches) != 3 {
			t.Errorf("arches: got %v, want amd64, arm64v8, s390x", got.Arches)
		}
	})

	t.Run("no credentials", func(t *testing.T) {
		t.Setenv("DOCKER_CONFIG", t.TempDir())
		_, _, err := brewkit(t, testEnv(), "remote", "arches", host+"/ext/img:1")
		if err == nil || !strings.Contains(err.Error(), "ext/img:1") {
			t.Fatalf("got %v, want an error naming the image", err)
		}
	})
}

// basicAuth is what authRegistry wants.
var basicAuth = &authn.Basic{Username: "fixture", Password: "s3cret"}

// authRegistry serves an in-process registry that wants basic auth.
func authRegistry(t *testing.T) (host, user, pass string) {
	t.Helper()
	user, pass = basicAuth.Username, basicAuth.Password
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), user, pass
}

// platformImage is a random image whose config says p.
func platformImage(t *testing.T, p v1.Platform) v1.Image {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant, cf.OSVersion = p.OS, p.Architecture, p.Variant, p.OSVersion
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func pushImage(t *testing.T, ref string, p v1.Platform) v1.Hash {
	t.Helper()
	img := platformImage(t, p)
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, remote.WithAuth(basicAuth)); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pushArchesIndex pushes an index of amd64, arm64 (no variant), an
// unknown/unknown attestation and a member without a platform (its
// config: s390x), and returns its digest and its members'.
func pushArchesIndex(t *testing.T, ref string) (v1.Hash, []v1.Hash) {
	t.Helper()
	members := []struct {
		config v1.Platform
		desc   *v1.Platform
	}{
		{v1.Platform{OS: "linux", Architecture: "amd64"}, &v1.Platform{OS: "linux", Architecture: "amd64"}},
		{v1.Platform{OS: "linux", Architecture: "arm64"}, &v1.Platform{OS: "linux", Architecture: "arm64"}},
		{v1.Platform{OS: "unknown", Architecture: "unknown"}, &v1.Platform{OS: "unknown", Architecture: "unknown"}},
		{v1.Platform{OS: "linux", Architecture: "s390x"}, nil},
	}
	var idx v1.ImageIndex = empty.Index
	var digests []v1.Hash
	for _, m := range members {
		img := platformImage(t, m.config)
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: m.desc}})
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx, remote.WithAuth(basicAuth)); err != nil {
		t.Fatal(err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d, digests
}

// TestRemoteArchesDockerHubProxy runs brewkit remote arches on Docker Hub
// images with $DOCKERHUB_PUBLIC_PROXY at an in-process registry holding
// them: they are found there, and named on docker.io, as bashbrew prints
// them.
func TestRemoteArchesDockerHubProxy(t *testing.T) {
	proxy := registrytest.Serve(t)
	index, err := registrytest.Push(t.Context(), proxy+"/fixture/img:1", []string{"amd64", "arm64v8"})
	if err != nil {
		t.Fatal(err)
	}
	library, err := registrytest.Push(t.Context(), proxy+"/library/busybox:latest", []string{"s390x"})
	if err != nil {
		t.Fatal(err)
	}
	im, err := remote.Index(mustParse(t, proxy+"/fixture/img:1"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := im.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	amd, arm := m.Manifests[0].Digest, m.Manifests[1].Digest

	tests := []struct {
		name, proxy string
		args        []string
		want        string // the output, or with wantErr a part of the error
		wantErr     bool
	}{
		{name: "namespaced", proxy: "http://" + proxy, args: []string{"fixture/img:1"},
			want: fmt.Sprintf("docker.io/fixture/img:1 -> %s\n  amd64 -> %s\n  arm64v8 -> %s\n", index, amd, arm)},
		{name: "by digest, the proxy under a path /", proxy: "http://" + proxy + "/", args: []string{"docker.io/fixture/img:1@" + index.String()},
			want: fmt.Sprintf("docker.io/fixture/img:1@%s -> %s\n  amd64 -> %s\n  arm64v8 -> %s\n", index, index, amd, arm)},
		{name: "library, latest added", proxy: "http://" + proxy, args: []string{"busybox"},
			want: fmt.Sprintf("docker.io/library/busybox:latest -> %s\n  s390x -> %s\n", library, library)},
		{name: "json", proxy: "http://" + proxy, args: []string{"--json", "fixture/img:1"},
			want: fmt.Sprintf(`{"ref":"docker.io/fixture/img:1","desc":{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"%s"`, index)},
		{name: "no URL", proxy: proxy, args: []string{"fixture/img:1"}, wantErr: true, want: "$DOCKERHUB_PUBLIC_PROXY: the Docker Hub proxy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv()
			env["DOCKERHUB_PUBLIC_PROXY"] = tt.proxy
			out, stderr, err := brewkit(t, env, append([]string{"remote", "arches"}, tt.args...)...)
			switch {
			case tt.wantErr:
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("got %v, want an error with %q", err, tt.want)
				}
			case err != nil:
				t.Fatalf("%v\n%s", err, stderr)
			case !strings.HasPrefix(out, tt.want) || (out != tt.want && !strings.HasPrefix(tt.want, "{")):
				t.Errorf("got:\n%s\nwant:\n%s", out, tt.want)
			}
		})
	}
}

func mustParse(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
