package workers_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/brewkit/brewkit/scheduler/workers"
)

func TestParseFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    workers.Worker
		wantErr string
	}{
		{
			in:   "amd64=unix:///run/bk.sock",
			want: workers.Worker{Name: "amd64", Address: "unix:///run/bk.sock", Arches: []string{"amd64"}},
		},
		{
			in:   " amd64 , i386 = tcp://127.0.0.1:1234 ",
			want: workers.Worker{Name: "amd64+i386", Address: "tcp://127.0.0.1:1234", Arches: []string{"amd64", "i386"}},
		},
		{in: "unix:///run/bk.sock", wantErr: `worker "unix:///run/bk.sock": want ARCH[,ARCH...]=ADDRESS`},
		{in: "=tcp://h:1", wantErr: `worker "=tcp://h:1": no arch before '='`},
		{in: "amd64=", wantErr: `worker "amd64=": address is empty`},
		{in: "arm64=tcp://h:1", wantErr: `worker "arm64=tcp://h:1": arches: unknown architecture "arm64" (known: `},
		{in: "amd64,=tcp://h:1", wantErr: `unknown architecture ""`},
		{in: "amd64=unix://rel.sock", wantErr: `not absolute`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := workers.ParseFlag(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFlag(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFlag(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseFlag(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// FuzzParseFlag checks that ParseFlag never panics, that what it accepts is
// valid and named after its arches, and that formatting it back parses to the
// same worker.
func FuzzParseFlag(f *testing.F) {
	for _, s := range []string{
		"amd64=unix:///run/bk.sock", "amd64,i386=tcp://127.0.0.1:1234", "arm64v8=tcp://[::1]:1",
		"=", "a=b=c", "amd64=tcp://h:65536", "amd64=unix://", ",,=tcp://h:1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := workers.ParseFlag(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Errorf("ParseFlag(%q) error %q does not quote the input", s, err)
			}
			return
		}
		if err := workers.Validate([]workers.Worker{w}); err != nil {
			t.Fatalf("ParseFlag(%q) = %+v, which Validate rejects: %v", s, w, err)
		}
		if w.Name != workers.DefaultName(w.Arches) || w.Concurrency != 0 || w.TLS != nil {
			t.Fatalf("ParseFlag(%q) = %+v, want the default name and concurrency, no TLS", s, w)
		}
		again, err := workers.ParseFlag(strings.Join(w.Arches, ",") + "=" + w.Address)
		if err != nil {
			t.Fatalf("ParseFlag(%q) = %+v, but its formatted form does not parse: %v", s, w, err)
		}
		if diff := cmp.Diff(w, again); diff != "" {
			t.Fatalf("round trip of %q mismatch (-first +second):\n%s", s, diff)
		}
	})
}
