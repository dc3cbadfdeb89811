package record

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/brewkit/brewkit/scheduler"
)

func TestFromReport(t *testing.T) {
	got := FromReport(testReport())
	if got.BrewkitVersion != brewkitVersion() {
		t.Errorf("BrewkitVersion = %q, want the build information's %q", got.BrewkitVersion, brewkitVersion())
	}
	got.BrewkitVersion = ""
	if diff := cmp.Diff(testRecord(), got); diff != "" {
		t.Errorf("FromReport (-want +got):\n%s", diff)
	}
}

// TestRoundTrip writes a record and reads it back; every field of a Job
// is set in some job of the fixture, so every field is compared.
func TestRoundTrip(t *testing.T) {
	rec := testRecord()
	rec.BrewkitVersion = "v1.2.3"
	checkEveryField(t, rec.Jobs)
	var buf bytes.Buffer
	if err := rec.Write(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}
}

// checkEveryField fails unless each field of Job is set in some job.
func checkEveryField(t *testing.T, jobs []Job) {
	t.Helper()
	typ := reflect.TypeFor[Job]()
	for i := range typ.NumField() {
		set := false
		for _, j := range jobs {
			set = set || !reflect.ValueOf(j).Field(i).IsZero()
		}
		if !set {
			t.Errorf("no job of the fixture sets %s: the round trip does not check it", typ.Field(i).Name)
		}
	}
}

// TestReportFromRecord checks that the report a record gives back is the
// one it was made from: the jobs, their FROMs linked to the jobs that
// built them, their results and errors (the sentinel of a job with no
// worker kept). A job's planning error comes back as its outcome's only.
func TestReportFromRecord(t *testing.T) {
	want := testReport()
	var buf bytes.Buffer
	if err := FromReport(want).Write(&buf); err != nil {
		t.Fatal(err)
	}
	rec, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rec.Report()
	if err != nil {
		t.Fatal(err)
	}
	sameError := cmp.Comparer(func(a, b error) bool {
		return (a == nil) == (b == nil) && (a == nil || a.Error() == b.Error() &&
			errors.Is(a, scheduler.ErrNoWorker) == errors.Is(b, scheduler.ErrNoWorker))
	})
	opts := cmp.Options{sameError, cmpopts.IgnoreUnexported(scheduler.Job{}), cmpopts.IgnoreFields(scheduler.Job{}, "Err")}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("report read back (-want +got):\n%s", diff)
	}
	if err := got.Err(); err == nil || err.Error() != want.Err().Error() {
		t.Errorf("Err() = %v, want %v (the no-worker job is no failure)", err, want.Err())
	}
}

// TestNoCredential: a record holds no credential, whether it comes from
// a report whose repository and errors have one or is made by hand.
func TestNoCredential(t *testing.T) {
	const secret = "hunter2"
	report := testReport()
	o := report.Outcomes[4]
	o.Job.Source.GitRepo = "https://ci:" + secret + "@git.example/app.git"
	o.Err = fmt.Errorf("fetching %s: fatal: unable to access 'https://ci:%s@git.example/app.git/': 403; and from ssh://deploy:%s@mirror.example/app", o.Job.Source.GitRepo, secret, secret)
	rec := FromReport(report)
	if j := rec.Jobs[4]; strings.Contains(j.Source.GitRepo+j.Error, secret) {
		t.Errorf("FromReport kept the credential: %s; %s", j.Source.GitRepo, j.Error)
	}
	if want := "fetching https://git.example/app.git: fatal: unable to access 'https://git.example/app.git/': 403; and from ssh://mirror.example/app"; rec.Jobs[4].Error != want {
		t.Errorf("error %q, want %q", rec.Jobs[4].Error, want)
	}
	byHand := testRecord()
	byHand.Jobs[0].Source.GitRepo = "https://ci:" + secret + "@git.example/base.git"
	byHand.Jobs[0].Error = "cloning https://ci:" + secret + "@git.example/base.git: denied"
	for name, r := range map[string]Record{"FromReport": rec, "by hand": byHand} {
		var buf bytes.Buffer
		if err := r.Write(&buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), secret) {
			t.Errorf("%s: the record written holds the credential:\n%s", name, buf.String())
		}
	}
}
