package store

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestScheduleNext(t *testing.T) {
	last := testTime(0)
	tests := []struct {
		name     string
		schedule Schedule
		count    int
		want     time.Duration // after last
	}{
		{"no failure yet", DefaultSchedule(), 0, 0},
		{"one failure", DefaultSchedule(), 1, 0},
		{"two failures", DefaultSchedule(), 2, time.Hour},
		{"three failures", DefaultSchedule(), 3, 2 * time.Hour},
		{"seven failures", DefaultSchedule(), 7, 32 * time.Hour},
		{"beyond the end, the last repeats", DefaultSchedule(), 100, 32 * time.Hour},
		{"a negative count counts as none", Schedule{time.Minute, time.Hour}, -1, time.Minute},
		{"an empty schedule never waits", nil, 3, 0},
		{"scaled", DefaultSchedule().Scale(1.0 / 3600), 4, 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.schedule.Next(tt.count, last); !got.Equal(last.Add(tt.want)) {
				t.Errorf("%v.Next(%d, last) = last + %v, want last + %v", tt.schedule, tt.count, got.Sub(last), tt.want)
			}
		})
	}
}

func TestScheduleScale(t *testing.T) {
	tests := []struct {
		name string
		in   Schedule
		f    float64
		want Schedule
	}{
		{"hours into seconds", Schedule{0, time.Hour, 32 * time.Hour}, 1.0 / 3600, Schedule{0, time.Second, 32 * time.Second}},
		{"doubled", Schedule{time.Minute}, 2, Schedule{2 * time.Minute}},
		{"zero", Schedule{time.Minute}, 0, Schedule{0}},
		{"negative", Schedule{time.Minute}, -1, Schedule{0}},
		{"empty", Schedule{}, 5, Schedule{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			if d := cmp.Diff(tt.want, tt.in.Scale(tt.f)); d != "" {
				t.Errorf("Scale(%v) (-want +got):\n%s", tt.f, d)
			}
			if d := cmp.Diff(in, tt.in); d != "" {
				t.Errorf("Scale changed its receiver (-before +after):\n%s", d)
			}
		})
	}
}

func TestDefaultScheduleIsACopy(t *testing.T) {
	DefaultSchedule()[2] = time.Nanosecond
	if got := DefaultSchedule()[2]; got != time.Hour {
		t.Errorf("DefaultSchedule()[2] = %v after a caller changed its copy, want 1h", got)
	}
}

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		text string
		want Schedule
	}{
		{"0,0,1h,2h,4h,8h,16h,32h", DefaultSchedule()},
		{"0", Schedule{0}},
		{" 1s , 1m30s ", Schedule{time.Second, 90 * time.Second}},
		{"500ms", Schedule{500 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := ParseSchedule(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParseSchedule(%q) (-want +got):\n%s", tt.text, d)
			}
		})
	}
}

func TestParseScheduleRefuses(t *testing.T) {
	tests := map[string]string{ // text: what the error says
		"":        "no delays",
		"  ":      "no delays",
		"1h,,2h":  "delay 2",
		"1h,":     "delay 2",
		"1x":      "delay 1",
		"1h,-1m":  "-1m0s is negative",
		"1h;2h":   "delay 1",
		"forever": "delay 1",
	}
	for text, want := range tests {
		t.Run(text, func(t *testing.T) {
			_, err := ParseSchedule(text)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "backoff schedule") {
				t.Errorf("ParseSchedule(%q): %v, want an error saying %q", text, err, want)
			}
		})
	}
}

func TestScheduleString(t *testing.T) {
	tests := []struct {
		in   Schedule
		want string
	}{
		{DefaultSchedule(), "0,0,1h,2h,4h,8h,16h,32h"},
		{Schedule{90 * time.Minute, 90 * time.Second, 10 * time.Minute, time.Hour + time.Second, 1500 * time.Millisecond}, "1h30m,1m30s,10m,1h0m1s,1.5s"},
		{Schedule{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if len(tt.in) == 0 {
				return
			}
			back, err := ParseSchedule(tt.want)
			if err != nil || !cmp.Equal(back, tt.in) {
				t.Errorf("ParseSchedule(String()) = %v, %v; want %v", back, err, tt.in)
			}
		})
	}
}

func TestScheduleIsAFlag(t *testing.T) {
	s := DefaultSchedule()
	if err := s.Set("1m,2m"); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(Schedule{time.Minute, 2 * time.Minute}, s); d != "" {
		t.Errorf("after Set (-want +got):\n%s", d)
	}
	if err := s.Set("nonsense"); err == nil {
		t.Error("Set(nonsense) succeeded")
	}
	if s.String() != "1m,2m" {
		t.Errorf("a failed Set changed the schedule to %v", s)
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, seed := range []string{"0,0,1h,2h", "1h30m", "1.5s,-1s", "", ",", "9223372036854775807ns"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseSchedule(text)
		if err != nil {
			return
		}
		back, err := ParseSchedule(s.String())
		if err != nil {
			t.Fatalf("ParseSchedule(%q) = %v, whose String %q does not parse: %v", text, s, s.String(), err)
		}
		if !cmp.Equal(s, back) {
			t.Fatalf("ParseSchedule(%q) = %v, and back from its String %q: %v", text, s, s.String(), back)
		}
	})
}
