package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bargehq/barge/internal/pgtest"
)

// testPG is the PostgreSQL server of the tests that run barge on
// PostgreSQL, started on first use.
var testPG = pgtest.New()

func TestMain(m *testing.M) {
	flag.Parse()
	// Benchmarks of durable writes need a server that syncs.
	testPG.Durable = flag.Lookup("test.bench").Value.String() != ""
	code := m.Run()
	testPG.Close()
	kubeCleanup() // the test cluster, if a test started it (kubernetes_test.go)
	os.Exit(code)
}

// pgDatabases maps a test server's data directory to the PostgreSQL
// database it was started on, so that a restart on the directory finds its
// database again.
var pgDatabases sync.Map

// testDatabaseURL returns the database URL a test server on dir starts with:
// the database it had before, if it ran on PostgreSQL; else a fresh
// PostgreSQL database for the subtests of TestOnPostgres, and for every test
// when BARGE_TEST_DATABASE=postgres; else "" (SQLite under dir).
func testDatabaseURL(t testing.TB, dir string) string {
	t.Helper()
	if u, ok := pgDatabases.Load(dir); ok {
		return u.(string)
	}
	if strings.HasPrefix(t.Name(), "TestOnPostgres/") || onPostgres() {
		u := testPG.Database(t)
		pgDatabases.Store(dir, u)
		t.Cleanup(func() { pgDatabases.Delete(dir) })
		return u
	}
	return ""
}

// onPostgres reports whether BARGE_TEST_DATABASE=postgres asks for every
// server of the tests and benchmarks to keep its state in PostgreSQL.
func onPostgres() bool { return os.Getenv("BARGE_TEST_DATABASE") == "postgres" }

// benchStoreDatabase returns what store.Open opens for the server on dir:
// its PostgreSQL database, or the SQLite file in dir.
func benchStoreDatabase(dir string) string {
	if u, ok := pgDatabases.Load(dir); ok {
		return u.(string)
	}
	return filepath.Join(dir, "barge.db")
}

// TestOnPostgres runs tests of the whole server, through the SDK, with its
// state in PostgreSQL (--database-url) rather than SQLite: the control plane,
// jobs run by the simulate executor through their states, arrays,
// dependencies, fair share, and a restart. BARGE_TEST_DATABASE=postgres runs
// every test of the package so.
func TestOnPostgres(t *testing.T) {
	if pgtest.Bin() == "" {
		t.Skip("no PostgreSQL installed (Debian: apt-get install postgresql)")
	}
	for _, tt := range []struct {
		name string
		test func(*testing.T)
	}{
		{"CreateJobQueue", TestCreateJobQueue},
		{"DescribeJobDefinitionsPagination", TestDescribeJobDefinitionsPagination},
		{"ListJobs", TestListJobs},
		{"ListJobsPagination", TestListJobsPagination},
		{"DescribeJobs", TestDescribeJobs},
		{"SimulateJob", TestSimulateJob},
		{"SimulateSurvivesRestart", TestSimulateSurvivesRestart},
		{"ArrayChildrenRun", TestArrayChildrenRun},
		{"DependenciesOnArrays", TestDependenciesOnArrays},
		{"FairShareThroughSDK", TestFairShareThroughSDK},
		{"JobCost", TestJobCost},
		{"EventsStream", TestEventsStream},
	} {
		t.Run(tt.name, tt.test)
	}
}
