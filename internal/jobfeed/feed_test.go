package jobfeed

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bargehq/barge"
)

func job(id, queue string, st barge.JobStatus) *barge.Job {
	return &barge.Job{ID: id, Name: id, Queue: queue, Status: st}
}

func change(j *barge.Job, from barge.JobStatus) barge.JobChange {
	return barge.JobChange{Job: j, From: from}
}

// TestCounts: the counts start from the store's and follow the changes,
// including those published while the store is read; array children are
// not counted.
func TestCounts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		read := make(chan struct{})
		f := New(Options{Count: func(ctx context.Context) (map[string]map[barge.JobStatus]int, error) {
			<-read
			return map[string]map[barge.JobStatus]int{"q": {barge.JobRunnable: 5, barge.JobSucceeded: 2}}, nil
		}})
		if _, ok := f.Counts("q"); ok {
			t.Fatal("Counts known before Run read them")
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go f.Run(ctx)
		synctest.Wait()
		// While the store is being read: one job starts, one is new.
		f.Publish([]barge.JobChange{change(job("a", "q", barge.JobStarting), barge.JobRunnable), change(job("b", "q", barge.JobRunnable), "")})
		if _, ok := f.Counts("q"); ok {
			t.Fatal("Counts known before the store answered")
		}
		close(read)
		synctest.Wait()
		child := job("p:0", "q", barge.JobSucceeded)
		child.ArrayParent = "p"
		f.Publish([]barge.JobChange{change(child, barge.JobRunning), change(job("a", "q", barge.JobRunning), barge.JobStarting)})
		got, ok := f.Counts("q")
		want := map[barge.JobStatus]int{barge.JobSubmitted: 0, barge.JobPending: 0, barge.JobRunnable: 5, barge.JobStarting: 0,
			barge.JobRunning: 1, barge.JobSucceeded: 2, barge.JobFailed: 0}
		if !ok || len(got) != len(want) {
			t.Fatalf("Counts(q) = %v, %v; want %v", got, ok, want)
		}
		for st, n := range want {
			if got[st] != n {
				t.Errorf("Counts(q)[%s] = %d, want %d", st, got[st], n)
			}
		}
		if got, ok := f.Counts("other"); !ok || got[barge.JobRunnable] != 0 {
			t.Errorf("Counts(other) = %v, %v; want zeros, true", got, ok)
		}
	})
}

// TestFinishedPerMinute: jobs that end are counted in the minute they end,
// top-level jobs only (an array parent counts, its children do not, as in
// Counts), and minutes older than an hour drop out.
func TestFinishedPerMinute(t *testing.T) {
	t0 := time.Date(2025, 6, 1, 12, 0, 30, 0, time.UTC)
	now := t0
	f := New(Options{Now: func() time.Time { return now }})
	finish := func(id string, st barge.JobStatus) {
		f.Publish([]barge.JobChange{change(job(id, "q", st), barge.JobRunning)})
	}
	finish("a", barge.JobSucceeded)
	finish("b", barge.JobFailed)
	parent := job("p", "q", barge.JobSucceeded)
	parent.Spec = &barge.JobSpec{ArraySize: 2}
	for i := range 2 {
		child := job(barge.ChildID("p", i), "q", barge.JobSucceeded)
		child.ArrayParent, child.ArrayIndex = "p", i
		f.Publish([]barge.JobChange{change(child, barge.JobRunning)})
	}
	f.Publish([]barge.JobChange{change(parent, barge.JobPending)})
	f.Publish([]barge.JobChange{change(job("r", "q", barge.JobRunning), barge.JobStarting)})
	now = t0.Add(2 * time.Minute)
	finish("c", barge.JobSucceeded)

	got := f.FinishedPerMinute("q", now)
	if got[59] != 1 || got[57] != 3 || sum(got) != 4 {
		t.Errorf("FinishedPerMinute(q, t0+2m) = %v, want 3 (a, b and the array) at index 57 and 1 at 59", got)
	}
	got = f.FinishedPerMinute("q", t0.Add(59*time.Minute))
	if got[0] != 3 || got[2] != 1 || sum(got) != 4 {
		t.Errorf("FinishedPerMinute(q, t0+59m) = %v, want 3 at index 0 and 1 at 2", got)
	}
	if got := f.FinishedPerMinute("q", t0.Add(61*time.Minute)); got[0] != 1 || sum(got) != 1 {
		t.Errorf("FinishedPerMinute(q, t0+61m) = %v, want only t0+2m's 1, at index 0", got)
	}
	// A minute's slot reused an hour later starts again from zero.
	now = t0.Add(time.Hour)
	finish("d", barge.JobSucceeded)
	if got := f.FinishedPerMinute("q", now); got[59] != 1 || sum(got) != 2 {
		t.Errorf("FinishedPerMinute(q, t0+1h) = %v, want 1 at index 59 and t0+2m's 1", got)
	}
	if got := f.FinishedPerMinute("none", now); sum(got) != 0 {
		t.Errorf("FinishedPerMinute(none) = %v, want zeros", got)
	}
}

func sum(a [60]int) (n int) {
	for _, v := range a {
		n += v
	}
	return n
}

// TestSubscribeGap: a subscriber that does not read loses the events past
// its buffer and then hears how many it lost; status-less writes are no
// events.
func TestSubscribeGap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := New(Options{Buffer: 2, Scope: barge.Scope{Region: "us-east-1", Account: "123456789012"},
			Detail: func(j *barge.Job) ([]byte, error) { return json.Marshal(map[string]string{"jobId": j.ID}) }})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go f.Run(ctx)
		events := f.Subscribe(ctx)
		for _, id := range []string{"a", "b", "c", "d"} {
			f.Publish([]barge.JobChange{change(job(id, "q", barge.JobRunnable), ""), change(job(id, "q", barge.JobRunnable), barge.JobRunnable)})
			synctest.Wait()
		}
		e := <-events
		var env struct {
			Source, DetailType string
			Resources          []string
			Detail             struct{ JobID string }
		}
		if err := json.Unmarshal(e.Detail, &env); err != nil || e.Job.ID != "a" || env.Detail.JobID != "a" ||
			len(env.Resources) != 1 || env.Resources[0] != "arn:aws:batch:us-east-1:123456789012:job/a" {
			t.Errorf("first event = %s (%v), want a's", e.Detail, err)
		}
		if e := <-events; e.Job == nil || e.Job.ID != "b" {
			t.Errorf("second event = %+v, want b's", e)
		}
		f.Publish([]barge.JobChange{change(job("e", "q", barge.JobRunnable), "")})
		synctest.Wait()
		if e := <-events; e.Lost != 2 || e.Job != nil {
			t.Errorf("third event = %+v, want a gap of 2", e)
		}
		if e := <-events; e.Job == nil || e.Job.ID != "e" {
			t.Errorf("fourth event = %+v, want e's", e)
		}
		cancel()
		synctest.Wait()
		if _, ok := <-events; ok {
			t.Error("events still open after the subscriber's context ended")
		}
	})
}
