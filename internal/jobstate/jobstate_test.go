package jobstate_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/store"
)

// The flow runs against the real store: what it does is a sequence of
// conditional writes and the reads that decide them.

func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func newFlow(s *store.Store, woke *int) *jobstate.Lifecycle {
	return jobstate.New(jobstate.Config{Store: s, Now: func() time.Time { return time.UnixMilli(42) }, Wake: func() { *woke++ }})
}

func job(id string, st barge.JobStatus, waitsFor ...string) *barge.Job {
	return &barge.Job{ID: id, Name: id, Queue: "q", Status: st, CreatedAt: 1, WaitsFor: waitsFor}
}

// array returns an array parent of n children, each in status st.
func array(id string, n int, st barge.JobStatus) []*barge.Job {
	jobs := []*barge.Job{{ID: id, Name: id, Queue: "q", Status: barge.JobPending, CreatedAt: 1, Spec: &barge.JobSpec{ArraySize: n}}}
	for i := range n {
		jobs = append(jobs, &barge.Job{ID: barge.ChildID(id, i), Name: id, Queue: "q", Status: st, CreatedAt: 1, ArrayParent: id, ArrayIndex: i})
	}
	return jobs
}

func insert(tb testing.TB, s *store.Store, jobs ...*barge.Job) {
	tb.Helper()
	if err := s.InsertJobs(context.Background(), jobs); err != nil {
		tb.Fatal(err)
	}
}

// end moves job id to st in the store, as the runner or a cancel does, and
// returns it.
func end(tb testing.TB, s *store.Store, id string, st barge.JobStatus) *barge.Job {
	tb.Helper()
	j := get(tb, s, id)
	from := j.Status
	j.Status, j.StoppedAt = st, 7
	if err := s.UpdateJob(context.Background(), j, from); err != nil {
		tb.Fatal(err)
	}
	return j
}

func get(tb testing.TB, s *store.Store, id string) *barge.Job {
	tb.Helper()
	found, err := s.GetJobs(context.Background(), []string{id})
	if err != nil || len(found) != 1 {
		tb.Fatalf("GetJobs(%s) = %v, %v", id, found, err)
	}
	return found[0]
}

func wantStatus(t *testing.T, s *store.Store, id string, st barge.JobStatus, reason string) {
	t.Helper()
	if j := get(t, s, id); j.Status != st || j.StatusReason != reason {
		t.Errorf("%s = %s %q, want %s %q", id, j.Status, j.StatusReason, st, reason)
	}
}

