package publish

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/brewkit/brewkit/scheduler"
)

// TestPublishTagConflict publishes the library with one more entry that
// gives the shared tag foo:latest a second amd64 image: foo:latest fails,
// naming both entries, and is not written; every other index is.
func TestPublishTagConflict(t *testing.T) {
	reg := newTestRegistry(t)
	jobs := library(t, reg.host)
	extra := origin("foo", 20, []string{"3"}, "latest")
	jobs = append(jobs, job{arch: "amd64", status: scheduler.Built, ref: stage(t, reg.host, "amd64", ociManifest, 7), origins: []scheduler.Origin{extra}})
	ts := targets(t, jobs, Options{To: reg.host + "/lib"})
	s, err := newPublisher(t).Publish(t.Context(), ts)
	var conflict scheduler.TagConflict
	if !errors.As(err, &conflict) || conflict.Repo != "foo" || conflict.Tag != "latest" || conflict.Arch != "amd64" {
		t.Errorf("Publish: %v; want a TagConflict of foo:latest for amd64", err)
	}
	var want, got []string
	for _, tg := range ts {
		action := "written "
		if strings.HasSuffix(tg.Ref, "/foo:latest") {
			action = "failed "
		}
		want = append(want, action+tg.Ref)
	}
	for _, r := range s.Results {
		got = append(got, r.Action.String()+" "+r.Target.Ref)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Publish (-want +got):\n%s", diff)
	}
	ref, err := name.ParseReference(reg.host + "/lib/foo:latest")
	if err != nil {
		t.Fatal(err)
	}
	var terr *transport.Error
	if _, err := remote.Head(ref); !errors.As(err, &terr) || terr.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD %s: %v, want 404: the failed index is not written", ref, err)
	}
}
