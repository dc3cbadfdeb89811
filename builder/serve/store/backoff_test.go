package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

func TestBackoffs(t *testing.T) {
	s := openTest(t)
	a := Backoff{BuildID: "b1", Arch: "amd64", Count: 1, First: testTime(1), Last: testTime(1), Next: testTime(1), Err: "exit 1"}
	b := Backoff{BuildID: "b1", Arch: "arm64v8", Count: 4, First: testTime(1), Last: testTime(6), Next: testTime(10), Err: "timeout"}
	c := Backoff{BuildID: "b0", Arch: "s390x", Count: 2}
	for _, x := range []Backoff{b, a, c} {
		if err := s.PutBackoff(x); err != nil {
			t.Fatal(err)
		}
	}
	got, found, err := s.Backoff("b1", "arm64v8")
	if err != nil || !found {
		t.Fatalf("Backoff(b1, arm64v8): found %v, %v", found, err)
	}
	if d := cmp.Diff(b, got); d != "" {
		t.Errorf("Backoff(b1, arm64v8) (-want +got):\n%s", d)
	}
	a.Count, a.Last = 2, testTime(2)
	if err := s.PutBackoff(a); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearBackoff("b1", "arm64v8"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearBackoff("b9", "amd64"); err != nil {
		t.Errorf("clearing a backoff that does not exist: %v", err)
	}
	if _, found, err := s.Backoff("b1", "arm64v8"); found || err != nil {
		t.Errorf("Backoff after ClearBackoff: found %v, %v", found, err)
	}
	all, err := s.Backoffs()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Backoff{c, a}, all); d != "" {
		t.Errorf("Backoffs (-want +got):\n%s", d)
	}
}

func TestBackoffKeysDoNotCollide(t *testing.T) {
	s := openTest(t)
	x := Backoff{BuildID: "ab", Arch: "c", Count: 1}
	y := Backoff{BuildID: "a", Arch: "bc", Count: 2}
	if err := s.PutBackoff(x); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBackoff(y); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.Backoff("ab", "c"); err != nil || got.Count != 1 {
		t.Errorf("Backoff(ab, c) = %+v, %v; want count 1", got, err)
	}
}

func TestPutBackoffRefusesBadBuildIDs(t *testing.T) {
	s := openTest(t)
	for _, id := range []string{"", "a\x00b"} {
		if err := s.PutBackoff(Backoff{BuildID: id, Arch: "amd64"}); err == nil {
			t.Errorf("PutBackoff with build id %q succeeded", id)
		}
	}
}

// Clearing a backoff that does not exist writes nothing: no transaction
// is committed.
func TestClearBackoffWithoutOne(t *testing.T) {
	s := openTest(t)
	if err := s.PutBackoff(Backoff{BuildID: "b1", Arch: "amd64", Count: 1}); err != nil {
		t.Fatal(err)
	}
	txid := func() int {
		var id int
		if err := s.db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
			t.Fatal(err)
		}
		return id
	}
	before := txid()
	for _, arch := range []string{"arm64v8", "s390x"} {
		if err := s.ClearBackoff("b1", arch); err != nil {
			t.Fatal(err)
		}
	}
	if after := txid(); after != before {
		t.Errorf("clearing backoffs that do not exist committed %d transactions", after-before)
	}
	if err := s.ClearBackoff("b1", "amd64"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Backoff("b1", "amd64"); found || err != nil || txid() != before+1 {
		t.Errorf("after clearing an existing backoff: found %v, err %v, %d transactions", found, err, txid()-before)
	}
}
