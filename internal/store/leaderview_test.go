package store

import (
	"context"
	"errors"
	"testing"
)

// TestLeaderView: the leader's view reaches another server with the term
// that wrote it, its body read only when its version changed; a deposed
// leader's late view is refused and changes nothing, and a view written
// without a fence is refused.
func TestLeaderView(t *testing.T) {
	ctx := context.Background()
	a, b := openReplicas(t)

	if v, err := b.ReadView(ctx, "waits", 0); err != nil || v.Version != 0 || v.Body != nil {
		t.Fatalf("ReadView(never published) = %+v, %v; want version 0", v, err)
	}
	if err := a.PublishView(ctx, "waits", []byte("x")); err == nil {
		t.Error("PublishView without a fence = nil error, want it refused")
	}
	tokA, err := a.TakeLease(ctx, "leader", "a", LeaseState{})
	if err != nil {
		t.Fatal(err)
	}
	fenceA := WithFence(ctx, Fence{Lease: "leader", Holder: "a", Token: tokA})
	if err := a.PublishView(fenceA, "waits", []byte("one")); err != nil {
		t.Fatalf("PublishView(a) = %v", err)
	}
	v, err := b.ReadView(ctx, "waits", 0)
	if err != nil || v.Token != tokA || v.Version != 1 || string(v.Body) != "one" {
		t.Fatalf("ReadView = %+v, %v; want a's term %d, version 1, body one", v, err, tokA)
	}
	if v, err := b.ReadView(ctx, "waits", 1); err != nil || v.Version != 1 || v.Body != nil {
		t.Errorf("ReadView(known version 1) = %+v, %v; want version 1 without its body", v, err)
	}
	if err := a.PublishView(fenceA, "waits", []byte("two")); err != nil {
		t.Fatal(err)
	}
	if v, err := b.ReadView(ctx, "waits", 1); err != nil || v.Version != 2 || string(v.Body) != "two" {
		t.Errorf("ReadView(known version 1) after a write = %+v, %v; want version 2, body two", v, err)
	}

	// b takes over: a's late view is refused.
	seen, err := b.ReadLease(ctx, "leader")
	if err != nil {
		t.Fatal(err)
	}
	tokB, err := b.TakeLease(ctx, "leader", "b", seen)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PublishView(fenceA, "waits", []byte("late")); !errors.Is(err, ErrFenced) {
		t.Errorf("the deposed leader's PublishView = %v, want ErrFenced", err)
	}
	if err := b.PublishView(WithFence(ctx, Fence{Lease: "leader", Holder: "b", Token: tokB}), "waits", []byte("b's")); err != nil {
		t.Fatal(err)
	}
	if v, err := a.ReadView(ctx, "waits", 0); err != nil || v.Token != tokB || v.Version != 3 || string(v.Body) != "b's" {
		t.Errorf("ReadView = %+v, %v; want b's term %d, version 3, body b's", v, err, tokB)
	}
}
