package biz

import "time"

// Clock is the time a use case reads and waits on. The real one is the wall clock; tests
// substitute one they advance themselves, so a retry that waits seconds runs without sleeping.
type Clock interface {
	Now() time.Time
	// After delivers the time on the channel once d has passed, as time.After.
	After(d time.Duration) <-chan time.Time
}

// wallClock is the real Clock.
type wallClock struct{}

func (wallClock) Now() time.Time                         { return time.Now() }
func (wallClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
