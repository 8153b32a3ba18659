package store

import (
	"context"
	"errors"
	"testing"

	"github.com/bargehq/barge"
)

// openReplicas opens the same database twice, as two barge servers do.
func openReplicas(t *testing.T) (*Store, *Store) {
	t.Helper()
	path := testDatabase(t)
	var ss [2]*Store
	for i := range ss {
		s, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		ss[i] = s
	}
	return ss[0], ss[1]
}

// TestDeposedLeaderWriteRefused: once another server took the lease, the
// old holder's fenced writes (however late) and its renewals are refused
// and change nothing, while unfenced writes (the API's) go on.
func TestDeposedLeaderWriteRefused(t *testing.T) {
	ctx := context.Background()
	a, b := openReplicas(t)

	seen, err := a.ReadLease(ctx, "leader")
	if err != nil || seen != (LeaseState{}) {
		t.Fatalf("ReadLease(never taken) = %+v, %v; want free, token 0", seen, err)
	}
	tokA, err := a.TakeLease(ctx, "leader", "a", seen)
	if err != nil || tokA != 1 {
		t.Fatalf("TakeLease(a) = %d, %v; want token 1", tokA, err)
	}
	oldA := WithFence(ctx, Fence{Lease: "leader", Holder: "a", Token: tokA})
	if err := a.InsertJobs(oldA, []*barge.Job{newJob("before", "q", "before")}); err != nil {
		t.Fatalf("fenced write of the holder = %v", err)
	}
	if err := a.RenewLease(ctx, "leader", "a", tokA); err != nil {
		t.Fatalf("RenewLease(a) = %v", err)
	}

	// b saw the lease before a's last renewal: too late to take it.
	if _, err := b.TakeLease(ctx, "leader", "b", LeaseState{Holder: "a", Token: tokA}); barge.ErrorCodeOf(err) != barge.EConflict {
		t.Fatalf("TakeLease(b, stale view) = %v; want conflict", err)
	}
	seen, err = b.ReadLease(ctx, "leader")
	if err != nil || seen.Holder != "a" || seen.Token != tokA || seen.Renewals != 1 {
		t.Fatalf("ReadLease = %+v, %v; want a's term 1 renewed once", seen, err)
	}
	tokB, err := b.TakeLease(ctx, "leader", "b", seen)
	if err != nil || tokB != tokA+1 {
		t.Fatalf("TakeLease(b) = %d, %v; want token %d", tokB, err, tokA+1)
	}

	if err := a.InsertJobs(oldA, []*barge.Job{newJob("late", "q", "late")}); !errors.Is(err, ErrFenced) {
		t.Errorf("a's late fenced InsertJobs = %v; want ErrFenced", err)
	}
	wantCode(t, "a's late RenewLease", a.RenewLease(ctx, "leader", "a", tokA), barge.EConflict)
	if got, err := b.GetJobs(ctx, []string{"late"}); err != nil || len(got) != 0 {
		t.Errorf("GetJobs(late) = %d jobs, %v; want the refused write absent", len(got), err)
	}
	if err := a.InsertJobs(ctx, []*barge.Job{newJob("api", "q", "api")}); err != nil {
		t.Errorf("unfenced write of the old holder = %v; want it to commit", err)
	}
	newB := WithFence(ctx, Fence{Lease: "leader", Holder: "b", Token: tokB})
	if err := b.InsertJobs(newB, []*barge.Job{newJob("after", "q", "after")}); err != nil {
		t.Errorf("fenced write of the new holder = %v", err)
	}

	// Released, the lease is free for the next holder at once.
	if err := b.ReleaseLease(ctx, "leader", "b", tokB); err != nil {
		t.Fatal(err)
	}
	if err := b.InsertJobs(newB, []*barge.Job{newJob("released", "q", "x")}); !errors.Is(err, ErrFenced) {
		t.Errorf("fenced write after release = %v; want ErrFenced", err)
	}
	seen, err = a.ReadLease(ctx, "leader")
	if err != nil || seen.Holder != "" {
		t.Fatalf("ReadLease(released) = %+v, %v; want no holder", seen, err)
	}
	if tok, err := a.TakeLease(ctx, "leader", "a", seen); err != nil || tok != tokB+1 {
		t.Errorf("TakeLease(a, released) = %d, %v; want %d", tok, err, tokB+1)
	}
}
