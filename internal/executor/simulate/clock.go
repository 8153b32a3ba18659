package simulate

import (
	"slices"
	"sync"
	"time"
)

// Clock is the time simulated tasks run by.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed, as
	// time.AfterFunc does; stop cancels the call and reports whether it
	// did so before f was called.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// realClock is the time package's clock, and under testing/synctest the
// bubble's.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// ManualClock is a Clock that moves only when told to, for tests that
// cannot use testing/synctest (those that serve real network connections,
// whose goroutines never count as durably blocked). Its methods are safe for
// concurrent use.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*manualTimer
}

type manualTimer struct {
	when time.Time
	seq  int // orders timers due at the same time by their creation
	f    func()
}

// NewManualClock returns a clock that reads now until it is advanced.
func NewManualClock(now time.Time) *ManualClock { return &ManualClock{now: now} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arranges for f to be called once the clock has been advanced
// by d. A call that is due already (d <= 0) is made at once in its own
// goroutine, as time.AfterFunc does.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 {
		go f()
		return func() bool { return false }
	}
	c.seq++
	t := &manualTimer{when: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		i := slices.Index(c.timers, t)
		if i < 0 {
			return false
		}
		c.timers = slices.Delete(c.timers, i, i+1)
		return true
	}
}

// Advance moves the clock on by d. The calls that come due are made in
// the order of their times, each with the clock reading its time, before
// Advance returns; so once it returns, whatever they did (a task's end, a
// log line) has happened.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *manualTimer
		for _, t := range c.timers {
			if !t.when.After(target) && (next == nil || t.when.Before(next.when) || (t.when.Equal(next.when) && t.seq < next.seq)) {
				next = t
			}
		}
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		c.timers = slices.DeleteFunc(c.timers, func(t *manualTimer) bool { return t == next })
		if next.when.After(c.now) {
			c.now = next.when
		}
		c.mu.Unlock()
		next.f()
	}
}
