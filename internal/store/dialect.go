package store

import (
	"errors"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between the SQL databases the store
// runs on. Queries are written once, in the SQL that SQLite and PostgreSQL
// share: ON CONFLICT ... DO UPDATE and RETURNING are spelled the same in both
// (SQLite 3.35 and later), so they are not here.
type dialect struct {
	name   string // "sqlite" or "postgres": names a migration's own version
	driver string // the database/sql driver name

	// dsn returns the data source name of the database at path, for the
	// writer connection or for the pool of readers. SQLite takes its
	// per-connection settings (pragmas) in the DSN, so every connection the
	// pool opens gets them.
	dsn func(path string, reader bool) (string, error)

	// begin opens a write transaction.
	begin string

	// lockJobs, when not empty, is run by a write transaction before it
	// numbers new jobs, and holds until the transaction ends: the store
	// numbers jobs itself (InsertJobs), which is safe only while one
	// transaction at a time inserts them. SQLite has one writer anyway;
	// several barge processes may write to one PostgreSQL database.
	lockJobs string

	// lockSchema and unlockSchema, when not empty, bracket the migrations:
	// several processes may start on one PostgreSQL database at once, and
	// one of them alone must migrate it. (A SQLite file has one barge
	// process.)
	lockSchema, unlockSchema string

	// schema rewrites a migration file into the database's SQL. It expands
	// the type macros ({{seq_pk}} is an auto-assigned integer primary key,
	// {{blob}} a byte string) and, for PostgreSQL, SQLite's types into
	// their equivalents.
	schema func(sql string) string

	// rebind rewrites a query written with ? placeholders into the
	// database's placeholder syntax (PostgreSQL's is $1, $2, ...).
	rebind func(query string) string

	// isUniqueViolation reports whether err is a driver error saying that
	// a row would duplicate a primary key or a unique index. It classifies
	// by error code, never by message text.
	isUniqueViolation func(err error) bool
}

// sqliteDialect is SQLite through modernc.org/sqlite (pure Go).
var sqliteDialect = dialect{
	name:   "sqlite",
	driver: "sqlite",
	dsn:    sqliteDSN,
	// IMMEDIATE takes the write lock at BEGIN, so a batch never fails
	// halfway on a lock it could not upgrade.
	begin: "BEGIN IMMEDIATE",
	schema: strings.NewReplacer(
		// An INTEGER PRIMARY KEY is the rowid: assigned as max+1 when NULL
		// is inserted, and the table's own b-tree key, so it costs no index.
		// Without AUTOINCREMENT, deleting the newest row frees its number
		// for the next, which is still the newest, so order holds; and
		// AUTOINCREMENT would cost a write to sqlite_sequence per insert.
		"{{seq_pk}}", "INTEGER PRIMARY KEY",
		"{{blob}}", "BLOB",
	).Replace,
	rebind:            func(q string) string { return q },
	isUniqueViolation: sqliteUniqueViolation,
}

// sqliteDSN returns a file: URI for path carrying the connection settings.
//
// Writer: WAL lets readers run while the writer writes; synchronous=FULL
// syncs the WAL at every commit, so a commit that returned is on disk;
// a 64 MiB page cache keeps the interior pages of the job indexes in memory
// for inserts into a table of millions of rows; journal_size_limit shrinks
// the WAL file back to 64 MiB after a checkpoint has emptied it.
//
// No connection maps the database file into memory (mmap_size stays
// SQLite's default, 0). Mapping made GetJobs about a quarter faster, and
// listings up to a sixth, on a database nobody writes to, but cost more
// than it saved in a running server: a reader that finds the database
// changed since its last read unmaps the whole file and faults its pages
// back in (munmap took a sixth of the CPU time of BenchmarkSubmitJob), and
// each connection's mapped pages count in the process's resident memory:
// 4 GB with a million jobs. See docs/PERFORMANCE.md.
//
// Temporary storage stays SQLite's default, files: a savepoint's journal
// (each write request has one) then spills from memory to a file once it
// outgrows 64 KiB, rather than growing in memory, where truncating it walks
// it from the start.
//
// Readers: query_only guards against a write sneaking past the writer
// goroutine; they get a smaller cache each, since there are several.
func sqliteDSN(path string, reader bool) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	if reader {
		q.Add("_pragma", "cache_size(-16384)")
		q.Add("_pragma", "query_only(1)")
	} else {
		// journal_mode is stored in the file: setting it on the writer,
		// which connects first, sets it for the readers too.
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Add("_pragma", "cache_size(-65536)")
		q.Add("_pragma", "journal_size_limit(67108864)")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	// url.URL writes file:///abs/path, which SQLite reads as an empty
	// authority and an absolute path.
	return u.String(), nil
}

func sqliteUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	// Connections run with extended result codes on, so a constraint
	// failure says which constraint it was.
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return false
}

