package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// leaderLease is the name of the lease whose holder runs the scheduler, the
// runners and the reconcilers.
const leaderLease = "leader"

// Lease timing. The holder renews every leaseRenew. A contender takes the
// lease once it has seen it unchanged (same term, same renewal count) for
// leaseExpiry by its own clock, looking every leasePoll; so the lease moves
// within leaseExpiry+2*leasePoll of the holder's last renewal, which is
// less than ten seconds after it died or was cut off. A holder that has not
// renewed for leaseStepDown, counted from the start of its last successful
// renewal (which no contender can have seen earlier), stops leading by
// itself, before any contender can take over; and whatever it still writes
// late is refused by its fence.
const (
	leaseRenew    = 2 * time.Second
	leaseStepDown = 5 * time.Second
	leaseExpiry   = 7 * time.Second
	leasePoll     = 500 * time.Millisecond
)

// leaseStore is what the elector needs from the store.
type leaseStore interface {
	ReadLease(ctx context.Context, name string) (store.LeaseState, error)
	TakeLease(ctx context.Context, name, holder string, seen store.LeaseState) (int64, error)
	RenewLease(ctx context.Context, name, holder string, token int64) error
	ReleaseLease(ctx context.Context, name, holder string, token int64) error
}

// elector competes for the leader lease among the servers of one database
// and runs lead for each term it wins.
type elector struct {
	store leaseStore
	id    string // this server's holder ID
	log   *slog.Logger
	// lead runs the leader's work for one term, with a context that carries
	// the term's fence and ends with the term; it returns once its work has
	// stopped.
	lead func(ctx context.Context)
	// onTerm, when set, is told of each term won (token) and lost (0).
	onTerm func(token int64)

	// sight is the leader lease as Run last saw it, while this server
	// does not lead (liveTerm).
	sight atomic.Pointer[leaseSight]
}

// leaseSight is the leader lease as an elector saw it.
type leaseSight struct {
	state store.LeaseState
	since time.Time // when it was first seen so, by the monotonic clock
}

// liveTerm returns the term of the leader lease's holder while this
// server, looking at the lease, sees that holder alive: the lease changed
// (was taken or renewed) within leaseExpiry, by this server's clock, as a
// contender judges it. It returns 0 when no holder is seen alive: none, or
// one that stopped renewing and is, or soon will be, deposed.
func (e *elector) liveTerm() int64 {
	s := e.sight.Load()
	if s == nil || s.state.Holder == "" || time.Since(s.since) >= leaseExpiry {
		return 0
	}
	return s.state.Token
}

// newHolderID returns a random ID for this server's terms.
func newHolderID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Run competes for the lease until ctx ends, then ends the term it holds
// and releases the lease so that another server takes it at once.
func (e *elector) Run(ctx context.Context) error {
	var (
		seen   store.LeaseState
		seenAt time.Time // when seen was first read, by the monotonic clock
	)
	t := time.NewTicker(leasePoll)
	defer t.Stop()
	for {
		l, err := e.store.ReadLease(ctx, leaderLease)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			e.log.Warn("reading the leader lease failed", "error", err)
		case l != seen || seenAt.IsZero():
			seen, seenAt = l, time.Now()
		}
		if err == nil {
			e.sight.Store(&leaseSight{state: seen, since: seenAt})
		}
		if err == nil && (seen.Holder == "" || time.Since(seenAt) >= leaseExpiry) {
			start := time.Now()
			token, err := e.store.TakeLease(ctx, leaderLease, e.id, seen)
			switch {
			case err == nil:
				e.hold(ctx, token, start)
				seenAt = time.Time{}
				if ctx.Err() != nil {
					return nil
				}
			case barge.ErrorCodeOf(err) != barge.EConflict && ctx.Err() == nil:
				e.log.Warn("taking the leader lease failed", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// hold leads for term token, taken by a write that started at taken: it
// runs lead and renews the lease until the term ends (ctx ended, another
// server took the lease, or no renewal succeeded for leaseStepDown), then
// stops lead and waits for it.
func (e *elector) hold(ctx context.Context, token int64, taken time.Time) {
	e.log.Info("leading", "term", token)
	if e.onTerm != nil {
		e.onTerm(token)
	}
	term, end := context.WithCancel(ctx)
	fenced := store.WithFence(term, store.Fence{Lease: leaderLease, Holder: e.id, Token: token})
	led := make(chan struct{})
	go func() {
		defer close(led)
		e.lead(fenced)
	}()
	renewed := taken // the term began with a write, like a renewal
	t := time.NewTicker(leaseRenew)
	for term.Err() == nil {
		select {
		case <-term.Done():
			continue
		case <-t.C:
		}
		start := time.Now()
		rctx, cancel := context.WithDeadline(term, renewed.Add(leaseStepDown))
		err := e.store.RenewLease(rctx, leaderLease, e.id, token)
		cancel()
		switch {
		case err == nil:
			renewed = start
		case barge.ErrorCodeOf(err) == barge.EConflict:
			e.log.Warn("another server took the leader lease", "term", token)
			end()
		case time.Since(renewed) >= leaseStepDown:
			e.log.Warn("the leader lease could not be renewed in time: stepping down", "term", token, "error", err)
			end()
		default:
			e.log.Warn("renewing the leader lease failed", "term", token, "error", err)
		}
	}
	t.Stop()
	end()
	<-led
	if e.onTerm != nil {
		e.onTerm(0)
	}
	if ctx.Err() != nil {
		// Shutting down: hand the lease over at once.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), leaseRenew)
		if err := e.store.ReleaseLease(rctx, leaderLease, e.id, token); err != nil {
			e.log.Warn("releasing the leader lease failed", "error", err)
		}
		cancel()
	}
	e.log.Info("no longer leading", "term", token)
}