func TestFinished(t *testing.T) {
	ctx := context.Background()

	t.Run("released once everything succeeded", func(t *testing.T) {
		s := openStore(t)
		woke := 0
		f := newFlow(s, &woke)
		insert(t, s, job("a", barge.JobRunning), job("b", barge.JobRunning), job("c", barge.JobPending, "a", "b"))
		if err := f.Finished(ctx, end(t, s, "a", barge.JobSucceeded)); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s, "c", barge.JobPending, "")
		if err := f.Finished(ctx, end(t, s, "b", barge.JobSucceeded)); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s, "c", barge.JobRunnable, "")
		if woke != 1 {
			t.Errorf("Wake called %d times, want once", woke)
		}
	})

	t.Run("failure down the chain", func(t *testing.T) {
		s := openStore(t)
		woke := 0
		f := newFlow(s, &woke)
		insert(t, s, job("a", barge.JobRunning), job("b", barge.JobPending, "a"), job("c", barge.JobPending, "b"))
		if err := f.Finished(ctx, end(t, s, "a", barge.JobFailed)); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s, "b", barge.JobFailed, barge.ReasonDependentFailed)
		wantStatus(t, s, "c", barge.JobFailed, barge.ReasonDependentFailed)
		if get(t, s, "b").StoppedAt != 42 {
			t.Errorf("stoppedAt = %d, want the flow's now", get(t, s, "b").StoppedAt)
		}
	})

	t.Run("array parent fails with its dependency", func(t *testing.T) {
		s := openStore(t)
		woke := 0
		f := newFlow(s, &woke)
		insert(t, s, job("a", barge.JobRunning))
		jobs := array("arr", 3, barge.JobPending)
		for _, j := range jobs {
			j.WaitsFor = []string{"a"}
		}
		insert(t, s, jobs...)
		if err := f.Finished(ctx, end(t, s, "a", barge.JobFailed)); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s, "arr", barge.JobFailed, barge.ReasonDependentFailed)
		wantStatus(t, s, "arr:2", barge.JobFailed, barge.ReasonDependentFailed)
	})

	t.Run("array parent settles with its last child", func(t *testing.T) {
		s := openStore(t)
		woke := 0
		f := newFlow(s, &woke)
		insert(t, s, array("arr", 2, barge.JobRunning)...)
		if err := f.Finished(ctx, end(t, s, "arr:0", barge.JobFailed)); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s, "arr", barge.JobPending, "")
		if err := f.Finished(ctx, end(t, s, "arr:1", barge.JobSucceeded)); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s, "arr", barge.JobFailed, barge.ReasonArrayChildFailed)
	})

	t.Run("cancelled while PENDING", func(t *testing.T) {
		s := openStore(t)
		woke := 0
		f := newFlow(s, &woke)
		insert(t, s, job("a", barge.JobRunning), job("b", barge.JobRunning), job("c", barge.JobPending, "a", "b"), job("d", barge.JobPending, "c"))
		c := get(t, s, "c")
		c.IsCancelled, c.StatusReason = true, "no"
		if err := s.UpdateJob(ctx, c, barge.JobPending); err != nil {
			t.Fatal(err)
		}
		// Waits for every dependency to end, success or not.
		if err := f.Finished(ctx, end(t, s, "a", barge.JobSucceeded)); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s, "c", barge.JobPending, "no")
		if err := f.Finished(ctx, end(t, s, "b", barge.JobSucceeded)); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, s, "c", barge.JobFailed, "no")
		wantStatus(t, s, "d", barge.JobFailed, barge.ReasonDependentFailed)
		if woke != 0 {
			t.Errorf("Wake called %d times, want never: nothing became RUNNABLE", woke)
		}
	})

	t.Run("Recheck", func(t *testing.T) {
		s := openStore(t)
		woke := 0
		f := newFlow(s, &woke)
		insert(t, s, job("a", barge.JobSucceeded), job("b", barge.JobPending, "a"), job("c", barge.JobPending, "a"))
		c := get(t, s, "c")
		c.IsTerminated, c.StatusReason = true, "stop"
		if err := s.UpdateJob(ctx, c, barge.JobPending); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"b", "c"} {
			if err := f.Recheck(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		wantStatus(t, s, "b", barge.JobRunnable, "")
		wantStatus(t, s, "c", barge.JobFailed, "stop")
	})
}

// BenchmarkArrayChildrenEnd ends the 10,000 children of an array one by
// one, as the runner does, each followed by Finished: ns/op is the cost of
// one child's end (its dependents, and whether the parent is done).
func BenchmarkArrayChildrenEnd(b *testing.B) {
	ctx := context.Background()
	const n = 10_000
	s := openStore(b)
	woke := 0
	f := newFlow(s, &woke)
	arrays := 0
	var children []*barge.Job
	for range b.N {
		if len(children) == 0 {
			b.StopTimer()
			jobs := array(fmt.Sprint("arr", arrays), n, barge.JobRunning)
			arrays++
			insert(b, s, jobs...)
			children = jobs[1:]
			b.StartTimer()
		}
		c := children[0]
		children = children[1:]
		c.Status = barge.JobSucceeded
		if err := s.UpdateJob(ctx, c, barge.JobRunning); err != nil {
			b.Fatal(err)
		}
		if err := f.Finished(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReleaseArray ends a job that an array of 10,000 children waits
// for: ns/op is the cost of making all of them RUNNABLE.
func BenchmarkReleaseArray(b *testing.B) {
	ctx := context.Background()
	s := openStore(b)
	woke := 0
	f := newFlow(s, &woke)
	for i := range b.N {
		b.StopTimer()
		dep := job(fmt.Sprint("dep", i), barge.JobRunning)
		jobs := array(fmt.Sprint("arr", i), 10_000, barge.JobPending)
		for _, j := range jobs {
			j.WaitsFor = []string{dep.ID}
		}
		insert(b, s, append([]*barge.Job{dep}, jobs...)...)
		d := end(b, s, dep.ID, barge.JobSucceeded)
		b.StartTimer()
		if err := f.Finished(ctx, d); err != nil {
			b.Fatal(err)
		}
	}
}
