package server

import (
	"context"
	"sync"
	"time"
)

// byteBudget is a semaphore of bytes: the memory that request bodies not yet
// verified may hold together. Waiters are served first come, first served,
// so that a large body is not starved by a stream of small ones.
type byteBudget struct {
	size int64

	mu      sync.Mutex
	free    int64
	waiters []*budgetWaiter
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed once the bytes are granted
}

func newByteBudget(size int64) *byteBudget {
	return &byteBudget{size: size, free: size}
}

// acquire takes n bytes of the budget, waiting until they are free, ctx
// ends or the deadline passes; it reports whether it took them. A request
// larger than the whole budget waits for all of it.
func (b *byteBudget) acquire(ctx context.Context, n int64, deadline time.Time) bool {
	n = min(n, b.size)
	b.mu.Lock()
	if len(b.waiters) == 0 && b.free >= n {
		b.free -= n
		b.mu.Unlock()
		return true
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()

	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-w.ready:
		return true
	case <-ctx.Done():
	case <-timer.C:
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // granted while giving up: give the bytes back
		b.free += n
		b.grant()
		return false
	default:
	}
	for i, o := range b.waiters {
		if o == w {
			b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
			break
		}
	}
	b.grant() // the waiter ahead may have been what blocked the ones behind
	return false
}

// release returns n bytes taken by acquire.
func (b *byteBudget) release(n int64) {
	n = min(n, b.size)
	b.mu.Lock()
	b.free += n
	b.grant()
	b.mu.Unlock()
}

// grant hands free bytes to the waiters in order, stopping at the first
// that does not fit. b.mu is held.
func (b *byteBudget) grant() {
	for len(b.waiters) > 0 && b.free >= b.waiters[0].n {
		w := b.waiters[0]
		b.free -= w.n
		close(w.ready)
		b.waiters[0] = nil
		b.waiters = b.waiters[1:]
	}
}
