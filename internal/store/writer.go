package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/bargehq/barge"
)

// notifyBacklog is how many committed batches of job changes may wait for
// OnJobsWritten before the writer waits for it.
const notifyBacklog = 256

// maxBatch bounds the number of requests committed together, so that the
// first caller of a batch does not wait behind an unbounded queue.
const maxBatch = 1024

// errClosed is what a write gets once the store is closing.
var errClosed = errors.New("closed")

// writer is the goroutine that owns the only write connection. It commits
// write requests in batches: the requests that arrive while it is busy with
// one transaction go together into the next, and share its commit and so its
// disk sync. That is what makes durable writes fast: a sync costs the same
// for one request as for a thousand.
type writer struct {
	conn  *sql.Conn
	db    *sql.DB // the pool of one that conn is from, to replace a dropped conn
	d     dialect
	stmts map[string]*sql.Stmt // prepared on conn; only the writer goroutine uses them

	onCommit func(d time.Duration, n int) // Options.OnCommit; may be nil

	// requests is unbuffered: a request is either taken by the writer, which
	// then answers it, or never sent, so none is stranded at Close.
	requests chan *request
	closing  chan struct{}
	stopped  chan struct{}

	// onJobs is Options.OnJobsWritten; nil when no one listens, and then
	// notify is nil too and no change is recorded.
	onJobs   func([]barge.JobChange)
	origin   string                 // Options.ChangeLog: this server's ID in the change log, "" when there is none
	notify   chan []barge.JobChange // committed changes, in commit order
	notified chan struct{}          // closed when runNotify has returned
}

// request is one caller's write, waiting for its batch to commit.
type request struct {
	ctx  context.Context
	fn   func(*wtx) error
	done chan error

	// repeatable says that fn may run again, from the start, after the
	// transaction it ran in was rolled back (writeRepeatable).
	repeatable bool
	// unhurried says that the write may wait for others to share its
	// commit (barge.Unhurried).
	unhurried bool
}

func newWriter(db *sql.DB, conn *sql.Conn, d dialect, onJobs func([]barge.JobChange)) *writer {
	w := &writer{
		conn:     conn,
		db:       db,
		d:        d,
		stmts:    map[string]*sql.Stmt{},
		requests: make(chan *request),
		closing:  make(chan struct{}),
		stopped:  make(chan struct{}),
		onJobs:   onJobs,
		notified: make(chan struct{}),
	}
	if onJobs != nil {
		w.notify = make(chan []barge.JobChange, notifyBacklog)
	}
	return w
}

// runNotify hands committed job changes to onJobs, in commit order, until
// the writer has stopped and every change it sent is handed over.
func (w *writer) runNotify() {
	defer close(w.notified)
	for changes := range w.notify {
		w.onJobs(changes)
	}
}

// write runs fn in the writer's next transaction, inside a savepoint of its
// own, and returns once that transaction has committed, or failed. A nil
// error means fn's changes are durable. fn's error rolls back fn's changes
// only; the other requests of the batch go on.
//
// fn runs on the writer goroutine and must not block on anything but the
// database (so it must not call write). It runs with ctx's values but
// without its cancellation: a request already started finishes, since
// interrupting the shared connection could disturb the batch. A request
// whose ctx is done before it starts is skipped with ctx's error.
func (s *Store) write(ctx context.Context, fn func(*wtx) error) error {
	return s.submit(ctx, fn, false)
}

// writeRepeatable is write for an fn that may run more than once: running
// it again from the start, after the transaction it ran in was rolled back,
// must come to what running it once would have. It may set its results
// afresh (a job's number, say), but must not add to anything outside the
// transaction that it does not first reset.
//
// A batch of such requests alone runs without savepoints: two statements a
// request fewer, which on PostgreSQL are two round trips and a
// subtransaction (and more than 64 subtransactions in one transaction slow
// every other session's snapshots). If one of them fails, the whole
// transaction is rolled back and the batch runs again, each request in a
// savepoint as write's are. The writes of the hot paths are repeatable:
// inserting and updating jobs, appending log events.
func (s *Store) writeRepeatable(ctx context.Context, fn func(*wtx) error) error {
	return s.submit(ctx, fn, true)
}

func (s *Store) submit(ctx context.Context, fn func(*wtx) error, repeatable bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1), repeatable: repeatable, unhurried: barge.IsUnhurried(ctx)}
	select {
	case s.w.requests <- r:
	case <-s.w.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Wait even if ctx ends now: fn may be using the caller's data.
	return s.d.dbError(<-r.done)
}

