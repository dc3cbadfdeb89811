package lru

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCache(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		max  int
		ops  string // "+k" adds k (value k+"!"), "?k" gets k
		want []string
		len  int
	}{
		{"empty", 2, "?a", []string{"a: -"}, 0},
		{"within max", 2, "+a +b ?a ?b", []string{"a: a!", "b: b!"}, 2},
		{"the oldest goes", 2, "+a +b +c ?a ?b ?c", []string{"a: -", "b: b!", "c: c!"}, 2},
		{"a get keeps an entry", 2, "+a +b ?a +c ?a ?b ?c", []string{"a: a!", "a: a!", "b: -", "c: c!"}, 2},
		{"an add keeps an entry", 2, "+a +b +a +c ?a ?b", []string{"a: a!", "b: -"}, 2},
		{"max 1", 1, "+a +b ?a ?b", []string{"a: -", "b: b!"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New[string, string](tc.max)
			var got []string
			for _, op := range strings.Fields(tc.ops) {
				k := op[1:]
				if op[0] == '+' {
					c.Add(k, k+"!")
					continue
				}
				v, ok := c.Get(k)
				if !ok {
					v = "-"
				}
				got = append(got, k+": "+v)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("gets (-want +got):\n%s", diff)
			}
			if c.Len() != tc.len {
				t.Errorf("Len = %d, want %d", c.Len(), tc.len)
			}
		})
	}
}

func TestCacheConcurrent(t *testing.T) {
	t.Parallel()
	c := New[int, string](16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				c.Add(g*100+i, fmt.Sprint(i))
				c.Get(g*100 + i/2)
			}
		})
	}
	wg.Wait()
	if c.Len() != 16 {
		t.Errorf("Len = %d, want 16", c.Len())
	}
}

func TestNewPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New(0) did not panic")
		}
	}()
	New[string, int](0)
}
