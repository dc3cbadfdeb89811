package store

import (
	"fmt"
	"strings"
	"time"
)

// A Schedule is how long a failing build waits before its next attempt,
// by the number of its attempts that failed so far: s[0] before the
// first attempt (no failure yet), s[1] after one failure, and so on.
// Beyond its end, its last value repeats; an empty Schedule never waits.
//
// A Schedule is a flag value (it has String, Set and Type), written as
// durations separated by commas, such as "0,0,1h,2h".
type Schedule []time.Duration

// DefaultSchedule returns the schedule of the official images' build
// pipeline: 0, 0, 1h, 2h, 4h, 8h, 16h, 32h. The second attempt starts
// as soon as the first fails, the third an hour after the second, and
// from the eighth on, attempts are 32 hours apart.
func DefaultSchedule() Schedule {
	return Schedule{0, 0, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 32 * time.Hour}
}

// Delay returns how long to wait after count failed attempts. A negative
// count counts as none.
func (s Schedule) Delay(count int) time.Duration {
	if len(s) == 0 {
		return 0
	}
	return s[min(max(count, 0), len(s)-1)]
}

// Next returns when the attempt after count failed ones may start, the
// last of them having failed at last.
func (s Schedule) Next(count int, last time.Time) time.Time {
	return last.Add(s.Delay(count))
}

// Scale returns a new schedule with every delay of s multiplied by f: a
// test scales hours into seconds with Scale(1.0/3600). A negative
// product counts as no delay.
func (s Schedule) Scale(f float64) Schedule {
	scaled := make(Schedule, len(s))
	for i, d := range s {
		scaled[i] = max(time.Duration(float64(d)*f), 0)
	}
	return scaled
}

// ParseSchedule parses durations separated by commas, as
// [time.ParseDuration] reads them ("0" needs no unit), such as
// "0,0,1h,2h". It refuses an empty list, an empty item and a negative
// duration.
func ParseSchedule(text string) (Schedule, error) {
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("backoff schedule %q: no delays", text)
	}
	var s Schedule
	for i, item := range strings.Split(text, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("backoff schedule %q, delay %d: %w", text, i+1, err)
		}
		if d < 0 {
			return nil, fmt.Errorf("backoff schedule %q, delay %d: %v is negative", text, i+1, d)
		}
		s = append(s, d)
	}
	return s, nil
}

// String formats s as [ParseSchedule] reads it, with the shortest
// durations: "0,0,1h,1h30m".
func (s Schedule) String() string {
	items := make([]string, len(s))
	for i, d := range s {
		items[i] = shortDuration(d)
	}
	return strings.Join(items, ",")
}

// Set replaces s with the schedule text gives (see [ParseSchedule]).
func (s *Schedule) Set(text string) error {
	parsed, err := ParseSchedule(text)
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}

// Type names the value of a flag, for the help of a command line.
func (s *Schedule) Type() string { return "durations" }

// shortDuration formats d without the zero minutes and seconds of
// [time.Duration.String]: 1h, 1h30m, 1m30s, 0.
func shortDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	text := d.String()
	if strings.HasSuffix(text, "m0s") {
		text = strings.TrimSuffix(text, "0s")
	}
	if strings.HasSuffix(text, "h0m") {
		text = strings.TrimSuffix(text, "0m")
	}
	return text
}