// run is the writer goroutine. It returns when the store closes.
func (w *writer) run() {
	defer close(w.stopped)
	if w.notify != nil {
		defer close(w.notify)
	}
	batch := make([]*request, 0, maxBatch)
	timer := time.NewTimer(maxLinger)
	timer.Stop()
	var took time.Duration // by the last commit
	for {
		select {
		case r := <-w.requests:
			batch = append(batch[:0], r)
		case <-w.closing:
			return
		}
		// Take whoever is already waiting; the requests that come during
		// this batch wait for the next.
	gather:
		for len(batch) < maxBatch {
			select {
			case r := <-w.requests:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		d := linger(len(batch), took)
		patient := unhurried(batch)
		if patient {
			d = max(d, maxUnhurried)
		}
		if d > 0 {
			timer.Reset(d)
		wait:
			for len(batch) < maxBatch {
				select {
				case r := <-w.requests:
					batch = append(batch, r)
					if patient && !r.unhurried {
						break wait // a caller waits: it does not wait for more
					}
				case <-timer.C:
					break wait
				}
			}
			timer.Stop()
		}
		took = w.commit(batch)
		clear(batch)
	}
}

// maxLinger bounds how long a batch waits for more requests.
const maxLinger = time.Millisecond

// maxUnhurried is how long a batch of unhurried writes alone waits for
// more: on a server running many tasks, the runner's writes come a few
// milliseconds apart, and each committed alone costs a disk sync and the
// goroutine and thread switches around it (measured on kwok: the writer's
// commits were a fifth of barge's CPU). A write that a caller waits for
// ends the wait.
const maxUnhurried = 5 * time.Millisecond

// unhurried reports whether every request of batch is unhurried.
func unhurried(batch []*request) bool {
	for _, r := range batch {
		if !r.unhurried {
			return false
		}
	}
	return true
}

// linger returns how long a batch of the waiting requests should wait for
// more before it commits, given how long the last commit took.
//
// A commit costs the writer about as much CPU as three requests' inserts
// (its WAL pages, the sync call, the transaction's own statements), so on
// two cores, under load, commits of two or three requests left the writer
// spending most of its time on commits: measured, SubmitJob from 32 clients
// made commits of 2.6 requests. Waiting for more is worth it only while
// more are coming, and that is what several requests having arrived during
// the last commit says; then the batch waits up to half as long as that
// commit took, so that a request's wait grows by at most half. A lone
// caller never waits: it finds itself alone in every batch. (PostgreSQL's
// commit_delay and commit_siblings are the same idea.)
func linger(waiting int, lastCommit time.Duration) time.Duration {
	if waiting < 2 {
		return 0
	}
	return min(lastCommit/2, maxLinger)
}

// commit runs batch in one transaction, answers each request and returns
// how long the transaction took.
func (w *writer) commit(batch []*request) time.Duration {
	errs := make([]error, len(batch))
	start := time.Now()
	changes, err := w.runBatch(batch, errs)
	took := time.Since(start)
	if err != nil {
		w.reconnect()
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	} else if len(changes) > 0 && w.notify != nil {
		// Before the callers hear of their writes, so that whoever sees a
		// write answered may count on its change being on its way.
		w.notify <- changes
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
	if w.onCommit != nil {
		w.onCommit(took, len(batch))
	}
	return took
}

// runBatch runs each request of batch in a savepoint, setting its result in
// errs, and commits. It returns the job changes the committed requests made
// (when someone listens), and an error only when the transaction as a whole
// failed, and then every request has failed.
func (w *writer) runBatch(batch []*request, errs []error) ([]barge.JobChange, error) {
	if repeatable(batch) {
		changes, ok, err := w.runPlain(batch, errs)
		if ok || err != nil {
			return changes, err
		}
		// A request failed, and the transaction is rolled back: run them
		// all again, each in a savepoint.
		clear(errs)
	}
	ctx := context.Background()
	if _, err := w.exec(ctx, w.d.begin); err != nil {
		return nil, err
	}
	tx := &wtx{w: w}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := w.exec(ctx, "SAVEPOINT request"); err != nil {
			return nil, w.rollback(err)
		}
		tx.ctx = context.WithoutCancel(r.ctx)
		mark, jobRead := len(tx.changes), tx.jobRead
		if errs[i] = tx.checkFence(); errs[i] == nil {
			errs[i] = r.fn(tx)
		}
		var err error
		if errs[i] != nil {
			tx.changes = tx.changes[:mark]
			// Rolling back to the savepoint also releases a lock taken
			// after it, the lock on numbering jobs among them, and the
			// lease row's that a fence check took (fence.go).
			tx.jobRead = jobRead
			tx.fenced = nil
			// Some failures (a full disk, say) make SQLite roll back the
			// whole transaction; then the savepoint is gone, ROLLBACK TO
			// fails, and so does the batch.
			if _, err = w.exec(ctx, "ROLLBACK TO request"); err == nil {
				_, err = w.exec(ctx, "RELEASE request")
			}
		} else {
			_, err = w.exec(ctx, "RELEASE request")
		}
		if err != nil {
			return nil, w.rollback(err)
		}
	}
	if w.origin != "" {
		if err := w.logChanges(ctx, tx.changes); err != nil {
			return nil, w.rollback(err)
		}
	}
	if _, err := w.exec(ctx, "COMMIT"); err != nil {
		return nil, w.rollback(err)
	}
	return tx.changes, nil
}

// repeatable reports whether every request of batch is repeatable.
func repeatable(batch []*request) bool {
	for _, r := range batch {
		if !r.repeatable {
			return false
		}
	}
	return true
}

// runPlain runs a batch of repeatable requests in one transaction without
// savepoints and commits it, setting errs of the requests skipped because
// their context ended. ok is false when one of several requests failed: the
// transaction is then rolled back, nothing of it is written, and the batch
// should run again with savepoints (a request alone in its batch gets its
// error at once). err is the failure of the transaction as a whole, as
// runBatch's.
func (w *writer) runPlain(batch []*request, errs []error) (changes []barge.JobChange, ok bool, err error) {
	ctx := context.Background()
	if _, err := w.exec(ctx, w.d.begin); err != nil {
		return nil, false, err
	}
	tx := &wtx{w: w}
	for i, r := range batch {
		if errs[i] = r.ctx.Err(); errs[i] != nil {
			continue
		}
		tx.ctx = context.WithoutCancel(r.ctx)
		err := tx.checkFence()
		if err == nil {
			err = r.fn(tx)
		}
		if err != nil {
			if _, rerr := w.exec(ctx, "ROLLBACK"); rerr != nil {
				return nil, false, err // the connection is gone: the batch failed
			}
			if len(batch) == 1 {
				// Alone, it failed alone: nothing to run again.
				errs[i] = err
				return nil, true, nil
			}
			return nil, false, nil
		}
	}
	if w.origin != "" {
		if err := w.logChanges(ctx, tx.changes); err != nil {
			return nil, false, w.rollback(err)
		}
	}
	if _, err := w.exec(ctx, "COMMIT"); err != nil {
		return nil, false, w.rollback(err)
	}
	return tx.changes, true, nil
}

// reconnect replaces the writer's connection after a failed batch if the
// database no longer answers on it: a PostgreSQL server restarted, or a
// connection cut, would otherwise fail every write until barge restarts.
// If no new connection can be made, writes fail (the old connection is
// closed) until a later failed batch makes one.
func (w *writer) reconnect() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if w.conn.PingContext(ctx) == nil {
		return
	}
	for _, st := range w.stmts {
		st.Close()
	}
	clear(w.stmts)
	// Closing a connection that failed as broken discards it, and frees
	// the pool's one place for the new one.
	w.conn.Close()
	if conn, err := w.db.Conn(ctx); err == nil {
		w.conn = conn
	}
}

// rollback ends a failed transaction and returns err, the reason it failed.
func (w *writer) rollback(err error) error {
	// The transaction may be gone already; a failing ROLLBACK then says
	// nothing new.
	w.exec(context.Background(), "ROLLBACK")
	return err
}

// stmt returns the writer's prepared statement for query.
func (w *writer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	st, err := w.conn.PrepareContext(ctx, w.d.rebind(query))
	if err != nil {
		return nil, err
	}
	w.stmts[query] = st
	return st, nil
}

func (w *writer) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// stop makes run return after the batch in progress and closes the
// connection.
func (w *writer) stop() error {
	close(w.closing)
	<-w.stopped
	if w.onJobs != nil {
		<-w.notified
	}
	var errs []error
	for _, st := range w.stmts {
		errs = append(errs, st.Close())
	}
	errs = append(errs, w.conn.Close())
	return errors.Join(errs...)
}

// wtx is a write request's view of the writer's transaction.
type wtx struct {
	ctx     context.Context
	w       *writer
	changes []barge.JobChange // the batch's job changes so far
	fenced  map[Fence]bool    // the fences checked in this transaction (fence.go)

	// The newest job's number and creation time, once jobRead (lastJob).
	jobRead            bool
	jobSeq, jobCreated int64
}

// changed records that the transaction wrote j, from status from ("" for a
// new job), for OnJobsWritten. It keeps a snapshot of j, since its caller
// may go on changing j once its write is answered. Only the job's own
// fields and its runtime are copied: the spec is immutable once stored (tags
// aside, which are set on a job read afresh), and attempts are appended,
// never changed in place.
func (t *wtx) changed(j *barge.Job, from barge.JobStatus) {
	if t.w.onJobs == nil {
		return
	}
	c := *j
	c.Attempts = slices.Clip(c.Attempts)
	if c.Runtime != nil {
		r := *c.Runtime
		c.Runtime = &r
	}
	c.WaitsFor = nil
	t.changes = append(t.changes, barge.JobChange{Job: &c, From: from})
}

// exec runs a statement in the transaction.
func (t *wtx) exec(query string, args ...any) (sql.Result, error) {
	return t.w.exec(t.ctx, query, args...)
}

// queryRow runs a query returning at most one row (an INSERT ... RETURNING,
// say) in the transaction.
func (t *wtx) queryRow(query string, args ...any) *sql.Row {
	st, err := t.w.stmt(t.ctx, query)
	if err != nil {
		return t.w.conn.QueryRowContext(t.ctx, t.w.d.rebind(query), args...)
	}
	return st.QueryRowContext(t.ctx, args...)
}

// affected returns the number of rows a statement changed.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
