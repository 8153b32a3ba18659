package store

import (
	"context"
	"testing"

	"github.com/bargehq/barge"
)

// TestJobChangeLog: two servers on one database with a change log each
// see the other's job status changes, in commit order, with their origin;
// writes that change no status are not logged, and trimming drops old
// entries.
func TestJobChangeLog(t *testing.T) {
	ctx := context.Background()
	path := testDatabase(t)
	open := func(origin string) *Store {
		s, err := Open(ctx, path, Options{ChangeLog: origin, OnJobsWritten: func([]barge.JobChange) {}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open("a"), open("b")
	start, err := b.LastJobChange(ctx)
	if err != nil || start != 0 {
		t.Fatalf("LastJobChange(empty) = %d, %v; want 0", start, err)
	}
	j := newJob("j1", "q", "one")
	j.Status = barge.JobRunnable
	if err := a.InsertJobs(ctx, []*barge.Job{j, newJob("j2", "q", "two")}); err != nil {
		t.Fatal(err)
	}
	moved := *j
	moved.Status = barge.JobStarting
	if conflicts, err := b.UpdateJobs(ctx, []barge.JobUpdate{{Job: &moved, From: barge.JobRunnable}}); err != nil || len(conflicts) > 0 {
		t.Fatalf("UpdateJobs = %v, %v", conflicts, err)
	}
	tagged := moved
	if conflicts, err := b.UpdateJobs(ctx, []barge.JobUpdate{{Job: &tagged, From: barge.JobStarting}}); err != nil || len(conflicts) > 0 {
		t.Fatalf("UpdateJobs(no status change) = %v, %v", conflicts, err)
	}

	got, err := a.JobChangesAfter(ctx, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []LoggedChange{
		{Seq: 1, Origin: "a", JobID: "j1", From: "", To: barge.JobRunnable},
		{Seq: 2, Origin: "a", JobID: "j2", From: "", To: barge.JobSubmitted},
		{Seq: 3, Origin: "b", JobID: "j1", From: barge.JobRunnable, To: barge.JobStarting},
	}
	if len(got) != len(want) {
		t.Fatalf("JobChangesAfter(0) = %+v; want %+v", got, want)
	}
	for i := range want {
		g := got[i]
		g.At = 0
		if g != want[i] {
			t.Errorf("JobChangesAfter(0)[%d] = %+v; want %+v", i, g, want[i])
		}
	}
	if last, err := a.LastJobChange(ctx); err != nil || last != 3 {
		t.Errorf("LastJobChange = %d, %v; want 3", last, err)
	}
	if rest, err := b.JobChangesAfter(ctx, 2, 100); err != nil || len(rest) != 1 || rest[0].Seq != 3 {
		t.Errorf("JobChangesAfter(2) = %+v, %v; want the entry 3 alone", rest, err)
	}
	if n, err := a.TrimJobChanges(ctx, got[2].At+1); err != nil || n != 3 {
		t.Errorf("TrimJobChanges(after all) = %d, %v; want 3", n, err)
	}
}
