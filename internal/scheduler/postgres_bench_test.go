package scheduler_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/bargehq/barge/internal/pgtest"
)

// benchPG is the PostgreSQL server of the benchmarks run with
// BARGE_TEST_DATABASE=postgres, started on first use, durable (fsync on).
var benchPG = pgtest.New()

func TestMain(m *testing.M) {
	flag.Parse()
	benchPG.Durable = true
	code := m.Run()
	benchPG.Close()
	os.Exit(code)
}

// benchDatabase returns a fresh database for a benchmark's store: a SQLite
// file, or with BARGE_TEST_DATABASE=postgres a PostgreSQL database.
func benchDatabase(b *testing.B) string {
	if os.Getenv("BARGE_TEST_DATABASE") == "postgres" {
		return benchPG.Database(b)
	}
	return filepath.Join(b.TempDir(), "barge.db")
}
