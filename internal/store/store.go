// Package store keeps barge's state in a SQL database: compute environments,
// job queues, scheduling policies, job definitions and jobs.
//
// One Store serves SQLite today and PostgreSQL later through a small dialect
// value; queries are written in the SQL the two share. The schema is a list of
// numbered migrations embedded in the binary and applied at Open.
//
// Writes go through one goroutine that owns the only write connection. It
// gathers the write requests that arrive while it is busy into one
// transaction, runs each inside a savepoint of its own (so a failing request
// rolls back alone) and commits them together: one disk sync for many
// requests, and no caller is answered before its write is durable. Reads run
// on a separate pool of connections, concurrently with the writer (SQLite's
// WAL mode).
//
// Errors are barge errors where a client is at fault: ENotFound for a missing
// resource, EConflict for a duplicate or a stale conditional update. Other
// errors are internal.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// Options configures a Store.
type Options struct {
	// Logger receives the store's few messages (applied migrations). Nil
	// discards them.
	Logger *slog.Logger

	// Readers is the number of connections that serve reads. Zero means
	// four, or twice the number of CPUs if that is more.
	Readers int

	// OnCommit, when set, is called after each of the writer's
	// transactions with how long it took, from BEGIN to COMMIT, and the
	// number of writes it committed together. It runs on the writer
	// goroutine, after the writers were answered: keep it quick.
	OnCommit func(d time.Duration, n int)

	// OnJobsWritten, if set, receives the jobs each durable write inserted
	// or updated, in commit order, from one goroutine of the store's own,
	// never while the writer is held. It must return quickly and must not
	// wait for a store write (that would deadlock): the writer hands it at
	// most notifyBacklog batches ahead and then waits for it, so a slow
	// consumer slows every write but no change is lost while the process
	// runs. Changes committed but not yet handed over when the process
	// stops are not reported again.
	OnJobsWritten func(changes []barge.JobChange)

	// ChangeLog, when set, names this server in the job change log that
	// each write's changes of job status are added to, in commit order,
	// for the other servers sharing the database to follow (changelog.go).
	// It needs OnJobsWritten. "" writes no log.
	ChangeLog string
}

// Store is barge's durable state. Its methods are safe for concurrent use.
type Store struct {
	name   string // the database, for messages: its path, or its URL without the password
	d      dialect
	w      *writer
	wdb    *sql.DB // holds the writer's one connection
	rdb    *sql.DB // the readers' pool
	rstmts sync.Map

	// prefixWalkBudget is how far ListJobs walks a queue for a prefix
	// filter before it sorts the matches instead (jobquery.go); tests
	// change it.
	prefixWalkBudget int
	// prefixMergeValues is the most distinct values a prefix may cover
	// to be merged (jobquery.go); tests change it, 0 turns merging off.
	prefixMergeValues int

	closeOnce sync.Once
	closeErr  error
}

// Open opens the database, creating it if needed, and brings its schema up
// to date. database is a PostgreSQL URL (postgres://... or
// postgresql://...) or else the path of a SQLite file. It does no work
// proportional to the data stored, so it is fast however many jobs the
// database holds.
//
// Open refuses a database whose schema is newer than this barge knows, with
// a *SchemaTooNewError.
func Open(ctx context.Context, database string, opts Options) (*Store, error) {
	d, path := sqliteDialect, database
	if isPostgresURL(database) {
		d, path = postgresDialect, redactURL(database)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ms, err := loadMigrations(migrations, d.name)
	if err != nil {
		return nil, err
	}

	wdsn, err := d.dsn(database, false)
	if err != nil {
		return nil, err
	}
	wdb, err := sql.Open(d.driver, wdsn)
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	conn, err := wdb.Conn(ctx)
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, conn, d, ms, log); err != nil {
		conn.Close()
		wdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}

	rdsn, err := d.dsn(database, true)
	if err != nil {
		conn.Close()
		wdb.Close()
		return nil, err
	}
	rdb, err := sql.Open(d.driver, rdsn)
	if err != nil {
		conn.Close()
		wdb.Close()
		return nil, err
	}
	n := opts.Readers
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	rdb.SetConnMaxLifetime(0)

	s := &Store{name: path, d: d, wdb: wdb, rdb: rdb, w: newWriter(wdb, conn, d, opts.OnJobsWritten), prefixWalkBudget: prefixWalkBudget,
		prefixMergeValues: maxMergeValues}
	s.w.onCommit = opts.OnCommit
	if opts.OnJobsWritten != nil {
		s.w.origin = opts.ChangeLog
	}
	go s.w.run()
	if s.w.notify != nil {
		go s.w.runNotify()
	}
	return s, nil
}

// Database names the store's database for messages: the SQLite file's path,
// or the PostgreSQL URL without its password.
func (s *Store) Database() string { return s.name }

// redactURL returns a database URL fit for messages: without its password.
func redactURL(database string) string {
	u, err := url.Parse(database)
	if err != nil {
		return "the database URL"
	}
	return u.Redacted()
}

// Close stops the writer, after it finishes the batch in progress, and closes
// the database. Writes still waiting fail.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		werr := s.w.stop()
		var errs []error
		errs = append(errs, werr, s.wdb.Close())
		s.rstmts.Range(func(_, v any) bool {
			errs = append(errs, v.(*sql.Stmt).Close())
			return true
		})
		errs = append(errs, s.rdb.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// stmt returns the reader pool's prepared statement for query, preparing it
// on first use. Queries are few and fixed in shape (ListJobs builds one per
// combination of filters), so the cache stays small; database/sql prepares
// each on a reader connection the first time that connection runs it.
func (s *Store) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.rstmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.rdb.PrepareContext(ctx, s.d.rebind(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.rstmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// query runs a read query on the reader pool.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a read query that returns at most one row.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := s.stmt(ctx, query)
	if err != nil {
		// sql.Row carries no error of its own; run the query unprepared so
		// that Scan reports the same failure.
		return s.rdb.QueryRowContext(ctx, s.d.rebind(query), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// queryStrings runs a read query of one text column and returns its values.
func (s *Store) queryStrings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// dbError turns an error from the database into the error a caller gets:
// barge errors and context errors unchanged, a unique-key violation as
// EConflict, anything else wrapped as internal.
func (d dialect) dbError(err error) error {
	if err == nil {
		return nil
	}
	var be *barge.Error
	switch {
	case errors.As(err, &be), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case d.isUniqueViolation(err):
		return barge.Errorf(barge.EConflict, "The resource already exists.")
	}
	return fmt.Errorf("store: %w", err)
}

// pageSize is the page length of a listing: limit, or 100 when it is not
// positive (AWS's default maxResults).
func pageSize(limit int) int {
	if limit <= 0 {
		return 100
	}
	return limit
}
