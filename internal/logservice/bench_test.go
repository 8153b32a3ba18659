package logservice

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// benchService returns a service over a fresh store in dir, with one
// group/stream.
func benchService(b *testing.B, dir string) (*Service, *store.Store) {
	b.Helper()
	st, err := store.Open(ctx0, filepath.Join(dir, "barge.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	svc := New(Config{Store: st, Scope: barge.Scope{Region: testRegion, Account: testAccount}})
	if err := svc.EnsureStream(ctx0, "/aws/batch/job", "bench/default/1", true); err != nil {
		b.Fatal(err)
	}
	return svc, st
}

// benchLines returns n lines of job output of about 80 bytes each, a
// millisecond apart from start.
func benchLines(start int64, n int) []barge.LogLine {
	pad := strings.Repeat("x", 60)
	events := make([]barge.LogLine, n)
	for i := range events {
		events[i] = barge.LogLine{Time: time.UnixMilli(start + int64(i)), Message: fmt.Sprintf("%08d %s line of output", i, pad)}
	}
	return events
}

// BenchmarkAppend10k appends 10,000 lines of job output in one call, as the
// runner does with a burst of output; each op is one durable append.
func BenchmarkAppend10k(b *testing.B) {
	svc, st := benchService(b, b.TempDir())
	defer st.Close()
	events := benchLines(time.Now().UnixMilli(), 10_000)
	b.ReportAllocs()
	for b.Loop() {
		if err := svc.Append(ctx0, "/aws/batch/job", "bench/default/1", events); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(events))/b.Elapsed().Seconds(), "lines/s")
}

// The GetLogEvents benchmarks read a stream of BARGE_BENCH_LOG_EVENTS
// events (default 1,000,000), filled once per process.
var bigStream = struct {
	once sync.Once
	dir  string
	svc  *Service
	st   *store.Store
	n    int
	err  error
}{}

func benchLogEvents() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("BARGE_BENCH_LOG_EVENTS"), &n); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

func filledStream(b *testing.B) *Service {
	b.Helper()
	bigStream.once.Do(func() {
		bigStream.n = benchLogEvents()
		bigStream.dir, bigStream.err = os.MkdirTemp("", "barge-logs-bench-")
		if bigStream.err != nil {
			return
		}
		bigStream.svc, bigStream.st = benchService(b, bigStream.dir)
		start := time.Now().Add(-24 * time.Hour).UnixMilli()
		for lo := 0; lo < bigStream.n && bigStream.err == nil; lo += 100_000 {
			bigStream.err = bigStream.svc.Append(ctx0, "/aws/batch/job", "bench/default/1", benchLines(start+int64(lo), min(100_000, bigStream.n-lo)))
		}
	})
	if bigStream.err != nil {
		b.Fatal(bigStream.err)
	}
	return bigStream.svc
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bigStream.st != nil {
		bigStream.st.Close()
	}
	if bigStream.dir != "" {
		os.RemoveAll(bigStream.dir)
	}
	os.Exit(code)
}

// BenchmarkGetLogEvents reads one page of a stream of a million events: the
// newest page (what a console shows first), the oldest, and a page from a
// token in the middle, each of 100 events and of as many as a page holds
// (10,000 events or 1 MiB).
func BenchmarkGetLogEvents(b *testing.B) {
	svc := filledStream(b)
	mid, err := svc.GetLogEvents(ctx0, GetLogEventsInput{
		Group: "/aws/batch/job", Stream: "bench/default/1", StartFromHead: true, Limit: new(1),
		StartTime: new(time.Now().Add(-24*time.Hour).UnixMilli() + int64(bigStream.n/2)),
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, limit := range []int{100, 10_000} {
		for _, c := range []struct {
			name string
			in   GetLogEventsInput
		}{
			{"newest", GetLogEventsInput{}},
			{"oldest", GetLogEventsInput{StartFromHead: true}},
			{"middle", GetLogEventsInput{NextToken: mid.NextForwardToken}},
		} {
			b.Run(fmt.Sprintf("%s/%d", c.name, limit), func(b *testing.B) {
				in := c.in
				in.Group, in.Stream, in.Limit = "/aws/batch/job", "bench/default/1", &limit
				b.ReportAllocs()
				for b.Loop() {
					out, err := svc.GetLogEvents(ctx0, in)
					if err != nil {
						b.Fatal(err)
					}
					// A page also stops at 1 MiB: 9,532 of these events.
					if len(out.Events) < min(limit, 9532) {
						b.Fatalf("page of %d events, want %d", len(out.Events), min(limit, 9532))
					}
				}
			})
		}
	}
}
