// Package jobbus carries the job changes the store commits to the parts of
// the server that follow them: metrics, the event feed, webhooks and cost
// totals.
//
// The writer publishes; subscribers are called one after the other, in the
// order they subscribed, for each batch of changes, and batches arrive in
// commit order. Delivery is synchronous, on the publisher's goroutine: the
// store publishes from a goroutine of its own that runs behind the writer
// with a bounded backlog (store.Options.OnJobsWritten), so a subscriber
// never holds up a commit, but a slow one slows every subscriber after it
// and, once the backlog is full, the writer. Subscribers must therefore
// return quickly, do any slow work on goroutines of their own, and never
// wait for a store write (the store's writer would wait for them: a
// deadlock).
package jobbus

import (
	"sync"
	"sync/atomic"

	"github.com/bargehq/barge"
)

// Subscriber takes the changes of one durable write, in commit order. The
// jobs are shared by every subscriber and must not be modified.
type Subscriber func(changes []barge.JobChange)

// Bus is the job changes' one path from the writer to their subscribers. The
// zero Bus is ready to use. Its methods are safe for concurrent use.
type Bus struct {
	mu        sync.Mutex // serializes Subscribe
	subs      atomic.Pointer[[]Subscriber]
	published atomic.Bool
}

// Subscribe adds fn after the subscribers already there. Every subscriber
// must be added before the first Publish, so that none misses a change:
// Subscribe panics after it, a mistake in how the server is put together.
func (b *Bus) Subscribe(fn Subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.published.Load() {
		panic("jobbus: Subscribe after the first Publish: the subscriber would miss changes")
	}
	var subs []Subscriber
	if p := b.subs.Load(); p != nil {
		subs = *p
	}
	subs = append(subs[:len(subs):len(subs)], fn)
	b.subs.Store(&subs)
}

// Publish hands the changes of one durable write to every subscriber, in
// the order they subscribed, and returns once each has taken them. The
// writer calls it once per write, in commit order, from one goroutine.
func (b *Bus) Publish(changes []barge.JobChange) {
	if !b.published.Load() {
		b.mu.Lock() // waits for a Subscribe in progress
		b.published.Store(true)
		b.mu.Unlock()
	}
	p := b.subs.Load()
	if p == nil {
		return
	}
	for _, fn := range *p {
		fn(changes)
	}
}
