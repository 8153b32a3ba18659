package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// cutOff is a server's view of the store that fails every call once cut
// is set, as when the network to the database is down.
type cutOff struct {
	*store.Store
	cut atomic.Bool
}

var errCutOff = errors.New("connection refused")

func (c *cutOff) ReadLease(ctx context.Context, name string) (store.LeaseState, error) {
	if c.cut.Load() {
		return store.LeaseState{}, errCutOff
	}
	return c.Store.ReadLease(ctx, name)
}

func (c *cutOff) TakeLease(ctx context.Context, name, holder string, seen store.LeaseState) (int64, error) {
	if c.cut.Load() {
		return 0, errCutOff
	}
	return c.Store.TakeLease(ctx, name, holder, seen)
}

func (c *cutOff) RenewLease(ctx context.Context, name, holder string, token int64) error {
	if c.cut.Load() {
		return errCutOff
	}
	return c.Store.RenewLease(ctx, name, holder, token)
}

// termLog records the terms electors led, in the order they began and
// ended.
type termLog struct {
	mu     sync.Mutex
	events []string
	began  chan int64
}

func (l *termLog) lead(who string, st *store.Store) func(ctx context.Context) {
	return func(ctx context.Context) {
		l.mu.Lock()
		l.events = append(l.events, who+" began")
		l.mu.Unlock()
		// What a leader writes carries its term's fence.
		j := &barge.Job{ID: who + "-" + time.Now().Format("150405.000000"), Name: "x", Queue: "q", Status: barge.JobSubmitted,
			CreatedAt: time.Now().UnixMilli(), Spec: &barge.JobSpec{JobDefinitionName: "d", Container: &barge.ContainerProperties{Image: "x"}}}
		if err := st.InsertJobs(ctx, []*barge.Job{j}); err != nil {
			l.mu.Lock()
			l.events = append(l.events, who+" write refused")
			l.mu.Unlock()
		}
		<-ctx.Done()
		l.mu.Lock()
		l.events = append(l.events, who+" ended")
		l.mu.Unlock()
		l.began <- 0
	}
}

// TestElectorCutOff: a leader cut off from the database stops leading by
// itself, before another server takes the lease over; the other then leads
// with a greater token, and the cut-off one's late fenced write is refused.
// Before, the other sees the leader's term alive (elector.liveTerm).
// (Real time: it takes the lease's expiry, about 8 seconds.)
func TestElectorCutOff(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the lease to expire")
	}
	path := filepath.Join(t.TempDir(), "barge.db")
	open := func() *store.Store {
		s, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	sa, sb := open(), open()
	a := &cutOff{Store: sa}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	terms := &termLog{began: make(chan int64, 4)}
	var tokens sync.Map
	ea := &elector{store: a, id: "a", log: log, lead: terms.lead("a", sa), onTerm: func(tok int64) {
		if tok != 0 {
			tokens.Store("a", tok)
		}
	}}
	eb := &elector{store: sb, id: "b", log: log, lead: terms.lead("b", sb), onTerm: func(tok int64) {
		if tok != 0 {
			tokens.Store("b", tok)
		}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { ea.Run(ctx) })
	waitTerm(t, &tokens, "a")
	wg.Go(func() { eb.Run(ctx) })
	// b, which does not lead, sees a's term alive.
	held, _ := tokens.Load("a")
	for deadline := time.Now().Add(10 * time.Second); eb.liveTerm() != held.(int64); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("b's liveTerm() = %d, want a's term %d", eb.liveTerm(), held)
		}
	}

	a.cut.Store(true)
	<-terms.began // a's term ended
	waitTerm(t, &tokens, "b")
	ta, _ := tokens.Load("a")
	tb, _ := tokens.Load("b")
	if tb.(int64) <= ta.(int64) {
		t.Errorf("b's token %d, want above a's %d", tb, ta)
	}
	// a's late write with its old term's fence.
	late := store.WithFence(ctx, store.Fence{Lease: leaderLease, Holder: "a", Token: ta.(int64)})
	j := &barge.Job{ID: "late", Name: "x", Queue: "q", Status: barge.JobSubmitted, CreatedAt: time.Now().UnixMilli(),
		Spec: &barge.JobSpec{JobDefinitionName: "d", Container: &barge.ContainerProperties{Image: "x"}}}
	if err := sa.InsertJobs(late, []*barge.Job{j}); !errors.Is(err, store.ErrFenced) {
		t.Errorf("the deposed leader's late write = %v; want refused (store.ErrFenced)", err)
	}
	cancel()
	wg.Wait()

	terms.mu.Lock()
	defer terms.mu.Unlock()
	want := []string{"a began", "a ended", "b began", "b ended"}
	if len(terms.events) != len(want) {
		t.Fatalf("terms = %q; want %q", terms.events, want)
	}
	for i := range want {
		if terms.events[i] != want[i] {
			t.Errorf("terms = %q; want %q (no overlap, no refused write in a term)", terms.events, want)
			break
		}
	}
}

// waitTerm waits until who has won a term.
func waitTerm(t *testing.T, tokens *sync.Map, who string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, ok := tokens.Load(who); ok {
			return
		}
	}
	t.Fatalf("%s never led", who)
}
