package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/bargehq/barge/internal/store"
)

// TestLoadedWaits: a server that does not lead gives the reasons (why jobs
// wait, why STARTING jobs' tasks wait) and the vCPUs in use of the
// view the leader published while that leader's term is seen alive, and
// none when no leader is seen alive, when the view is of an earlier term
// than the live leader's (a new leader that has not published yet), or
// when it cannot read the view's format.
func TestLoadedWaits(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	token, err := st.TakeLease(ctx, leaderLease, "leader", store.LeaseState{})
	if err != nil {
		t.Fatal(err)
	}
	fenced := store.WithFence(ctx, store.Fence{Lease: leaderLease, Holder: "leader", Token: token})
	publish := func(body string) {
		t.Helper()
		if err := st.PublishView(fenced, waitsView, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	var live atomic.Int64
	loaded := &loadedWaits{store: st, leading: func() bool { return false }, term: live.Load, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	w := serverWaits{leading: func() bool { return false }, loaded: loaded}

	if got := w.WaitReason("q", nil); got != "" {
		t.Errorf("before any view, WaitReason = %q, want none", got)
	}
	publish(`{"format":1,"queues":[{"name":"q","state":"DISABLED"}],"usedVCPU":{"ce":1.5},"starting":{"j":"Waiting for a node: 0/1 nodes are available"}}`)
	loaded.refresh(ctx)
	want := "Job queue q is DISABLED: its jobs wait until it is enabled (update-job-queue --job-queue q --state ENABLED)."
	for _, tt := range []struct {
		name           string
		term           int64
		want, starting string
		used           float64
		usedKnown      bool
	}{
		{"the publisher's term alive", token, want, "Waiting for a node: 0/1 nodes are available", 1.5, true},
		{"no leader alive", 0, "", "", 0, false},
		{"a later term alive", token + 1, "", "", 0, false},
	} {
		live.Store(tt.term)
		if got := w.WaitReason("q", nil); got != tt.want {
			t.Errorf("%s: WaitReason = %q, want %q", tt.name, got, tt.want)
		}
		if got := w.StartingReason("j"); got != tt.starting {
			t.Errorf("%s: StartingReason = %q, want %q", tt.name, got, tt.starting)
		}
		if used, ok := w.Used("ce"); used != tt.used || ok != tt.usedKnown {
			t.Errorf("%s: Used = %v, %v; want %v, %v", tt.name, used, ok, tt.used, tt.usedKnown)
		}
	}

	live.Store(token)
	publish(`{"format":2,"queues":[{"name":"q","state":"DISABLED"}]}`)
	loaded.refresh(ctx)
	if got := w.WaitReason("q", nil); got != "" {
		t.Errorf("with a view of another format, WaitReason = %q, want none", got)
	}
}
