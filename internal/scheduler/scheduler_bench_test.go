package scheduler_test

// BenchmarkPlacement measures how fast the scheduler places RUNNABLE jobs
// (issue #3): the real store, filled with BARGE_BENCH_JOBS RUNNABLE jobs
// (default 100,000, so that `go test -bench` stays quick; the documented
// numbers use 1,000 and 1,000,000), and an executor that returns at once.
// docs/PERFORMANCE.md has the commands, the numbers and what they mean.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/scheduler"
	"github.com/bargehq/barge/internal/store"
)

// benchSpec is what SubmitJob stores for a typical Fargate job (taken from
// a job submitted through the API), at a quarter of a vCPU.
const benchSpec = `{"jobDefinitionArn":"arn:aws:batch:us-east-1:123456789012:job-definition/bench-def:1",` +
	`"jobDefinitionName":"bench-def","parameters":{"date":"2026-03-14"},"container":{` +
	`"image":"public.ecr.aws/docker/library/python:3.12-slim","command":["python","-m","etl","--date","2026-03-14"],` +
	`"executionRoleArn":"arn:aws:iam::123456789012:role/ecsTaskExecutionRole","environment":[{"name":"STAGE","value":"prod"}],` +
	`"resourceRequirements":[{"type":"VCPU","value":"0.25"},{"type":"MEMORY","value":"512"}],` +
	`"networkConfiguration":{"assignPublicIp":"ENABLED"}},"platformCapabilities":["FARGATE"]}`

// benchJobCount is the number of RUNNABLE jobs of the filled store.
func benchJobCount(b *testing.B) int {
	v := os.Getenv("BARGE_BENCH_JOBS")
	if v == "" {
		return 100_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("BARGE_BENCH_JOBS=%q: want a number of jobs", v)
	}
	return n
}

// benchJobID returns the ID of filled job i: shaped like the random UUIDs
// SubmitJob makes, and as scattered in the ID index.
func benchJobID(i int) string {
	h := uint64(i+1) * 0x9e3779b97f4a7c15
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(h>>32), (h>>16)&0xffff, (h>>4)&0xfff, (h>>52)&0xfff, uint64(i))
}

