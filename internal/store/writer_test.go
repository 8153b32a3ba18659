package store

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bargehq/barge"
)

// TestWriteBatchIsolation sends a duplicate-ID insert together with good
// inserts into one batch: the duplicate fails alone.
func TestWriteBatchIsolation(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, err := Open(ctx, filepath.Join(dir, "barge.db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.InsertJobs(ctx, []*barge.Job{newJob("taken", "q", "x")}); err != nil {
			t.Fatal(err)
		}
		checkOneBatch(t, s, insertInOneBatch(t, s, synctest.Wait))
	})
}

// batchIDs are the jobs insertInOneBatch inserts, one request each; the job
// "taken" is already stored.
var batchIDs = []string{"good1", "taken", "good2", "good3"}

// insertInOneBatch inserts each of batchIDs in a request of its own, all in
// one batch of the writer, and returns each request's error. settle returns
// once the goroutines started wait to hand their requests to the writer.
func insertInOneBatch(t *testing.T, s *Store, settle func()) []error {
	t.Helper()
	ctx := context.Background()
	// Hold the writer in a batch of its own while the requests under test
	// queue up behind it; it then takes them all into the next.
	release := make(chan struct{})
	held := make(chan error)
	go func() { held <- s.write(ctx, func(*wtx) error { <-release; return nil }) }()
	settle()
	errs := make([]error, len(batchIDs))
	var wg sync.WaitGroup
	for i, id := range batchIDs {
		wg.Go(func() { errs[i] = s.InsertJobs(ctx, []*barge.Job{newJob(id, "q", id)}) })
	}
	settle() // all four wait for the busy writer
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatalf("holding write = %v", err)
	}
	return errs
}

// checkOneBatch checks what insertInOneBatch did: the duplicate failed
// alone, and the others are stored, each with a number of its own.
func checkOneBatch(t *testing.T, s *Store, errs []error) {
	t.Helper()
	for i, id := range batchIDs {
		want := barge.ErrorCode("")
		if id == "taken" {
			want = barge.EConflict
		}
		wantCode(t, fmt.Sprintf("InsertJobs(%s)", id), errs[i], want)
	}
	got, err := s.GetJobs(context.Background(), batchIDs)
	if err != nil || len(got) != 4 {
		t.Fatalf("GetJobs(%v) = %d jobs, %v; want 4", batchIDs, len(got), err)
	}
	seqs := map[int64]bool{}
	for _, j := range got {
		seqs[j.Seq] = true
	}
	if len(seqs) != 4 {
		t.Errorf("the jobs' numbers %v are not distinct", seqs)
	}
}

