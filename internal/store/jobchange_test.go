package store

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/bargehq/barge"
)

// TestOnJobsWritten: the hook hears of committed inserts and updates, in
// commit order, as snapshots; not of a failed insert nor of a conflicting
// update; and all of them before Close returns.
func TestOnJobsWritten(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	var got []string
	s, err := Open(ctx, testDatabase(t), Options{OnJobsWritten: func(cs []barge.JobChange) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range cs {
			got = append(got, c.Job.ID+":"+string(c.From)+">"+string(c.Job.Status))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := newJob("a", "q", "a"), newJob("b", "q", "b")
	if err := s.InsertJobs(ctx, []*barge.Job{a, b}); err != nil {
		t.Fatal(err)
	}
	err = s.InsertJobs(ctx, []*barge.Job{newJob("c", "q", "c"), newJob("a", "q", "again")})
	wantCode(t, "InsertJobs(c, a)", err, barge.EConflict)
	a.Status = barge.JobRunnable
	if conflicts, err := s.UpdateJobs(ctx, []barge.JobUpdate{{Job: a, From: barge.JobSubmitted}, {Job: b, From: barge.JobRunning}}); err != nil || len(conflicts) != 1 {
		t.Fatalf("UpdateJobs = %v, %v; want b's conflict", conflicts, err)
	}
	a.Status = barge.JobFailed // after the write: the hook's snapshot must not see it
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := "a:>SUBMITTED b:>SUBMITTED a:SUBMITTED>RUNNABLE"
	if strings.Join(got, " ") != want {
		t.Errorf("OnJobsWritten heard %q, want %q", strings.Join(got, " "), want)
	}
}
