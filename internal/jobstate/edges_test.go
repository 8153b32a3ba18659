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

// TestAttemptEndedFromStarting: a task that ran and succeeded while its
// job's RUNNING write had failed still ends the job SUCCEEDED, by way of
// RUNNING: the write path refuses STARTING to SUCCEEDED, which AWS has not.
func TestAttemptEndedFromStarting(t *testing.T) {
	l, st := newLifecycle(t)
	ctx := context.Background()
	j := &barge.Job{ID: "j", Name: "j", Queue: "q", Status: barge.JobRunnable, CreatedAt: 1, Spec: &barge.JobSpec{}}
	if err := st.InsertJobs(ctx, []*barge.Job{j}); err != nil {
		t.Fatal(err)
	}
	p := barge.Placement{Job: stored(t, st, "j"), Spec: &barge.JobSpec{}, ComputeEnvironment: "ce"}
	if _, err := l.Place(ctx, []barge.Placement{p}, func(string) string {
		return "arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef"
	}); err != nil {
		t.Fatal(err)
	}
	code := 0
	if err := l.AttemptEnded(ctx, p.Job, p.Spec, AttemptEnd{ExitCode: &code, StatusReason: "Essential container in task exited", LogStream: "s"}); err != nil {
		t.Fatal(err)
	}
	got := stored(t, st, "j")
	if got.Status != barge.JobSucceeded || len(got.Attempts) != 1 || got.StartedAt == 0 {
		t.Errorf("job %s with %d attempts, startedAt %d; want SUCCEEDED, 1 attempt and a startedAt", got.Status, len(got.Attempts), got.StartedAt)
	}
}
