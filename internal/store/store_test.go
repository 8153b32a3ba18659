package store

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/pgtest"
)

// mustOpen opens a store at path and closes it when the test ends.
func mustOpen(tb testing.TB, path string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		tb.Fatalf("Open(%q) = %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// newStore opens a store on a fresh database.
func newStore(tb testing.TB) *Store {
	tb.Helper()
	return mustOpen(tb, testDatabase(tb))
}

// pg is the PostgreSQL server of the tests' PostgreSQL pass, started on
// first use.
var pg = pgtest.New()

// onPostgres is set during the PostgreSQL pass of TestMain.
var onPostgres bool

// testDatabase returns a fresh, empty database for tb, in the dialect of
// the current pass: a SQLite file in a temporary directory, or a new
// PostgreSQL database.
func testDatabase(tb testing.TB) string {
	tb.Helper()
	if onPostgres {
		return pg.Database(tb)
	}
	return filepath.Join(tb.TempDir(), "barge.db")
}

// TestMain runs every test and benchmark twice: on SQLite, and on
// PostgreSQL when one is installed (internal/pgtest). BARGE_TEST_DATABASE
// set to sqlite or postgres runs one pass only.
func TestMain(m *testing.M) {
	flag.Parse()
	// Benchmarks of durable writes need a server that syncs.
	pg.Durable = flag.Lookup("test.bench").Value.String() != ""
	which := os.Getenv("BARGE_TEST_DATABASE")
	code := 0
	if which != "postgres" {
		code = m.Run()
	}
	if which != "sqlite" && pgtest.Bin() != "" {
		fmt.Println("=== the same tests on PostgreSQL")
		onPostgres = true
		if c := m.Run(); c != 0 {
			code = c
		}
	}
	pg.Close()
	if dir := benchDBs[0].dir; dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// wantCode fails the test unless err has the barge error code want.
func wantCode(t *testing.T, op string, err error, want barge.ErrorCode) {
	t.Helper()
	if got := barge.ErrorCodeOf(err); got != want {
		t.Errorf("%s: error code = %q (%v), want %q", op, got, err, want)
	}
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	path := testDatabase(t)
	ms, err := loadMigrations(migrations, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("Open #%d = %v", i+1, err)
		}
		var n, top int
		if err := s.queryRow(ctx, "SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&n, &top); err != nil {
			t.Fatal(err)
		}
		if n != len(ms) || top != ms[len(ms)-1].version {
			t.Errorf("Open #%d: schema_migrations has %d rows up to %d, want %d up to %d",
				i+1, n, top, len(ms), ms[len(ms)-1].version)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	for _, d := range []dialect{sqliteDialect, postgresDialect} {
		ms, err := loadMigrations(migrations, d.name)
		if err != nil {
			t.Fatalf("loadMigrations(%s) = %v", d.name, err)
		}
		for i, m := range ms {
			if m.version != i+1 {
				t.Errorf("%s: migration %d is %s, want number %04d", d.name, i, m.name, i+1)
			}
			if own := strings.Contains(m.name, ".postgres."); own != (d.name == "postgres" && m.version == 5) {
				t.Errorf("%s: migration %d is %s", d.name, m.version, m.name)
			}
		}
	}
}

// TestOpenRefusesNewerSchema: a database that a newer barge has migrated
// further than this one knows is refused, and left as it is.
func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	db := testDatabase(t)
	s := mustOpen(t, db)
	ms, err := loadMigrations(migrations, s.d.name)
	if err != nil {
		t.Fatal(err)
	}
	future := ms[len(ms)-1].version + 1
	err = s.write(ctx, func(tx *wtx) error {
		_, err := tx.exec("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", future, fmt.Sprintf("%04d_future.sql", future))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, db, Options{})
	var tooNew *SchemaTooNewError
	if !errors.As(err, &tooNew) || tooNew.Version != future || tooNew.Known != future-1 {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("Open(a database at version %d) = %v, want a SchemaTooNewError", future, err)
	}
	if !strings.Contains(err.Error(), "newer than this barge knows") {
		t.Errorf("Open's error = %q, want it to say the schema is newer than barge knows", err)
	}
}

// TestConcurrentOpenMigratesOnce: barge processes starting together on one
// fresh PostgreSQL database all open it, and the migrations run once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	if !onPostgres {
		t.Skip("one SQLite file is opened by one barge process")
	}
	ctx := context.Background()
	db := testDatabase(t)
	const n = 6
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(ctx, db, Options{}) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Open #%d = %v", i, errs[i])
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	ms, err := loadMigrations(migrations, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	var rows, distinct int
	if err := stores[0].queryRow(ctx, "SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || distinct != len(ms) {
		t.Errorf("schema_migrations holds %d rows of %d versions, want %d once each", rows, distinct, len(ms))
	}
}

func TestOpenSettings(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if onPostgres {
		// Durable commits: a commit that returned is on disk.
		var sync string
		err := s.write(ctx, func(tx *wtx) error { return tx.queryRow("SHOW synchronous_commit").Scan(&sync) })
		if err != nil || sync != "on" {
			t.Errorf("writer synchronous_commit = %q, %v; want on", sync, err)
		}
		if _, err := s.rdb.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err == nil {
			t.Errorf("reader connection created a table, want it read-only")
		}
		return
	}
	var mode string
	if err := s.queryRow(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	// synchronous is per connection; it matters on the writer's.
	var sync int
	err := s.write(ctx, func(tx *wtx) error { return tx.queryRow("PRAGMA synchronous").Scan(&sync) })
	if err != nil {
		t.Fatal(err)
	}
	if sync != 2 {
		t.Errorf("writer synchronous = %d, want 2 (FULL)", sync)
	}
	_, err = s.rdb.ExecContext(ctx, "CREATE TABLE t (x)")
	if err == nil {
		t.Errorf("reader connection created a table, want it read-only")
	}
}

func TestClose(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
	err := s.CreateJobQueue(ctx, &barge.JobQueue{Name: "q"})
	if err == nil {
		t.Errorf("CreateJobQueue after Close = nil, want an error")
	}
}

func TestPersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := testDatabase(t)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	jobs := []*barge.Job{newJob("j1", "q", "first"), newJob("j2", "q", "second")}
	if err := s.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateJobQueue(ctx, &barge.JobQueue{Name: "q", Priority: 3}); err != nil {
		t.Fatal(err)
	}
	def := &barge.JobDefinition{Name: "d", Status: barge.JobDefinitionActive, Type: "container"}
	if err := s.RegisterJobDefinition(ctx, def); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = mustOpen(t, path)
	got, err := s.GetJobs(ctx, []string{"j1", "j2"})
	if err != nil || len(got) != 2 {
		t.Fatalf("GetJobs after reopen = %d jobs, %v; want 2", len(got), err)
	}
	for i := range jobs {
		if !jobsEqual(got[i], jobs[i]) {
			t.Errorf("GetJobs after reopen [%d] = %+v, want %+v", i, got[i], jobs[i])
		}
	}
	if q, err := s.GetJobQueue(ctx, "q"); err != nil || q.Priority != 3 {
		t.Errorf("GetJobQueue(q) after reopen = %+v, %v; want priority 3", q, err)
	}
	// The revision counter survives too.
	def2 := &barge.JobDefinition{Name: "d", Status: barge.JobDefinitionActive, Type: "container"}
	if err := s.RegisterJobDefinition(ctx, def2); err != nil || def2.Revision != 2 {
		t.Errorf("RegisterJobDefinition(d) after reopen: revision %d, %v; want 2", def2.Revision, err)
	}
}

func TestDBErrorByCode(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	// Each failing statement in a write of its own: on PostgreSQL an error
	// ends the use of the request's transaction.
	exec := func(query string) error {
		var err error
		s.write(ctx, func(tx *wtx) error {
			_, err = tx.exec(query)
			return err
		})
		return err
	}
	if err := exec("INSERT INTO job_queues (name, data) VALUES ('a', '{}')"); err != nil {
		t.Fatal(err)
	}
	dup := exec("INSERT INTO job_queues (name, data) VALUES ('a', '{}')")
	notNull := exec("INSERT INTO job_queues (name, data) VALUES ('b', NULL)")
	if got := barge.ErrorCodeOf(s.d.dbError(notNull)); got != barge.EInternal {
		t.Errorf("dbError(NOT NULL violation %v) code = %q, want %q", notNull, got, barge.EInternal)
	}
	if got := barge.ErrorCodeOf(s.d.dbError(dup)); got != barge.EConflict {
		t.Errorf("dbError(%v) code = %q, want %q", dup, got, barge.EConflict)
	}
	if got := barge.ErrorCodeOf(s.d.dbError(fmt.Errorf("UNIQUE constraint failed"))); got != barge.EInternal {
		t.Errorf("dbError(plain error with the message text) code = %q, want %q", got, barge.EInternal)
	}
}
