package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bargehq/barge"
)

// The read benchmarks and the "filled" write benchmarks run against one
// database filled once per process with BARGE_BENCH_JOBS jobs (default
// 100000). Job i is in queue q<i%4>, named job-<i%1000> (in lower case for
// even i), of definition def-<i%20>, created at benchStart+i ms, RUNNABLE
// when i%10 == 0 and SUCCEEDED otherwise.
const (
	benchQueues = 4
	benchStart  = 1_700_000_000_000
)

// benchDBState is a filled database, one per pass of TestMain: benchDBs[0]
// for SQLite, benchDBs[1] for PostgreSQL.
type benchDBState struct {
	once sync.Once
	dir  string
	path string // a SQLite file or a PostgreSQL URL
	n    int
	err  error
}

var benchDBs [2]benchDBState

// benchDB returns the filled database of the current pass.
func benchDB() *benchDBState {
	if onPostgres {
		return &benchDBs[1]
	}
	return &benchDBs[0]
}

func benchJobs() int {
	if v := os.Getenv("BARGE_BENCH_JOBS"); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil && n > 0 {
			return n
		}
	}
	return 100_000
}

// filledStore opens the shared filled database, filling it on first use.
func filledStore(b *testing.B) (*Store, int) {
	b.Helper()
	benchDB := benchDB()
	benchDB.once.Do(func() {
		benchDB.n = benchJobs()
		if onPostgres {
			benchDB.path = pg.KeptDatabase(b)
		} else {
			benchDB.dir, benchDB.err = os.MkdirTemp("", "barge-bench-")
			if benchDB.err != nil {
				return
			}
			benchDB.path = filepath.Join(benchDB.dir, "barge.db")
		}
		s, err := Open(context.Background(), benchDB.path, Options{})
		if err != nil {
			benchDB.err = err
			return
		}
		start := time.Now()
		benchDB.err = fillJobs(s, benchDB.n)
		b.Logf("filled %d jobs in %v", benchDB.n, time.Since(start))
		if err := s.Close(); benchDB.err == nil {
			benchDB.err = err
		}
	})
	if benchDB.err != nil {
		b.Fatalf("filling the benchmark database: %v", benchDB.err)
	}
	s, err := Open(context.Background(), benchDB.path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, benchDB.n
}

// fillJobs inserts n jobs as described above, in transactions of 50,000
// rows: the fast way to build a big database.
func fillJobs(s *Store, n int) error {
	const chunk = 50_000
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		enc := make([]encodedJob, 0, hi-lo)
		for i := lo; i < hi; i++ {
			e, err := encodeJob(benchJob(i))
			if err != nil {
				return err
			}
			enc = append(enc, e)
		}
		if err := s.write(context.Background(), func(tx *wtx) error { return insertJobs(tx, enc) }); err != nil {
			return err
		}
	}
	return nil
}

func benchJobID(i int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", i*2654435761%(1<<32), i)
}

func benchJob(i int) *barge.Job {
	name := fmt.Sprintf("Job-%d", i%1000)
	if i%2 == 0 {
		name = fmt.Sprintf("job-%d", i%1000)
	}
	j := newJob(benchJobID(i), fmt.Sprintf("q%d", i%benchQueues), name)
	j.Spec.JobDefinitionName = fmt.Sprintf("def-%d", i%20)
	j.Spec.JobDefinitionArn = testScope.JobDefinitionARN(j.Spec.JobDefinitionName, 1)
	j.CreatedAt = benchStart + int64(i)
	j.Status = barge.JobSucceeded
	if i%10 == 0 {
		j.Status = barge.JobRunnable
	}
	return j
}

// submitJob is what one SubmitJob stores: a job with a random UUID.
func submitJob(r *rand.Rand) *barge.Job {
	id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&(1<<48-1))
	j := newJob(id, "q0", "bench-job")
	j.CreatedAt = time.Now().UnixMilli()
	return j
}

