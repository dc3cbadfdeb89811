package gitsource

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// maxFailures bounds how many repositories' failures a [Cache] remembers;
// past it, the oldest is forgotten.
const maxFailures = 1024

// failures remembers, for a while, the repositories that could not be
// fetched from, so that the jobs of a run that need one fail at once
// instead of each waiting for the same failure. It is safe for concurrent
// use.
type failures struct {
	ttl time.Duration    // how long a failure is remembered; 0 remembers none
	now func() time.Time // the clock: time.Now but in tests
	mu  sync.Mutex
	m   map[string]failure // by remote.failureKey
}

type failure struct {
	err *FetchError
	at  time.Time
}

func newFailures(ttl time.Duration) *failures {
	return &failures{ttl: ttl, now: time.Now, m: map[string]failure{}}
}

// recent returns a repeat of the failure remembered under key, or nil if
// there is none younger than the TTL.
func (f *failures) recent(key string) *FetchError {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.m[key]
	if !ok {
		return nil
	}
	if f.now().Sub(r.at) >= f.ttl {
		delete(f.m, key)
		return nil
	}
	repeat := *r.err
	repeat.Repeat, repeat.ttl = true, f.ttl
	return &repeat
}

// add remembers err under key, forgetting expired failures, and the
// oldest one, to stay within maxFailures.
func (f *failures) add(key string, err *FetchError) {
	if f.ttl <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if _, ok := f.m[key]; !ok && len(f.m) >= maxFailures {
		f.evict(now)
	}
	f.m[key] = failure{err: err, at: now}
}

// evict forgets the expired failures or, if none has expired, the oldest.
func (f *failures) evict(now time.Time) {
	var oldest string
	for k, r := range f.m {
		if now.Sub(r.at) >= f.ttl {
			delete(f.m, k)
		} else if oldest == "" || r.at.Before(f.m[oldest].at) {
			oldest = k
		}
	}
	if len(f.m) >= maxFailures {
		delete(f.m, oldest)
	}
}

// failureKey is the key rem's failures are remembered under: its
// repository and, for an http(s) GitRepo with userinfo, a hash of that, so
// that refused credentials do not fail a GitRepo with other ones.
func failureKey(rem remote) string {
	if rem.cred == nil {
		return rem.key
	}
	sum := sha256.Sum256([]byte(rem.cred.String()))
	return rem.key + "\x00" + hex.EncodeToString(sum[:])
}
