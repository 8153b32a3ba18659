package jobstate

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// awsEdges are the moves AWS Batch's job lifecycle has, written out here
// rather than taken from barge.JobStatus.CanMove, so that a change to the
// table is caught: SUBMITTED → PENDING → RUNNABLE → STARTING → RUNNING →
// SUCCEEDED | FAILED (SUBMITTED → RUNNABLE for a job that waits for
// nothing), retries back to RUNNABLE from STARTING or RUNNING, an array
// parent from PENDING to SUCCEEDED (or FAILED), and any unfinished job to
// FAILED.
var awsEdges = map[[2]barge.JobStatus]bool{
	{barge.JobSubmitted, barge.JobPending}:  true,
	{barge.JobSubmitted, barge.JobRunnable}: true,
	{barge.JobSubmitted, barge.JobFailed}:   true,
	{barge.JobPending, barge.JobRunnable}:   true,
	{barge.JobPending, barge.JobSucceeded}:  true,
	{barge.JobPending, barge.JobFailed}:     true,
	{barge.JobRunnable, barge.JobStarting}:  true,
	{barge.JobRunnable, barge.JobFailed}:    true,
	{barge.JobStarting, barge.JobRunning}:   true,
	{barge.JobStarting, barge.JobRunnable}:  true,
	{barge.JobStarting, barge.JobFailed}:    true,
	{barge.JobRunning, barge.JobSucceeded}:  true,
	{barge.JobRunning, barge.JobRunnable}:   true,
	{barge.JobRunning, barge.JobFailed}:     true,
}

func newLifecycle(t *testing.T) (*Lifecycle, *store.Store) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(Config{Store: st}), st
}

func stored(t *testing.T, st *store.Store, id string) *barge.Job {
	t.Helper()
	found, err := st.GetJobs(context.Background(), []string{id})
	if err != nil || len(found) != 1 {
		t.Fatalf("GetJobs(%s) = %v, %v; want the job", id, found, err)
	}
	return found[0]
}

// TestWriteEdges: the one write path moves a job along AWS's edges and
// along no other: each illegal edge is refused with an error, and the
// stored job is left as it was. A write that keeps the status (tags, a
// cancel request) is allowed, finished jobs included.
func TestWriteEdges(t *testing.T) {
	l, st := newLifecycle(t)
	ctx := context.Background()
	n := 0
	for _, from := range barge.JobStatuses {
		for _, to := range barge.JobStatuses {
			legal := from == to || awsEdges[[2]barge.JobStatus{from, to}]
			name := string(from) + "->" + string(to)
			if !legal {
				name += " refused"
			}
			t.Run(name, func(t *testing.T) {
				n++
				id := "j" + string(rune('a'+n%26)) + string(rune('a'+n/26))
				if err := st.InsertJobs(ctx, []*barge.Job{{ID: id, Name: id, Queue: "q", Status: from, CreatedAt: 1, Spec: &barge.JobSpec{}}}); err != nil {
					t.Fatal(err)
				}
				j := stored(t, st, id)
				j.Status, j.StatusReason = to, "moved"
				err := l.updateOne(ctx, j, from)
				got := stored(t, st, id)
				if legal {
					if err != nil || got.Status != to {
						t.Fatalf("%s: err %v, stored %s; want it written", name, err, got.Status)
					}
					return
				}
				if barge.ErrorCodeOf(err) != barge.EInternal {
					t.Errorf("%s: err = %v, want an internal error", name, err)
				}
				if got.Status != from || got.StatusReason != "" {
					t.Errorf("%s: stored %s %q, want %s unchanged", name, got.Status, got.StatusReason, from)
				}
			})
		}
	}
}

// TestWriteRefusesWholeBatch: a write of many jobs with one illegal move
// writes none of them.
func TestWriteRefusesWholeBatch(t *testing.T) {
	l, st := newLifecycle(t)
	ctx := context.Background()
	a := &barge.Job{ID: "a", Name: "a", Queue: "q", Status: barge.JobRunnable, CreatedAt: 1, Spec: &barge.JobSpec{}}
	b := &barge.Job{ID: "b", Name: "b", Queue: "q", Status: barge.JobRunnable, CreatedAt: 1, Spec: &barge.JobSpec{}}
	if err := st.InsertJobs(ctx, []*barge.Job{a, b}); err != nil {
		t.Fatal(err)
	}
	a.Status, b.Status = barge.JobStarting, barge.JobSucceeded
	_, err := l.update(ctx, []barge.JobUpdate{{Job: a, From: barge.JobRunnable}, {Job: b, From: barge.JobRunnable}})
	if barge.ErrorCodeOf(err) != barge.EInternal {
		t.Fatalf("update = %v, want an internal error", err)
	}
	for _, id := range []string{"a", "b"} {
		if got := stored(t, st, id).Status; got != barge.JobRunnable {
			t.Errorf("job %s is %s, want RUNNABLE: nothing written", id, got)
		}
	}
}
