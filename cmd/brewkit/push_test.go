package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/brewkit/brewkit/platforms"
	"github.com/brewkit/brewkit/scheduler"
	"github.com/brewkit/brewkit/scheduler/record"
)

// stageRandom pushes a random image for arch to host/stage/staging-ARCH.
func stageRandom(t *testing.T, host, arch string) string {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := platforms.OCI(arch)
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	ref, _ := name.NewTag(host + "/stage/staging-" + arch + ":build")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	return ref.Context().Digest(d.String()).String()
}

// pushReport is a build of two entries sharing "latest": foo:1 (amd64,
// arm64v8) and foo:2 (s390x, failed, and ppc64le, which no worker builds).
func pushReport(t *testing.T, host string) *scheduler.Report {
	t.Helper()
	a := scheduler.Origin{File: "library/foo", Line: 3, Repo: "foo", Tag: "1", Tags: []string{"1"}, SharedTags: []string{"latest"}}
	b := scheduler.Origin{File: "library/foo", Line: 8, Repo: "foo", Tag: "2", Tags: []string{"2"}, SharedTags: []string{"latest"}}
	out := func(arch string, status scheduler.Status, err error, o scheduler.Origin) *scheduler.Outcome {
		p, _ := platforms.OCI(arch)
		j := &scheduler.Job{ID: "src/" + arch, Arch: arch, Platform: platforms.Format(p), Origins: []scheduler.Origin{o},
			Tags: []string{"foo:" + o.Tag, "foo:latest"}}
		res := scheduler.Result{}
		if status == scheduler.Built {
			res.Ref = stageRandom(t, host, arch)
			res.Digest, res.BuildID = strings.SplitN(res.Ref, "@", 2)[1], "build-"+arch
		}
		return &scheduler.Outcome{Job: j, Status: status, Err: err, Result: res}
	}
	return &scheduler.Report{Start: time.Unix(0, 0), End: time.Unix(10, 0), Outcomes: []*scheduler.Outcome{
		out("amd64", scheduler.Built, nil, a),
		out("arm64v8", scheduler.Built, nil, a),
		out("s390x", scheduler.Failed, fmt.Errorf("RUN failed"), b),
		out("ppc64le", scheduler.Skipped, fmt.Errorf("ppc64le: %w natively", scheduler.ErrNoWorker), b),
	}}
}

// TestMetadataFileRoundTrip writes a build's --metadata-file and reads it
// back as push does: the build record of the report, with each job's
// origins, status, image and error (a job with no worker still wrapping
// scheduler.ErrNoWorker).
func TestMetadataFileRoundTrip(t *testing.T) {
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	r := pushReport(t, strings.TrimPrefix(reg.URL, "http://"))
	file := filepath.Join(t.TempDir(), "build.json")
	if err := writeMetadataFile(file, r); err != nil {
		t.Fatal(err)
	}
	rec, err := record.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if rec.SchemaVersion != record.Version {
		t.Errorf("schema version %d, want %d", rec.SchemaVersion, record.Version)
	}
	got, err := rec.Report()
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Arch, Status, Ref string
		Origins           []scheduler.Origin
		Err               string
		NoWorker          bool
	}
	project := func(r *scheduler.Report) []view {
		var out []view
		for _, o := range r.Outcomes {
			v := view{Arch: o.Job.Arch, Status: o.Status.String(), Ref: o.Result.Ref, Origins: o.Job.Origins, NoWorker: errors.Is(o.Err, scheduler.ErrNoWorker)}
			if o.Err != nil {
				v.Err = o.Err.Error()
			}
			out = append(out, v)
		}
		return out
	}
	if diff := cmp.Diff(project(r), project(got)); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

