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

// TestLoadedWaits: a server that does not lead gives the reasons of the
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
	publish(`{"format":1,"queues":[{"name":"q","state":"DISABLED"}]}`)
	loaded.refresh(ctx)
	want := "Job queue q is DISABLED: its jobs wait until it is enabled (update-job-queue --job-queue q --state ENABLED)."
	for _, tt := range []struct {
		name string
		term int64
		want string
	}{
		{"the publisher's term alive", token, want},
		{"no leader alive", 0, ""},
		{"a later term alive", token + 1, ""},
	} {
		live.Store(tt.term)
		if got := w.WaitReason("q", nil); got != tt.want {
			t.Errorf("%s: WaitReason = %q, want %q", tt.name, got, tt.want)
		}
	}

	live.Store(token)
	publish(`{"format":2,"queues":[{"name":"q","state":"DISABLED"}]}`)
	loaded.refresh(ctx)
	if got := w.WaitReason("q", nil); got != "" {
		t.Errorf("with a view of another format, WaitReason = %q, want none", got)
	}
}
