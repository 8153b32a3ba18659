package store

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

// shareJob returns a RUNNABLE job of share in queue "fq", with the given
// schedulingPriority (none when negative).
func shareJob(id, share string, priority int) *barge.Job {
	j := newJob(id, "fq", id)
	j.Status = barge.JobRunnable
	j.Spec.ShareIdentifier = share
	if priority >= 0 {
		j.Spec.SchedulingPriority = &priority
	}
	return j
}

// shareFixture stores, in queue fq: share a with jobs of priorities 0, 5, 5
// and none, an array of share a at priority 5 with 3 children, a job of
// share b, a SUCCEEDED job of share b, and a job of FIFO queue q.
func shareFixture(t *testing.T) *Store {
	t.Helper()
	s := newStore(t)
	arr := newArray("arr", "fq", "arr", 3)
	arr[0].Spec.ShareIdentifier = "a"
	five := 5
	arr[0].Spec.SchedulingPriority = &five
	done := shareJob("b-done", "b", 0)
	done.Status = barge.JobSucceeded
	jobs := []*barge.Job{shareJob("a0", "a", 0), shareJob("a5", "a", 5), shareJob("b1", "b", 1), done}
	jobs = append(jobs, arr...)
	jobs = append(jobs, shareJob("a5bis", "a", 5), shareJob("anone", "a", -1), newJob("fifo", "q", "fifo"))
	if err := s.InsertJobs(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestShareLines(t *testing.T) {
	s := shareFixture(t)
	ctx := context.Background()

	shares, err := s.RunnableShares(ctx, "fq")
	if err != nil || !slices.Equal(shares, []string{"a", "b"}) {
		t.Errorf("RunnableShares(fq) = %v, %v; want [a b]", shares, err)
	}
	if shares, err := s.RunnableShares(ctx, "q"); err != nil || len(shares) != 0 {
		t.Errorf("RunnableShares(q), a FIFO queue = %v, %v; want none", shares, err)
	}

	// Share a's line: priority 5 (a5, the array's children, a5bis) in
	// submission order, then priority 0 (a0, and anone, which has none).
	want := []string{"a5", "arr:0", "arr:1", "arr:2", "a5bis", "a0", "anone"}
	all, err := s.ShareJobs(ctx, "fq", "a", barge.ShareCursor{}, 100)
	if err != nil || !slices.Equal(ids(all), want) {
		t.Fatalf("ShareJobs(fq, a) = %v, %v; want %v", ids(all), err, want)
	}
	// Read two at a time, each page after the last job of the previous.
	var paged []string
	var cursor barge.ShareCursor
	for range len(want) {
		page, err := s.ShareJobs(ctx, "fq", "a", cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, ids(page)...)
		last := page[len(page)-1]
		cursor = barge.ShareCursor{Priority: 5, Seq: last.Seq}
		if !strings.HasPrefix(last.ID, "a5") && !strings.HasPrefix(last.ID, "arr") {
			cursor.Priority = 0
		}
	}
	if !slices.Equal(paged, want) {
		t.Errorf("ShareJobs(fq, a) by pages of 2 = %v, want %v", paged, want)
	}

	// Placing a job takes it out of its line and makes its share active.
	started := all[0]
	started.Status = barge.JobStarting
	started.Spec = nil
	if err := s.UpdateJob(ctx, started, barge.JobRunnable); err != nil {
		t.Fatal(err)
	}
	if page, _ := s.ShareJobs(ctx, "fq", "a", barge.ShareCursor{}, 1); len(page) != 1 || page[0].ID != "arr:0" {
		t.Errorf("front of a's line after a5 started = %v, want arr:0", ids(page))
	}
	if active, err := s.StartedShares(ctx, "fq"); err != nil || !slices.Equal(active, []string{"a"}) {
		t.Errorf("StartedShares(fq) = %v, %v; want [a]", active, err)
	}
}

func TestListJobsByShare(t *testing.T) {
	s := shareFixture(t)
	ctx := context.Background()
	tests := []struct {
		q    barge.JobQuery
		want []string
	}{
		// Top-level jobs only: the array's children are not listed.
		{barge.JobQuery{Queue: "fq", ShareID: "a"}, []string{"anone", "a5bis", "arr", "a5", "a0"}},
		{barge.JobQuery{Queue: "fq", ShareID: "a", Oldest: true, Limit: 2}, []string{"a0", "a5"}},
		{barge.JobQuery{Queue: "fq", ShareID: "b"}, []string{"b-done", "b1"}},
		{barge.JobQuery{Queue: "fq", ShareID: "b", Status: barge.JobSucceeded}, []string{"b-done"}},
		{barge.JobQuery{Queue: "fq", ShareID: "a", Status: barge.JobPending}, []string{"arr"}},
		{barge.JobQuery{Queue: "fq", ShareID: "c"}, nil},
		{barge.JobQuery{Queue: "q", ShareID: "a"}, nil},
	}
	for _, tt := range tests {
		got, err := s.ListJobs(ctx, tt.q)
		if err != nil || !slices.Equal(ids(got), tt.want) {
			t.Errorf("ListJobs(%+v) = %v, %v; want %v", tt.q, ids(got), err, tt.want)
		}
	}
	// Pages, newest first, continue after the cursor.
	first, _ := s.ListJobs(ctx, barge.JobQuery{Queue: "fq", ShareID: "a", Limit: 2})
	next, err := s.ListJobs(ctx, barge.JobQuery{Queue: "fq", ShareID: "a", Limit: 2, Cursor: first[1].Seq})
	if want := []string{"arr", "a5"}; err != nil || !slices.Equal(ids(next), want) {
		t.Errorf("second page of share a = %v, %v; want %v", ids(next), err, want)
	}
	_, err = s.ListJobs(ctx, barge.JobQuery{ArrayParent: "arr", ShareID: "a"})
	wantCode(t, "ListJobs(share of an array's children)", err, barge.EInvalid)
}

// TestShareQueryPlans checks that the fair-share queries seek the index made
// for them: a share's line, the skip from one share to the next, and the
// SHARE_IDENTIFIER listing with and without a status.
func TestShareQueryPlans(t *testing.T) {
	s := shareFixture(t)
	share := func(q barge.JobQuery) string { query, _ := shareQuerySQL(q); return query }
	tests := []struct {
		name, query, index string
	}{
		{"runnable shares", runnableSharesSQL, "jobs_share_runnable"},
		{"started shares", startedSharesSQL, "jobs_share_started"},
		{"line front", shareLineSQL + " ORDER BY priority DESC, seq LIMIT ?", "jobs_share_runnable"},
		{"line, same priority", shareLineSQL + " AND priority = ? AND seq > ? ORDER BY seq LIMIT ?", "jobs_share_runnable"},
		{"line, lower priorities", shareLineSQL + " AND priority < ? ORDER BY priority DESC, seq LIMIT ?", "jobs_share_runnable"},
		{"filter", share(barge.JobQuery{Queue: "fq", ShareID: "a", Cursor: 9}), "jobs_queue_share"},
		{"filter and status", share(barge.JobQuery{Queue: "fq", ShareID: "a", Status: barge.JobRunning, Cursor: 9}), "jobs_queue_share"},
	}
	for _, tt := range tests {
		args := make([]any, strings.Count(tt.query, "?"))
		for i := range args {
			args[i] = "x"
		}
		plan := queryPlan(t, s, tt.query, args...)
		if !strings.Contains(plan, "USING INDEX "+tt.index) && !strings.Contains(plan, "USING COVERING INDEX "+tt.index) {
			t.Errorf("%s: plan = %q, want a search of %s", tt.name, plan, tt.index)
		}
		if strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "SCAN jobs") {
			t.Errorf("%s: plan = %q, want no sort and no scan", tt.name, plan)
		}
	}
}