// TestPush runs brewkit push over a build record and an in-process
// registry: a dry run, a publish, a publish with nothing to do, and a
// partial one.
func TestPush(t *testing.T) {
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	file := filepath.Join(t.TempDir(), "build.json")
	if err := writeMetadataFile(file, pushReport(t, host)); err != nil {
		t.Fatal(err)
	}
	push := func(args ...string) (string, error) {
		out, stderr, err := brewkit(t, testEnv(), append([]string{"push", "--to", host + "/lib", "--metadata-file", file}, args...)...)
		if stderr != "" {
			t.Errorf("stderr: %s", stderr)
		}
		return regexp.MustCompile(`sha256:[0-9a-f]{64}`).ReplaceAllString(regexp.MustCompile(` +`).ReplaceAllString(out, " "), "DIGEST"), err
	}
	blocked := "blocked " + host + "/lib/foo:2 - missing s390x (failed)\n" +
		"blocked " + host + "/lib/foo:latest - missing s390x (failed)\n"
	steps := []struct {
		args    []string
		want    string // stdout with digests and times masked
		wantErr string
	}{{
		args: []string{"--dry-run"},
		want: "would write " + host + "/lib/foo:1 DIGEST linux/amd64, linux/arm64/v8\n" + blocked +
			"1 would write, 0 up to date, 2 blocked, 0 failed in TIME\n",
		wantErr: "2 index(es) blocked",
	}, {
		want:    "written " + host + "/lib/foo:1 DIGEST linux/amd64, linux/arm64/v8\n" + blocked + "1 written, 0 up to date, 2 blocked, 0 failed in TIME\n",
		wantErr: "2 index(es) blocked",
	}, {
		want:    "up to date " + host + "/lib/foo:1 DIGEST linux/amd64, linux/arm64/v8\n" + blocked + "0 written, 1 up to date, 2 blocked, 0 failed in TIME\n",
		wantErr: "2 index(es) blocked",
	}, {
		args: []string{"--partial", "--arch-namespace", "arm64v8=arm64v8"},
		want: "up to date " + host + "/lib/foo:1 DIGEST linux/amd64, linux/arm64/v8\n" +
			"written " + host + "/arm64v8/foo:1 DIGEST linux/arm64/v8\n" +
			"blocked " + host + "/lib/foo:2 - missing s390x (failed)\n" +
			"written " + host + "/lib/foo:latest DIGEST linux/amd64, linux/arm64/v8; partial, without s390x (failed)\n" +
			"written " + host + "/arm64v8/foo:latest DIGEST linux/arm64/v8\n" +
			"3 written, 1 up to date, 1 blocked, 0 failed in TIME\n",
		wantErr: "1 index(es) blocked",
	}}
	for i, s := range steps {
		out, err := push(s.args...)
		out = regexp.MustCompile(`in [0-9.]+m?s\n`).ReplaceAllString(out, "in TIME\n")
		if diff := cmp.Diff(s.want, out); diff != "" {
			t.Errorf("step %d %v: stdout (-want +got):\n%s", i, s.args, diff)
		}
		if err == nil || !strings.HasPrefix(err.Error(), s.wantErr) {
			t.Errorf("step %d %v: error %v, want %q", i, s.args, err, s.wantErr)
		}
	}
}

func TestPushUsage(t *testing.T) {
	for _, args := range [][]string{{"push"}, {"push", "--to", "x/y"}, {"push", "--metadata-file", "f"}} {
		if _, _, err := brewkit(t, testEnv(), args...); err == nil || !strings.Contains(err.Error(), "--to REGISTRY/NAMESPACE and --metadata-file") {
			t.Errorf("%v: error %v", args, err)
		}
	}
	file := filepath.Join(t.TempDir(), "old.json")
	writeFile(t, file, `{"jobs":[{"id":"x","arch":"amd64","status":"built","image":"r/s@sha256:00"}]}`)
	if _, _, err := brewkit(t, testEnv(), "push", "--to", "r/ns", "--metadata-file", file); err == nil || !strings.Contains(err.Error(), "has no entries: written by an older brewkit build") {
		t.Errorf("record without entries: error %v", err)
	}
}