// benchmarkInsertJobs submits one job per call from 32 goroutines, the way
// 32 concurrent SubmitJob clients do.
func benchmarkInsertJobs(b *testing.B, s *Store) {
	ctx := context.Background()
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((32 + procs - 1) / procs)
	var seed atomic.Uint64
	seed.Store(uint64(time.Now().UnixNano()))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(seed.Add(1), 42))
		for pb.Next() {
			if err := s.InsertJobs(ctx, []*barge.Job{submitJob(r)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
}

func BenchmarkInsertJobs(b *testing.B) {
	b.Run("empty", func(b *testing.B) { benchmarkInsertJobs(b, newStore(b)) })
	b.Run("filled", func(b *testing.B) {
		s, _ := filledStore(b)
		benchmarkInsertJobs(b, s)
	})
}

// BenchmarkInsertArray10000 submits an array job of 10,000 children: one
// call, 10,001 rows.
func BenchmarkInsertArray10000(b *testing.B) {
	run := func(b *testing.B, s *Store) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
		for b.Loop() {
			b.StopTimer()
			jobs := newArray(submitJob(r).ID, "q1", "array", 10_000)
			b.StartTimer()
			if err := s.InsertJobs(ctx, jobs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*10_001)/b.Elapsed().Seconds(), "jobs/s")
	}
	b.Run("empty", func(b *testing.B) { run(b, newStore(b)) })
	b.Run("filled", func(b *testing.B) {
		s, _ := filledStore(b)
		run(b, s)
	})
}

func BenchmarkGetJobs100(b *testing.B) {
	s, n := filledStore(b)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	ids := make([]string, 100)
	for b.Loop() {
		// 100 distinct jobs spread over the table.
		start := r.IntN(n)
		for i := range ids {
			ids[i] = benchJobID((start + i*(n/100+1)) % n)
		}
		jobs, err := s.GetJobs(ctx, ids)
		if err != nil || len(jobs) != len(ids) {
			b.Fatalf("GetJobs = %d jobs, %v", len(jobs), err)
		}
	}
}

func BenchmarkListJobsPage(b *testing.B) {
	s, n := filledStore(b)
	ctx := context.Background()
	mid := int64(benchStart + n/2)
	// The newest jobs of q0: an array of 10,000 RUNNABLE children, which
	// a listing of q0's RUNNABLE top-level jobs must step over.
	err := s.InsertJobs(ctx, newArray("bench-array", "q0", "array", 10_000))
	if err != nil && barge.ErrorCodeOf(err) != barge.EConflict {
		b.Fatal(err)
	}
	queries := []struct {
		name      string
		q         barge.JobQuery
		firstPage bool
	}{
		{"status", barge.JobQuery{Queue: "q0", Status: barge.JobSucceeded}, false},
		{"status past 10000 children", barge.JobQuery{Queue: "q0", Status: barge.JobRunnable}, true},
		{"children", barge.JobQuery{ArrayParent: "bench-array"}, false},
		{"scheduler", barge.JobQuery{Queue: "q0", Status: barge.JobRunnable, IncludeChildren: true, Oldest: true}, false},
		{"name exact", barge.JobQuery{Queue: "q0", NamePrefix: "JOB-40", NameExact: true, Limit: 20}, false},
		{"name prefix", barge.JobQuery{Queue: "q0", NamePrefix: "job-12"}, false},
		{"jobdef", barge.JobQuery{Queue: "q0", JobDefName: "def-4"}, false},
		{"created after", barge.JobQuery{Queue: "q0", CreatedAfter: mid}, false},
		{"created before", barge.JobQuery{Queue: "q0", CreatedBefore: mid}, false},
	}
	for _, tt := range queries {
		b.Run(tt.name, func(b *testing.B) {
			// The second page, so that the cursor is part of the query.
			first, err := s.ListJobs(ctx, tt.q)
			size := pageSize(tt.q.Limit)
			if err != nil || len(first) != size {
				b.Fatalf("ListJobs(%+v) = %d jobs, %v; want a full page", tt.q, len(first), err)
			}
			q := tt.q
			q.Cursor = first[len(first)-1].Seq
			for b.Loop() {
				jobs, err := s.ListJobs(ctx, q)
				if err != nil || len(jobs) != size {
					b.Fatalf("ListJobs(%+v) = %d jobs, %v", q, len(jobs), err)
				}
			}
		})
	}
}

// BenchmarkOpen measures startup on the filled database.
func BenchmarkOpen(b *testing.B) {
	s, _ := filledStore(b)
	s.Close()
	for b.Loop() {
		s, err := Open(context.Background(), benchDB().path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		// A first read, so that the connection work is counted.
		if _, err := s.GetJobs(context.Background(), []string{benchJobID(0)}); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
