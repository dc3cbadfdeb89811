package lru

import (
	"testing"
	"time"
)

// An Expiring's clock is set by the test: no sleeps.
func TestExpiring(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	e := NewExpiring[string, string](2, time.Hour)
	e.now = func() time.Time { return now }
	get := func(k string) string {
		v, ok := e.Get(k)
		if !ok {
			return "-"
		}
		return v
	}
	for _, step := range []struct {
		do   func()
		key  string
		want string
		len  int
	}{
		{func() { e.Add("a", "A") }, "a", "A", 1},
		{func() { now = now.Add(59 * time.Minute) }, "a", "A", 1},
		{func() { now = now.Add(time.Minute) }, "a", "-", 0}, // an hour old: gone
		{func() { e.Add("a", "A2") }, "a", "A2", 1},
		{func() { now = now.Add(30 * time.Minute); e.Add("b", "B") }, "b", "B", 2},
		{func() { now = now.Add(30 * time.Minute) }, "b", "B", 2}, // b is 30 min old
		{func() {}, "a", "-", 1},                                  // a is an hour old
		{func() { e.Remove("b") }, "b", "-", 0},
		{func() { e.Add("c", "C"); e.Add("d", "D"); e.Add("f", "F") }, "c", "-", 2}, // max 2
	} {
		step.do()
		if got := get(step.key); got != step.want {
			t.Errorf("at %s: %s = %s, want %s", now.Format(time.TimeOnly), step.key, got, step.want)
		}
		if e.Len() != step.len {
			t.Errorf("at %s: Len = %d, want %d", now.Format(time.TimeOnly), e.Len(), step.len)
		}
	}
}

func TestNewExpiringPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("NewExpiring(1, 0) did not panic")
		}
	}()
	NewExpiring[string, string](1, 0)
}
