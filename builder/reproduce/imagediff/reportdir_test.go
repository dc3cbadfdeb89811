package imagediff

import (
	"archive/tar"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// tree is every path under dir, with a file's content after "=".
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var got []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			got = append(got, rel+" (symlink)")
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got = append(got, rel+"="+string(b))
		case rel != ".":
			got = append(got, rel+"/")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	return got
}

func TestReportDir(t *testing.T) {
	t.Parallel()
	image := func(layers ...[]ent) v1.Image {
		var ls []v1.Layer
		for _, es := range layers {
			ls = append(ls, layerOf(t, gzip.BestSpeed, es...))
		}
		return imageOf(t, ls, nil)
	}
	for _, tc := range []struct {
		name     string
		pub, reb [][]ent
		opts     []Option
		want     []string // the tree of the parent of the report directory
		notes    []string // the notes of the file rows
	}{
		{
			name: "content added removed",
			pub:  [][]ent{{dir("etc/"), reg("etc/a", "pub a"), reg("etc/gone", "old"), reg("etc/m", "m")}},
			reb:  [][]ent{{dir("etc/"), reg("etc/a", "reb a"), reg("etc/new", "new"), reg("etc/m", "m").with(func(h *tar.Header) { h.Mode = 0o600 })}},
			want: []string{
				"report/", "report/published/", "report/published/etc/", "report/published/etc/a=pub a", "report/published/etc/gone=old",
				"report/rebuilt/", "report/rebuilt/etc/", "report/rebuilt/etc/a=reb a", "report/rebuilt/etc/new=new",
			},
			notes: []string{"content 5 -> 5; published copy written; rebuilt copy written", "file; published copy written", "mode 0644 -> 0600", "file; rebuilt copy written"},
		},
		{
			name:  "escape with dot dot",
			pub:   [][]ent{{reg("../../etc/passwd", "root:x:0:0")}},
			reb:   [][]ent{{reg("../../etc/passwd", "evil:x:0:0")}},
			want:  nil,
			notes: []string{"unsafe path: escapes the root; content 10 -> 10"},
		},
		{
			name:  "absolute",
			pub:   [][]ent{{reg("/abs", "a")}},
			reb:   [][]ent{{reg("/abs", "b")}},
			want:  nil,
			notes: []string{"unsafe path: absolute path; content 1 -> 1"},
		},
		{
			name:  "through a symlink",
			pub:   [][]ent{{symlink("evil", "../../.."), reg("evil/pwned", "a")}},
			reb:   [][]ent{{symlink("evil", "../../.."), reg("evil/pwned", "b")}},
			want:  nil,
			notes: []string{"unsafe path: through symlink evil -> ../../..; content 1 -> 1"},
		},
		{
			// The symlink is in a layer below: the file's layer does not
			// see it, but the report directory never holds a symlink, so
			// the file lands in a directory of that name.
			name:  "through a symlink of a layer below",
			pub:   [][]ent{{symlink("evil", "/")}, {reg("evil/pwned", "a")}},
			reb:   [][]ent{{symlink("evil", "/")}, {reg("evil/pwned", "b")}},
			want:  []string{"report/", "report/published/", "report/published/evil/", "report/published/evil/pwned=a", "report/rebuilt/", "report/rebuilt/evil/", "report/rebuilt/evil/pwned=b"},
			notes: []string{"content 1 -> 1; published copy written; rebuilt copy written"},
		},
		{
			name: "a file in the way",
			pub:  [][]ent{{reg("a", "pub")}, {reg("a/b", "pub b")}},
			reb:  [][]ent{{reg("a", "reb")}, {reg("a/b", "reb b")}},
			want: []string{"report/", "report/published/", "report/published/a=pub", "report/rebuilt/", "report/rebuilt/a=reb"},
			notes: []string{
				"content 3 -> 3; published copy written; rebuilt copy written",
				"content 5 -> 5; published copy not written: a is a file in the report directory; rebuilt copy not written: a is a file in the report directory",
			},
		},
		{
			name: "limits",
			pub:  [][]ent{{reg("big", "0123456789"), reg("more", "abcdef")}},
			reb:  [][]ent{{reg("big", "9876543210"), reg("more", "fedcba")}},
			opts: []Option{WithReportLimits(4, 10)},
			want: []string{"report/", "report/published/", "report/published/big=0123", "report/published/more=abcd", "report/rebuilt/", "report/rebuilt/big=98"},
			notes: []string{
				"content 10 -> 10; published copy truncated to 4 of 10 bytes; rebuilt copy truncated to 2 of 10 bytes",
				"content 6 -> 6; published copy truncated to 4 of 6 bytes; rebuilt copy not written: the report directory holds its limit",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parent := t.TempDir()
			opts := append([]Option{WithReportDir(filepath.Join(parent, "report"))}, tc.opts...)
			r, err := Compare(t.Context(), image(tc.pub...), image(tc.reb...), opts...)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, tree(t, parent)); d != "" {
				t.Errorf("tree (-want +got):\n%s", d)
			}
			var notes []string
			for _, f := range r.Files {
				notes = append(notes, f.Note)
				if strings.HasPrefix(f.Note, "unsafe") && f.Change != UnsafePath {
					t.Errorf("row %+v: change %q, want %q", f, f.Change, UnsafePath)
				}
			}
			if d := cmp.Diff(tc.notes, notes); d != "" {
				t.Errorf("notes (-want +got):\n%s", d)
			}
		})
	}
}

// TestWriteFileRefuses checks the defences below the row checks: a path
// through a symlink someone left in the report directory, or out of it.
func TestWriteFileRefuses(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "report")
	if err := os.MkdirAll(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(parent, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	rep := &reporter{dir: dir, perFile: 1 << 20, left: 1 << 20}
	for _, tc := range []struct {
		key, note string // note: the start of the note
	}{
		{key: "link/x", note: "not written: link is a symlink in the report directory"},
		{key: "link", note: "not written: link is a symlink in the report directory"},
		{key: "real", note: "not written: real is a directory in the report directory"},
		{key: "../x", note: "not written: "},
		{key: "real/ok", note: "written"},
	} {
		note, err := rep.writeFile(root, tc.key, strings.NewReader("data"), 4)
		if err != nil || !strings.HasPrefix(note, tc.note) {
			t.Errorf("writeFile(%q) = %q, %v; want %q…", tc.key, note, err, tc.note)
		}
	}
	want := []string{"report/", "report/link (symlink)", "report/real/", "report/real/ok=data"}
	if d := cmp.Diff(want, tree(t, parent)); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}
