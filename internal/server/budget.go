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

// Body buffers are reused, by size class (powers of two from 4 KiB up):
// a flood of requests that each get their share of the budget, read a
// little and are cut off would otherwise make garbage faster than the
// collector frees it, and the process's memory would grow far past the
// budget although little of it is live.
const (
	minBufferShift = 12 // 4 KiB
	bufferClasses  = 12 // up to 8 MiB
)

var bodyBuffers [bufferClasses]sync.Pool

// bufferClass returns the class of a buffer of at least n bytes, or -1 if
// n is larger than any class.
func bufferClass(n int64) int {
	for c := range bufferClasses {
		if n <= 1<<(minBufferShift+c) {
			return c
		}
	}
	return -1
}

// getBuffer returns a buffer with room for n bytes.
func getBuffer(n int64) *[]byte {
	c := bufferClass(n)
	if c < 0 {
		b := make([]byte, 0, n)
		return &b
	}
	if b, ok := bodyBuffers[c].Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1<<(minBufferShift+c))
	return &b
}

// putBuffer gives a buffer from getBuffer back.
func putBuffer(b *[]byte) {
	if c := bufferClass(int64(cap(*b))); c >= 0 && cap(*b) == 1<<(minBufferShift+c) {
		*b = (*b)[:0]
		bodyBuffers[c].Put(b)
	}
}