// postgresDialect is PostgreSQL through pgx's database/sql driver.
//
// Migrations are written in SQLite's types, and translated: SQLite's
// INTEGER holds 64 bits, PostgreSQL's 32, so INTEGER becomes BIGINT (times
// are Unix milliseconds); REAL is a double in SQLite and a single in
// PostgreSQL; TEXT compares bytewise in SQLite, and in PostgreSQL by the
// database's collation unless told otherwise, which would reorder listings
// and break the prefix ranges of ListJobs, so every TEXT column is COLLATE
// "C". A migration that cannot be translated this way has a PostgreSQL
// version of its own beside it (NNNN_name.postgres.sql).
var postgresDialect = dialect{
	name:   "postgres",
	driver: "pgx",
	dsn:    postgresDSN,
	// READ COMMITTED: every write is a conditional update or an insert
	// guarded by a unique key, so a concurrent writer's change is seen,
	// not overwritten.
	begin:        "BEGIN",
	lockJobs:     "SELECT pg_advisory_xact_lock(" + strconv.Itoa(lockKeyJobs) + ")",
	lockSchema:   "SELECT pg_advisory_lock(" + strconv.Itoa(lockKeySchema) + ")",
	unlockSchema: "SELECT pg_advisory_unlock(" + strconv.Itoa(lockKeySchema) + ")",
	schema:       postgresSchema,
	rebind:       dollarParams,
	isUniqueViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505" // unique_violation
	},
}

// The advisory lock keys barge takes on PostgreSQL. They are arbitrary but
// fixed: every barge process on one database must use the same.
const (
	lockKeySchema = 0x626172670001 // "barg" 1
	lockKeyJobs   = 0x626172670002 // "barg" 2
)

var (
	sqliteInteger = regexp.MustCompile(`\bINTEGER\b`)
	sqliteReal    = regexp.MustCompile(`\bREAL\b`)
	sqliteText    = regexp.MustCompile(`\bTEXT\b`)
)

func postgresSchema(sql string) string {
	sql = strings.NewReplacer(
		// Numbered by a sequence when no number is given. The store gives
		// one for jobs (InsertJobs) and none elsewhere, so the sequence
		// never lags behind a table it numbers.
		"{{seq_pk}}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
		"{{blob}}", "BYTEA",
	).Replace(sql)
	sql = sqliteInteger.ReplaceAllString(sql, "BIGINT")
	sql = sqliteReal.ReplaceAllString(sql, "DOUBLE PRECISION")
	return sqliteText.ReplaceAllString(sql, `TEXT COLLATE "C"`)
}

// postgresDSN returns the database URL as it is; readers get read-only
// transactions, as SQLite's readers are query_only.
func postgresDSN(dbURL string, reader bool) (string, error) {
	if !reader {
		return dbURL, nil
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// dollarParams rewrites the ? placeholders of query into $1, $2, ...,
// leaving string literals and quoted names alone.
func dollarParams(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isPostgresURL reports whether database names a PostgreSQL database
// rather than a SQLite file.
func isPostgresURL(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}
