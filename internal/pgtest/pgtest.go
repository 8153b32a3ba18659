// Package pgtest runs a throwaway PostgreSQL server for tests: one server
// per test binary, started on first use from the PostgreSQL binaries
// installed on the machine (Debian's postgresql package puts them in
// /usr/lib/postgresql/<version>/bin), and a fresh database per test.
//
// The server lives in a temporary directory, listens on a Unix socket there
// and nowhere else, and is stopped, and its directory removed, by Close. As
// root, it runs as the unprivileged user postgres (or nobody), since
// PostgreSQL refuses to run as root.
//
// Test-only: only _test.go files import it.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Server is a PostgreSQL server for one test binary. The zero value is not
// usable; call New.
type Server struct {
	// Durable, when set before the first Database call, runs the server
	// with fsync on, as in production: for benchmarks of durable writes.
	// Tests leave it off; they do not survive a machine crash anyway.
	Durable bool

	once     sync.Once
	skip     string // why there is no server, when no PostgreSQL is installed
	err      error  // why the server did not start
	dir      string
	cmd      *exec.Cmd
	exited   chan struct{}
	admin    *sql.DB
	adminURL string
	n        atomic.Int64
}

// New returns a Server that starts on first use.
func New() *Server { return &Server{} }

// Bin returns the directory of the newest PostgreSQL's binaries installed,
// or "" if there is none. BARGE_PG_BIN, when set, names it instead.
func Bin() string {
	if dir := os.Getenv("BARGE_PG_BIN"); dir != "" {
		return dir
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var found []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			found = append(found, d)
		}
	}
	sort.Slice(found, func(i, j int) bool { return version(found[i]) < version(found[j]) })
	if len(found) == 0 {
		return ""
	}
	return found[len(found)-1]
}

// version returns the major version in a path /usr/lib/postgresql/N/bin.
func version(bin string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return n
}

// Database creates a fresh, empty database for tb and returns its URL; the
// database is dropped when tb ends. tb is skipped when no PostgreSQL is
// installed, and fails when one is but does not start.
func (s *Server) Database(tb testing.TB) string {
	tb.Helper()
	s.once.Do(s.start)
	switch {
	case s.skip != "":
		tb.Skip(s.skip)
	case s.err != nil:
		tb.Fatalf("start PostgreSQL: %v", s.err)
	}
	name, err := s.create()
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	tb.Cleanup(func() {
		// FORCE ends connections a failed test left open.
		if _, err := s.admin.ExecContext(ctx, `DROP DATABASE "`+name+`" WITH (FORCE)`); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	return s.url(name)
}

// KeptDatabase creates a fresh, empty database that lives as long as the
// server, for data shared by several tests or benchmarks (a filled
// database), and returns its URL. tb is skipped or failed as by Database.
func (s *Server) KeptDatabase(tb testing.TB) string {
	tb.Helper()
	s.once.Do(s.start)
	switch {
	case s.skip != "":
		tb.Skip(s.skip)
	case s.err != nil:
		tb.Fatalf("start PostgreSQL: %v", s.err)
	}
	name, err := s.create()
	if err != nil {
		tb.Fatal(err)
	}
	return s.url(name)
}

// create creates a database with a new name and returns the name.
func (s *Server) create() (string, error) {
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.n.Add(1))
	if _, err := s.admin.ExecContext(context.Background(), `CREATE DATABASE "`+name+`"`); err != nil {
		return "", fmt.Errorf("create database %s: %v", name, err)
	}
	return name, nil
}

// url returns the URL of the database called name.
func (s *Server) url(name string) string {
	q := url.Values{"host": {s.dir}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", User: url.User("barge"), Path: "/" + name, RawQuery: q.Encode()}).String()
}

// start initializes a database cluster in a new temporary directory and
// starts a server on it, setting s.skip or s.err if it cannot.
func (s *Server) start() {
	bin := Bin()
	if bin == "" {
		s.skip = "no PostgreSQL installed (no /usr/lib/postgresql/*/bin/postgres; Debian: apt-get install postgresql, " +
			"or set BARGE_PG_BIN): the PostgreSQL tests are skipped"
		return
	}
	s.err = s.run(bin)
	if s.err != nil {
		s.Close()
	}
}

func (s *Server) run(bin string) error {
	// A short path: the socket's path must fit in 107 bytes.
	dir, err := os.MkdirTemp("", "barge-pg-")
	if err != nil {
		return err
	}
	s.dir = dir
	cred, err := unprivileged()
	if err != nil {
		return err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "barge", "--auth=trust",
		"--encoding=UTF8", "--no-locale", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	fsync := "off"
	if s.Durable {
		fsync = "on"
	}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-k", dir, // the Unix socket's directory
		"-c", "listen_addresses=", // and no TCP
		"-c", "fsync="+fsync,
		"-c", "full_page_writes="+fsync,
		"-c", "max_connections=500",
		"-c", "shared_buffers=256MB",
	)
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Its own process group, so that a ^C to the tests reaches the server
	// only through Close; and killed if this process dies first.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.exited = make(chan struct{})
	go func() { s.cmd.Wait(); close(s.exited) }()

	s.adminURL = s.url("postgres")
	s.admin, err = sql.Open("pgx", s.adminURL)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = s.admin.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("postgres exited: %s", logTail(dir))
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within 60s: %v\n%s", err, logTail(dir))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logTail returns the end of the server's log.
func logTail(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return strings.TrimSpace(string(b))
}

// unprivileged returns the credential the server runs with: nil (this
// process's own) unless this process is root, and then the user postgres,
// or nobody.
func unprivileged() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: false, Groups: []uint32{}}, nil
	}
	return nil, errors.New("running as root, and neither user postgres nor nobody exists to run PostgreSQL as")
}

// Close stops the server, if it started, and removes its directory.
func (s *Server) Close() {
	if s.admin != nil {
		s.admin.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		// SIGQUIT: immediate shutdown; the databases are thrown away.
		s.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}