// TestRepeatableBatchFails sends a batch of repeatable writes, one of
// which fails, on both databases: the batch first runs without savepoints,
// is rolled back when the duplicate fails, and runs again with them, so the
// others are stored once and logged once in the change log, and the
// duplicate alone fails.
func TestRepeatableBatchFails(t *testing.T) {
	ctx := context.Background()
	commits := make(chan int, 8) // each commit's number of requests
	s, err := Open(ctx, testDatabase(t), Options{ChangeLog: "me", OnJobsWritten: func([]barge.JobChange) {},
		OnCommit: func(_ time.Duration, n int) { commits <- n }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.InsertJobs(ctx, []*barge.Job{newJob("taken", "q", "x")}); err != nil {
		t.Fatal(err)
	}
	<-commits
	// Outside a synctest bubble (PostgreSQL is another process), half a
	// second is what the goroutines get to reach the writer.
	errs := insertInOneBatch(t, s, func() { time.Sleep(500 * time.Millisecond) })
	if held, batch := <-commits, <-commits; held != 1 || batch != 4 {
		t.Fatalf("commits of %d, then %d requests; want 1 (the holding write), then 4: the inserts did not share a batch", held, batch)
	}
	checkOneBatch(t, s, errs)
	changes, err := s.JobChangesAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]int{}
	for _, c := range changes {
		logged[c.JobID]++
	}
	if want := map[string]int{"taken": 1, "good1": 1, "good2": 1, "good3": 1}; !maps.Equal(logged, want) {
		t.Errorf("change log has %v, want each job once: %v", logged, want)
	}
}

// TestUnhurriedWrites: a batch of unhurried writes (barge.Unhurried) waits
// up to maxUnhurried for more to share its commit; a write that a caller
// waits for commits at once, and ends such a wait.
func TestUnhurriedWrites(t *testing.T) {
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		var batches []int
		s, err := Open(ctx, filepath.Join(dir, "barge.db"), Options{OnCommit: func(_ time.Duration, n int) { batches = append(batches, n) }})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		insert := func(ctx context.Context, id string) {
			if err := s.InsertJobs(ctx, []*barge.Job{newJob(id, "q", id)}); err != nil {
				t.Errorf("InsertJobs(%s) = %v", id, err)
			}
		}
		// at runs insert after d, and returns when it was answered.
		at := func(d time.Duration, ctx context.Context, id string) chan time.Duration {
			answered := make(chan time.Duration, 1)
			go func() {
				time.Sleep(d)
				start := time.Now()
				insert(ctx, id)
				answered <- time.Since(start)
			}()
			return answered
		}
		slow := barge.Unhurried(ctx)

		batches = nil
		a, b := at(0, slow, "a"), at(2*time.Millisecond, slow, "b")
		if waited := <-a; waited != 5*time.Millisecond {
			t.Errorf("an unhurried write waited %v, want %v", waited, 5*time.Millisecond)
		}
		<-b
		synctest.Wait() // the writer has reported the commit (OnCommit comes after the answers)
		if !slices.Equal(batches, []int{2}) {
			t.Errorf("two unhurried writes 2 ms apart: batches of %v, want one of 2", batches)
		}

		batches = nil
		c, d := at(0, slow, "c"), at(time.Millisecond, ctx, "d")
		if waited := <-c; waited != time.Millisecond {
			t.Errorf("an unhurried write joined by a hurried one 1 ms later waited %v, want 1ms", waited)
		}
		if waited := <-d; waited != 0 {
			t.Errorf("the hurried write waited %v, want 0", waited)
		}
		synctest.Wait()
		if !slices.Equal(batches, []int{2}) {
			t.Errorf("batches of %v, want one of 2", batches)
		}

		batches = nil
		if waited := <-at(0, ctx, "e"); waited != 0 {
			t.Errorf("a hurried write alone waited %v, want 0", waited)
		}
	})
}

// TestWriteErrorRollsBackRequest checks that a request's error undoes its
// own statements, even those that succeeded.
func TestWriteErrorRollsBackRequest(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	err := s.InsertJobs(ctx, []*barge.Job{newJob("a", "q", "a"), newJob("b", "q", "b"), newJob("a", "q", "again")})
	wantCode(t, "InsertJobs(a, b, a)", err, barge.EConflict)
	got, err := s.GetJobs(ctx, []string{"a", "b"})
	if err != nil || len(got) != 0 {
		t.Errorf("GetJobs(a, b) after a failed InsertJobs = %d jobs, %v; want none", len(got), err)
	}
}

// TestConcurrentInsertJobs inserts from 32 goroutines and checks after a
// reopen that every acknowledged job is there.
func TestConcurrentInsertJobs(t *testing.T) {
	ctx := context.Background()
	path := testDatabase(t)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 32, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%02d-%02d", w, i)
				errs <- s.InsertJobs(ctx, []*barge.Job{newJob(id, "q", id)})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("InsertJobs = %v", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, path)
	seen := map[int64]bool{}
	for w := range writers {
		ids := make([]string, each)
		for i := range each {
			ids[i] = fmt.Sprintf("w%02d-%02d", w, i)
		}
		got, err := s.GetJobs(ctx, ids)
		if err != nil || len(got) != each {
			t.Fatalf("GetJobs(writer %d) = %d jobs, %v; want %d", w, len(got), err, each)
		}
		for i, j := range got {
			if j.ID != ids[i] {
				t.Errorf("GetJobs(writer %d)[%d].ID = %q, want %q", w, i, j.ID, ids[i])
			}
			if seen[j.Seq] {
				t.Errorf("Seq %d assigned twice", j.Seq)
			}
			seen[j.Seq] = true
		}
	}
}