// fillPlacementStore creates a compute environment, a queue on it and n
// RUNNABLE jobs in that queue, written in InsertJobs batches of 25,000, in
// submission order one millisecond apart.
func fillPlacementStore(b *testing.B, st *store.Store, n int) {
	ctx := context.Background()
	if err := st.CreateComputeEnvironment(ctx, ce("bench-ce", 1, barge.StateEnabled)); err != nil {
		b.Fatal(err)
	}
	if err := st.CreateJobQueue(ctx, queue("bench-queue", 1, "bench-ce")); err != nil {
		b.Fatal(err)
	}
	spec := new(barge.JobSpec)
	if err := json.Unmarshal([]byte(benchSpec), spec); err != nil {
		b.Fatal(err)
	}
	const batchSize = 25_000
	start := time.Now()
	for lo := 0; lo < n; lo += batchSize {
		jobs := make([]*barge.Job, 0, batchSize)
		for i := lo; i < min(lo+batchSize, n); i++ {
			jobs = append(jobs, &barge.Job{
				ID: benchJobID(i), Name: "job-" + strconv.Itoa(i%1000), Queue: "bench-queue",
				Status: barge.JobRunnable, CreatedAt: 1_700_000_000_000 + int64(i),
				Spec: spec, // shared: InsertJobs only reads it
			})
		}
		if err := st.InsertJobs(ctx, jobs); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("filled %d RUNNABLE jobs in %v", n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkPlacement places the filled store's RUNNABLE jobs with a no-op
// executor: each placement is handed to the executor, which returns at
// once, and its capacity is released right away, so the scheduler always
// has room and the rate is that of its steady state with a deep queue. An
// op is one placement; placements/s is the rate.
//
// The variants differ in capacity: ce=10000vcpu holds 40,000 of the
// quarter-vCPU jobs, more than a pass looks at, so each pass places as many
// as it may; ce=16vcpu, the seed's compute environment, holds 64, so each
// pass places 64 (the jobs that finished since the last).
//
// When b.N exceeds the filled jobs, the benchmark runs in rounds and puts
// the placed jobs back to RUNNABLE between them, off the clock; a round may
// place up to a pass's worth more than asked, and the metrics count what
// was placed.
func BenchmarkPlacement(b *testing.B) {
	n := benchJobCount(b)
	st, err := store.Open(context.Background(), benchDatabase(b), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	fillPlacementStore(b, st, n)
	// The last case is bounded by its host (the docker and process
	// executors) rather than by maxvCpus: 16 vCPUs and plenty of memory.
	for _, c := range []struct {
		vcpus int
		host  barge.HostCapacity
	}{{10_000, barge.HostCapacity{}}, {16, barge.HostCapacity{}}, {10_000, barge.HostCapacity{VCPU: 16, MemoryMiB: 1 << 30}}} {
		name := fmt.Sprintf("runnable=%d/ce=%dvcpu", n, c.vcpus)
		if c.host.Bounded() {
			name += fmt.Sprintf("/host=%svcpu", strconv.FormatFloat(c.host.VCPU, 'f', -1, 64))
		}
		host := func(*barge.ComputeEnvironment) (string, barge.HostCapacity) { return "bench", c.host }
		b.Run(name, func(b *testing.B) {
			if err := st.PutComputeEnvironment(context.Background(), ce("bench-ce", c.vcpus, barge.StateEnabled)); err != nil {
				b.Fatal(err)
			}
			var (
				placed  int
				elapsed time.Duration
			)
			b.ResetTimer()
			for placed < b.N {
				ps, d := placeRound(b, st, min(b.N-placed, n), host)
				placed += len(ps)
				elapsed += d
				b.StopTimer()
				unplace(b, st, ps)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(placed)/elapsed.Seconds(), "placements/s")
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(placed), "ns/op")
		})
	}
}

// placeRound runs a scheduler until it has placed at least want jobs and
// returns what it placed and how long that took, from Run to the placement
// that reached want.
// host, when not nil, is the scheduler's Config.Host.
func placeRound(b *testing.B, st *store.Store, want int, host func(*barge.ComputeEnvironment) (string, barge.HostCapacity)) ([]barge.Placement, time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		exec   noopExecutor
		s      *scheduler.Scheduler
		placed []barge.Placement
		end    time.Time
		done   = make(chan struct{})
	)
	s = scheduler.New(scheduler.Config{Store: st, Jobs: jobstate.New(jobstate.Config{Store: st}), Scope: scope, Tick: time.Hour, Host: host,
		Place: func(ctx context.Context, ps []barge.Placement) {
			for _, p := range ps {
				spec := &barge.TaskSpec{TaskID: barge.TaskID(p.Job.Runtime.TaskArn), JobID: p.Job.ID, Attempt: 1,
					Image: p.Spec.Container.Image, Command: p.Spec.Container.Command, VCPU: p.VCPU}
				if err := exec.Start(ctx, spec); err != nil {
					b.Error(err)
				}
				s.Release(p.ComputeEnvironment, p.VCPU, p.MemoryMiB)
			}
			if len(placed) < want && len(placed)+len(ps) >= want {
				end = time.Now()
				close(done)
			}
			placed = append(placed, ps...)
		}})
	if err := s.Init(ctx); err != nil {
		b.Fatal(err)
	}
	stopped := make(chan error)
	start := time.Now()
	go func() { stopped <- s.Run(ctx) }()
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		b.Fatalf("the scheduler did not place %d jobs within 10 minutes", want)
	}
	cancel()
	if err := <-stopped; err != nil {
		b.Fatal(err)
	}
	return placed, end.Sub(start)
}

// unplace puts placed jobs back to RUNNABLE, where they keep their place
// in the queue.
func unplace(b *testing.B, st *store.Store, ps []barge.Placement) {
	ctx := context.Background()
	const chunk = 10_000
	for lo := 0; lo < len(ps); lo += chunk {
		updates := make([]barge.JobUpdate, 0, chunk)
		for _, p := range ps[lo:min(lo+chunk, len(ps))] {
			j := *p.Job
			j.Status, j.StatusReason, j.Runtime, j.Spec = barge.JobRunnable, "", nil, nil
			updates = append(updates, barge.JobUpdate{Job: &j, From: barge.JobStarting})
		}
		conflicts, err := st.UpdateJobs(ctx, updates)
		if err != nil || len(conflicts) > 0 {
			b.Fatalf("putting placed jobs back: %v, %d conflicts", err, len(conflicts))
		}
	}
}

// noopExecutor is an executor whose tasks start, and end, at once.
type noopExecutor struct{}

var _ barge.Executor = noopExecutor{}

func (noopExecutor) Name() string                                      { return "noop" }
func (noopExecutor) Limitation() string                                { return "" }
func (noopExecutor) Ping(context.Context) error                        { return nil }
func (noopExecutor) Start(context.Context, *barge.TaskSpec) error      { return nil }
func (noopExecutor) Stop(context.Context, string, time.Duration) error { return nil }
func (noopExecutor) Remove(context.Context, string) error              { return nil }
func (noopExecutor) List(context.Context) ([]barge.TaskInfo, error)    { return nil, nil }

func (noopExecutor) Logs(context.Context, string, time.Time, func(barge.LogLine)) error { return nil }

func (noopExecutor) Wait(context.Context, string) (barge.TaskResult, error) {
	code := 0
	return barge.TaskResult{ExitCode: &code}, nil
}

// benchShares is the number of share identifiers of the fair-share
// benchmark.
const benchShares = 100

// fillFairShareStore creates a compute environment, a fair-share policy
// (weights 0.5, 1 and 2 in turn over the shares), a queue with that policy
// and n RUNNABLE jobs spread over benchShares shares in turn, each with a
// schedulingPriority of 0 to 9, written as fillPlacementStore writes them.
func fillFairShareStore(b *testing.B, st *store.Store, n int) {
	ctx := context.Background()
	if err := st.CreateComputeEnvironment(ctx, ce("bench-ce", 1, barge.StateEnabled)); err != nil {
		b.Fatal(err)
	}
	fp := &barge.FairsharePolicy{}
	for i := range benchShares {
		w := []float64{0.5, 1, 2}[i%3]
		fp.ShareDistribution = append(fp.ShareDistribution, barge.ShareAttributes{ShareIdentifier: benchShare(i), WeightFactor: &w})
	}
	if err := st.CreateSchedulingPolicy(ctx, &barge.SchedulingPolicy{Name: "bench-fair", FairsharePolicy: fp}); err != nil {
		b.Fatal(err)
	}
	q := queue("bench-queue", 1, "bench-ce")
	q.SchedulingPolicyArn = scope.ARN(barge.KindSchedulingPolicy, "bench-fair")
	if err := st.CreateJobQueue(ctx, q); err != nil {
		b.Fatal(err)
	}
	specs := make([]*barge.JobSpec, benchShares*10)
	for i := range specs {
		specs[i] = new(barge.JobSpec)
		if err := json.Unmarshal([]byte(benchSpec), specs[i]); err != nil {
			b.Fatal(err)
		}
		priority := i / benchShares
		specs[i].ShareIdentifier, specs[i].SchedulingPriority = benchShare(i%benchShares), &priority
	}
	const batchSize = 25_000
	start := time.Now()
	for lo := 0; lo < n; lo += batchSize {
		jobs := make([]*barge.Job, 0, batchSize)
		for i := lo; i < min(lo+batchSize, n); i++ {
			jobs = append(jobs, &barge.Job{
				ID: benchJobID(i), Name: "job-" + strconv.Itoa(i%1000), Queue: "bench-queue",
				Status: barge.JobRunnable, CreatedAt: 1_700_000_000_000 + int64(i),
				Spec: specs[(i*7)%len(specs)], // share i%100 (7 is prime to 100), priority spread
			})
		}
		if err := st.InsertJobs(ctx, jobs); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("filled %d RUNNABLE jobs in %d shares in %v", n, benchShares, time.Since(start).Round(time.Millisecond))
}

func benchShare(i int) string { return fmt.Sprintf("share%03d", i) }

// BenchmarkFairSharePlacement is BenchmarkPlacement on a queue with a
// fair-share policy: the filled jobs are spread over 100 shares of three
// weights, with schedulingPriorities 0 to 9, and the scheduler serves the
// share most owed, one job at a time. An op is one placement.
func BenchmarkFairSharePlacement(b *testing.B) {
	n := benchJobCount(b)
	st, err := store.Open(context.Background(), benchDatabase(b), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	fillFairShareStore(b, st, n)
	for _, vcpus := range []int{10_000, 16} {
		b.Run(fmt.Sprintf("runnable=%d/shares=%d/ce=%dvcpu", n, benchShares, vcpus), func(b *testing.B) {
			if err := st.PutComputeEnvironment(context.Background(), ce("bench-ce", vcpus, barge.StateEnabled)); err != nil {
				b.Fatal(err)
			}
			var (
				placed  int
				elapsed time.Duration
				shares  = map[string]int{}
			)
			b.ResetTimer()
			for placed < b.N {
				ps, d := placeRound(b, st, min(b.N-placed, n), nil)
				placed += len(ps)
				elapsed += d
				b.StopTimer()
				for _, p := range ps {
					shares[p.Spec.ShareIdentifier]++
				}
				unplace(b, st, ps)
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(placed)/elapsed.Seconds(), "placements/s")
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(placed), "ns/op")
			// The weights show in the placements: weight 0.5 against 2 is
			// four times the compute.
			byWeight := [3]int{}
			for i := range benchShares {
				byWeight[i%3] += shares[benchShare(i)]
			}
			b.ReportMetric(float64(byWeight[0])/float64(max(1, byWeight[2])), "w0.5/w2")
		})
	}
}