func TestWriteCancelled(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.write(ctx, func(*wtx) error { ran = true; return nil })
	if err != context.Canceled || ran {
		t.Errorf("write(cancelled ctx) = %v, ran %v; want %v, not run", err, ran, context.Canceled)
	}
}

func TestLinger(t *testing.T) {
	tests := []struct {
		waiting    int
		lastCommit time.Duration
		want       time.Duration
	}{
		{1, 600 * time.Microsecond, 0}, // alone: commit at once
		{0, time.Millisecond, 0},
		{2, 600 * time.Microsecond, 300 * time.Microsecond},
		{30, 500 * time.Microsecond, 250 * time.Microsecond},
		{5, 10 * time.Millisecond, maxLinger}, // a slow disk: bounded
		{5, 0, 0},                             // the first batch
	}
	for _, tt := range tests {
		if got := linger(tt.waiting, tt.lastCommit); got != tt.want {
			t.Errorf("linger(%d, %v) = %v, want %v", tt.waiting, tt.lastCommit, got, tt.want)
		}
	}
}

// TestInsertJobsFromTwoStores: two stores on one PostgreSQL database (two
// barge processes) insert jobs at once; every insert succeeds, and the jobs
// are numbered once each, their creation times never decreasing with the
// number.
func TestInsertJobsFromTwoStores(t *testing.T) {
	if !onPostgres {
		t.Skip("one SQLite file has one store")
	}
	ctx := context.Background()
	db := testDatabase(t)
	stores := []*Store{mustOpen(t, db), mustOpen(t, db)}
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers*each)
	for k, s := range stores {
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					id := fmt.Sprintf("s%d-w%02d-%02d", k, w, i)
					j := newJob(id, "q", id)
					// Clocks of two machines disagree a little.
					j.CreatedAt -= int64(k * 5)
					errs <- s.InsertJobs(ctx, []*barge.Job{j})
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("InsertJobs = %v", err)
		}
	}
	rows, err := stores[0].query(ctx, "SELECT seq, created_at FROM jobs ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	var lastSeq, lastCreated int64
	for rows.Next() {
		var seq, created int64
		if err := rows.Scan(&seq, &created); err != nil {
			t.Fatal(err)
		}
		if seq == lastSeq || created < lastCreated {
			t.Errorf("job %d created at %d follows job %d created at %d", seq, created, lastSeq, lastCreated)
		}
		lastSeq, lastCreated = seq, created
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 2*writers*each {
		t.Errorf("%d jobs stored, want %d", n, 2*writers*each)
	}
}

// TestWriterReconnects: when the database drops the writer's connection (a
// PostgreSQL server restarted, a network cut), writes fail at most until
// the writer has a new one, and then succeed again.
func TestWriterReconnects(t *testing.T) {
	if !onPostgres {
		t.Skip("a SQLite connection is not dropped")
	}
	s := newStore(t)
	ctx := context.Background()
	var pid int
	if err := s.write(ctx, func(tx *wtx) error { return tx.queryRow("SELECT pg_backend_pid()").Scan(&pid) }); err != nil {
		t.Fatal(err)
	}
	// A reader's session may end another session of its user.
	if _, err := s.rdb.ExecContext(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatalf("pg_terminate_backend(writer) = %v", err)
	}
	// The first write after the cut may fail; the next ones must not.
	var errs []error
	for i := range 3 {
		errs = append(errs, s.InsertJobs(ctx, []*barge.Job{newJob(fmt.Sprintf("after-cut-%d", i), "q", "j")}))
	}
	if errs[1] != nil || errs[2] != nil {
		t.Fatalf("InsertJobs after the writer's connection was cut = %v", errs)
	}
	if got, err := s.GetJobs(ctx, []string{"after-cut-1", "after-cut-2"}); err != nil || len(got) != 2 {
		t.Errorf("GetJobs(after the cut) = %d jobs, %v; want 2", len(got), err)
	}
}
