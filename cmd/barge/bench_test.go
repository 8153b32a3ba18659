package main

// Benchmarks of the server as clients see it (issue #2): SubmitJob
// throughput through HTTP and SigV4, DescribeJobs and ListJobs latency with
// a large store, and the built binary's startup time and resident memory.
// docs/PERFORMANCE.md has the commands, the numbers and what they mean.
//
// The read, startup and memory benchmarks run against a data directory
// holding BARGE_BENCH_JOBS jobs (default 100,000; the documented numbers use
// 1,000,000). Filling it takes a while, so it is made once and kept under
// $TMPDIR/barge-bench/ for later runs; delete that directory to reclaim the
// space. None of this runs without -bench.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/apitest"
	"github.com/bargehq/barge/internal/store"
)

// Credentials of the benchmark servers.
const (
	benchKeyID  = "AKIDBARGEBENCH000001"
	benchSecret = "barge-bench-secret-key-000000000000000000"
)

// benchClients is how many clients submit jobs at once.
const benchClients = 32

// runBenchMain runs barge in-process on dir until tb ends.
func runBenchMain(tb testing.TB, dir string) *Main {
	tb.Helper()
	tuneGC(os.Getenv) // as barge server does; the clients share the process
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.DatabaseURL = testDatabaseURL(tb, dir)
	cfg.AccessKeyID, cfg.SecretAccessKey = benchKeyID, benchSecret
	cfg.LogLevel = "error"
	// The API benchmarks measure the control plane: the filled RUNNABLE jobs
	// must wait, not run.
	cfg.Hold = true
	m := NewMain(cfg, io.Discard, io.Discard)
	if err := m.Run(context.Background()); err != nil {
		tb.Fatalf("Run() = %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("Close() = %v", err)
		}
	})
	return m
}

// benchClient returns an AWS Batch client for the server at addr whose
// connection pool keeps a connection per concurrent client: the SDK's
// default of 10 idle connections per host would make most of 32 clients
// dial anew for every call. Like the tests' client it hides the request
// body's WriteTo from net/http (see apitest.HideWriterTo), and it does not retry:
// every call is one request, timed as such.
func benchClient(addr string) *batch.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 4 * benchClients
	tr.MaxIdleConnsPerHost = 2 * benchClients
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(benchKeyID, benchSecret, ""),
		HTTPClient:       &http.Client{Transport: apitest.HideWriterTo{RoundTripper: tr}},
		RetryMaxAttempts: 1,
	}
	return batch.NewFromConfig(cfg, func(o *batch.Options) { o.BaseEndpoint = aws.String("http://" + addr) })
}

// benchSeed creates what jobs need, through the API: a Fargate compute
// environment, a queue on it and a Fargate job definition. It returns the
// queue and definition names.
func benchSeed(tb testing.TB, c *batch.Client) (queue, jobDef string) {
	tb.Helper()
	ctx := context.Background()
	_, err := c.CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String("bench-ce"),
		Type:                   types.CETypeManaged,
		ComputeResources: &types.ComputeResource{
			Type:             types.CRTypeFargate,
			MaxvCpus:         aws.Int32(256),
			Subnets:          []string{"subnet-0123456789abcdef0"},
			SecurityGroupIds: []string{"sg-0123456789abcdef0"},
		},
	})
	if err != nil {
		tb.Fatalf("CreateComputeEnvironment = %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: []string{"bench-ce"}})
		if err != nil {
			tb.Fatalf("DescribeComputeEnvironments = %v", err)
		}
		if len(out.ComputeEnvironments) == 1 && out.ComputeEnvironments[0].Status == types.CEStatusValid {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("compute environment bench-ce is not VALID after 10s: %+v", out.ComputeEnvironments)
		}
	}
	_, err = c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{
		JobQueueName:            aws.String("bench-queue"),
		Priority:                aws.Int32(1),
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("bench-ce")}},
	})
	if err != nil {
		tb.Fatalf("CreateJobQueue = %v", err)
	}
	_, err = c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{
		JobDefinitionName:    aws.String("bench-def"),
		Type:                 types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate},
		ContainerProperties: &types.ContainerProperties{
			Image:            aws.String("public.ecr.aws/docker/library/python:3.12-slim"),
			Command:          []string{"python", "-m", "etl", "--date", "Ref::date"},
			ExecutionRoleArn: aws.String("arn:aws:iam::123456789012:role/ecsTaskExecutionRole"),
			ResourceRequirements: []types.ResourceRequirement{
				{Type: types.ResourceTypeVcpu, Value: aws.String("0.5")},
				{Type: types.ResourceTypeMemory, Value: aws.String("1024")},
			},
			NetworkConfiguration: &types.NetworkConfiguration{AssignPublicIp: types.AssignPublicIpEnabled},
		},
		Parameters: map[string]string{"date": "2026-01-01"},
	})
	if err != nil {
		tb.Fatalf("RegisterJobDefinition = %v", err)
	}
	return "bench-queue", "bench-def"
}

// benchSubmitInput is a typical SubmitJob: a name, the queue, the
// definition, a parameter and an environment override.
func benchSubmitInput(queue, jobDef, name string) *batch.SubmitJobInput {
	return &batch.SubmitJobInput{
		JobName:       aws.String(name),
		JobQueue:      aws.String(queue),
		JobDefinition: aws.String(jobDef),
		Parameters:    map[string]string{"date": "2026-03-14"},
		ContainerOverrides: &types.ContainerOverrides{
			Environment: []types.KeyValuePair{{Name: aws.String("STAGE"), Value: aws.String("prod")}},
		},
	}
}

// BenchmarkSubmitJob submits jobs from 32 concurrent clients through HTTP,
// SigV4 and the store's durable group commit, into a fresh store; jobs/s is
// the throughput and cpu-us/op the CPU time the process spent per job.
//
//   - sdk: the official number: one aws-sdk-go-v2 client shared by the 32
//     goroutines, against the server in the same process.
//   - http: the same requests signed with the SDK's v4 signer and sent
//     with net/http, with no SDK middleware: the server's share.
//   - sdk-filled: as sdk, into a copy of the filled store (BARGE_BENCH_JOBS
//     jobs) rather than an empty one.
//   - sdk-process: the SDK client against the built binary in a process of
//     its own, to split the CPU per job between client and server.
func BenchmarkSubmitJob(b *testing.B) {
	b.Run("sdk", func(b *testing.B) {
		m := runBenchMain(b, b.TempDir())
		c := benchClient(m.Addr)
		queue, jobDef := benchSeed(b, c)
		in := benchSubmitInput(queue, jobDef, "nightly-etl")
		runSubmit(b, func(ctx context.Context) error {
			_, err := c.SubmitJob(ctx, in)
			return err
		})
	})
	b.Run("http", func(b *testing.B) {
		m := runBenchMain(b, b.TempDir())
		queue, jobDef := benchSeed(b, benchClient(m.Addr))
		c := newSignedClient(m.Addr)
		body := submitBody(b, queue, jobDef, "nightly-etl")
		runSubmit(b, func(ctx context.Context) error {
			_, err := c.call(ctx, "SubmitJob", body)
			return err
		})
	})
	b.Run("http-2-servers", func(b *testing.B) {
		// Two barge servers on one PostgreSQL database, the 32 clients
		// spread over both, as over two replicas.
		if !onPostgres() {
			b.Skip("two servers share a PostgreSQL database (BARGE_TEST_DATABASE=postgres)")
		}
		dir, dir2 := b.TempDir(), b.TempDir()
		m1 := runBenchMain(b, dir)
		// The second's own data directory, the first's database.
		pgDatabases.Store(dir2, benchStoreDatabase(dir))
		m2 := runBenchMain(b, dir2)
		queue, jobDef := benchSeed(b, benchClient(m1.Addr))
		clients := []*signedClient{newSignedClient(m1.Addr), newSignedClient(m2.Addr)}
		body := submitBody(b, queue, jobDef, "nightly-etl")
		var next atomic.Uint32
		runSubmit(b, func(ctx context.Context) error {
			_, err := clients[next.Add(1)%2].call(ctx, "SubmitJob", body)
			return err
		})
	})
	b.Run("sdk-filled", func(b *testing.B) {
		if onPostgres() {
			b.Skip("copies a SQLite file")
		}
		filled, _ := filledDir(b)
		dir := b.TempDir()
		for _, name := range []string{"barge.db", "barge.db-wal"} {
			err := copyFile(filepath.Join(dir, name), filepath.Join(filled, name))
			if err != nil && !(name == "barge.db-wal" && errors.Is(err, os.ErrNotExist)) {
				b.Fatal(err)
			}
		}
		m := runBenchMain(b, dir)
		c := benchClient(m.Addr)
		in := benchSubmitInput("bench-queue", "bench-def", "nightly-etl")
		runSubmit(b, func(ctx context.Context) error {
			_, err := c.SubmitJob(ctx, in)
			return err
		})
	})
	b.Run("sdk-process", func(b *testing.B) {
		p := startProcess(b, bargeBinary(b), b.TempDir())
		defer p.stop(b)
		p.waitHealthy(b)
		c := benchClient(p.addr)
		queue, jobDef := benchSeed(b, c)
		// The compute environment is disabled so that the jobs wait, as
		// with the other variants (cfg.Hold): this measures the control
		// plane, not the scheduler and the executor running the jobs.
		_, err := c.UpdateComputeEnvironment(context.Background(), &batch.UpdateComputeEnvironmentInput{
			ComputeEnvironment: aws.String("bench-ce"), State: types.CEStateDisabled,
		})
		if err != nil {
			b.Fatal(err)
		}
		in := benchSubmitInput(queue, jobDef, "nightly-etl")
		server0, err := procCPU(p.cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		runSubmit(b, func(ctx context.Context) error {
			_, err := c.SubmitJob(ctx, in)
			return err
		})
		server, err := procCPU(p.cmd.Process.Pid)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64((server-server0).Microseconds())/float64(b.N), "server-cpu-us/op")
	})
}

// runSubmit calls submit b.N times from 32 goroutines, after a call from
// each to open the connections, and reports jobs/s and the CPU time this
// process spent per job.
func runSubmit(b *testing.B, submit func(context.Context) error) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for range benchClients {
		wg.Go(func() {
			if err := submit(ctx); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((benchClients + procs - 1) / procs)
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := submit(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-us/op")
}

// submitBody is benchSubmitInput's JSON, as the SDK sends it.
func submitBody(b *testing.B, queue, jobDef, name string) []byte {
	body, err := json.Marshal(map[string]any{
		"jobName": name, "jobQueue": queue, "jobDefinition": jobDef,
		"parameters":         map[string]string{"date": "2026-03-14"},
		"containerOverrides": map[string]any{"environment": []map[string]string{{"name": "STAGE", "value": "prod"}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// signedClient sends AWS Batch calls signed with the SDK's v4 signer over
// plain net/http, and reads the answers without decoding them.
type signedClient struct {
	url    string
	hc     *http.Client
	signer *v4.Signer
	creds  aws.Credentials
}

func newSignedClient(addr string) *signedClient {
	return &signedClient{
		url:    "http://" + addr,
		hc:     &http.Client{Transport: &http.Transport{MaxIdleConns: 4 * benchClients, MaxIdleConnsPerHost: 2 * benchClients}},
		signer: v4.NewSigner(),
		creds:  aws.Credentials{AccessKeyID: benchKeyID, SecretAccessKey: benchSecret},
	}
}

// call sends op with body and returns the answer's body; an answer other
// than 200 is an error.
func (c *signedClient) call(ctx context.Context, op string, body []byte) ([]byte, error) {
	var out bytes.Buffer
	err := c.callInto(ctx, op, body, &out)
	return out.Bytes(), err
}

// callInto is call reading the answer into out, emptied first: the read
// benchmarks reuse one buffer, so that the client's allocations for the
// large answers do not add to the garbage the server's collector (in the
// same process) has to collect.
func (c *signedClient) callInto(ctx context.Context, op string, body []byte, out *bytes.Buffer) error {
	out.Reset()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/v1/"+strings.ToLower(op), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "batch", "us-east-1", time.Now()); err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = out.ReadFrom(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s: %s", op, resp.Status, out)
	}
	return err
}

// copyFile copies the file src to dst.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is the CPU time process pid has used, from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses: utime
	// and stime are the 14th and 15th fields of the line, in clock ticks
	// (100 a second on Linux).
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// benchFillVersion names the shape of the filled data; change it when
// fillDir or benchFilledJob changes, so that directories kept from earlier
// runs are not reused.
const benchFillVersion = 2

// benchJobCount is the number of jobs of the filled data directory.
func benchJobCount() (int, error) {
	v := os.Getenv("BARGE_BENCH_JOBS")
	if v == "" {
		return 100_000, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 {
		return 0, fmt.Errorf("BARGE_BENCH_JOBS=%q: want a number of jobs, at least 1000", v)
	}
	return n, nil
}

// benchNames is how many distinct job names the filled jobs have: job i is
// named job-<i%1000>, so the prefix job-12 matches 11 names (1.1% of the
// jobs) and job-1 111 names (11.1%).
const benchNames = 1000

// benchJobID returns the ID of filled job i: shaped like the random UUIDs
// SubmitJob makes, and as scattered in the ID index, yet computable from i
// so that benchmarks can pick existing jobs without keeping a million IDs.
func benchJobID(i int) string {
	h := uint64(i+1) * 0x9e3779b97f4a7c15
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(h>>32), (h>>16)&0xffff, (h>>4)&0xfff, (h>>52)&0xfff, uint64(i))
}

// The filled directory, made at most once per process.
var benchFill struct {
	once sync.Once
	dir  string
	n    int
	err  error
}

// filledDir returns a data directory holding n jobs (BARGE_BENCH_JOBS) in
// the queue bench-queue, and a few more resources; see fillDir. It is
// reused from an earlier run when one left it under $TMPDIR/barge-bench.
func filledDir(b *testing.B) (dir string, n int) {
	b.Helper()
	benchFill.once.Do(func() {
		if benchFill.n, benchFill.err = benchJobCount(); benchFill.err != nil {
			return
		}
		root := filepath.Join(os.TempDir(), "barge-bench")
		benchFill.dir = filepath.Join(root, fmt.Sprintf("jobs-%d-v%d", benchFill.n, benchFillVersion))
		if onPostgres() {
			// The PostgreSQL server lives as long as this process: its
			// filled database is made afresh, in a database of its own,
			// and the directory is only the key that finds it.
			benchFill.dir = filepath.Join(root, fmt.Sprintf("jobs-%d-pg-%d", benchFill.n, os.Getpid()))
			pgDatabases.Store(benchFill.dir, testPG.KeptDatabase(b))
			if benchFill.err = os.MkdirAll(benchFill.dir, 0o700); benchFill.err != nil {
				return
			}
			start := time.Now()
			benchFill.err = fillDir(b, benchFill.dir, benchFill.n)
			b.Logf("filled %d jobs into PostgreSQL in %v", benchFill.n, time.Since(start).Round(time.Millisecond))
			return
		}
		if _, err := os.Stat(filepath.Join(benchFill.dir, "filled")); err == nil {
			b.Logf("using the %d jobs filled earlier in %s", benchFill.n, benchFill.dir)
			return
		}
		if benchFill.err = os.MkdirAll(root, 0o700); benchFill.err != nil {
			return
		}
		tmp, err := os.MkdirTemp(root, "filling-")
		if err != nil {
			benchFill.err = err
			return
		}
		start := time.Now()
		if err := fillDir(b, tmp, benchFill.n); err != nil {
			os.RemoveAll(tmp)
			benchFill.err = err
			return
		}
		os.RemoveAll(benchFill.dir) // an unfinished fill of an earlier run
		if err := os.Rename(tmp, benchFill.dir); err != nil {
			os.RemoveAll(tmp)
			benchFill.err = err
			return
		}
		b.Logf("filled %d jobs in %v into %s (kept for later runs; delete it to reclaim the space)",
			benchFill.n, time.Since(start).Round(time.Millisecond), benchFill.dir)
	})
	if benchFill.err != nil {
		b.Fatalf("filling the benchmark data directory: %v", benchFill.err)
	}
	return benchFill.dir, benchFill.n
}

// fillDir creates the compute environment, queue and definition through the
// API, submits one job through it as a template, and then writes n jobs
// like it straight into the store, in large InsertJobs batches: what n
// SubmitJob calls would have written, followed by a run. One job in ten is
// still RUNNABLE; the others ran once and SUCCEEDED, or FAILED (one in ten),
// with the attempt and runtime a runner records. Job i is created i ms after
// the template and named as benchNames says. The compute environment is
// DISABLED.
func fillDir(b *testing.B, dir string, n int) error {
	ctx := context.Background()
	var tmpl *barge.Job
	{
		cfg := DefaultConfig()
		cfg.Listen, cfg.DataDir, cfg.LogLevel = "127.0.0.1:0", dir, "error"
		cfg.DatabaseURL = testDatabaseURL(b, dir)
		cfg.AccessKeyID, cfg.SecretAccessKey = benchKeyID, benchSecret
		m := NewMain(cfg, io.Discard, io.Discard)
		if err := m.Run(ctx); err != nil {
			return err
		}
		c := benchClient(m.Addr)
		queue, jobDef := benchSeed(b, c)
		// The compute environment is left DISABLED, so that a server
		// started on the directory (the startup and memory benchmarks run
		// the real binary) holds the RUNNABLE jobs instead of running them.
		if _, err := c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{
			ComputeEnvironment: aws.String("bench-ce"), State: types.CEStateDisabled,
		}); err != nil {
			m.Close()
			return err
		}
		out, err := c.SubmitJob(ctx, benchSubmitInput(queue, jobDef, "template"))
		if err != nil {
			m.Close()
			return err
		}
		if err := m.Close(); err != nil {
			return err
		}
		s, err := store.Open(ctx, benchStoreDatabase(dir), store.Options{})
		if err != nil {
			return err
		}
		jobs, err := s.GetJobs(ctx, []string{aws.ToString(out.JobId)})
		s.Close()
		if err != nil || len(jobs) != 1 {
			return fmt.Errorf("reading the template job back: %v, %d jobs", err, len(jobs))
		}
		tmpl = jobs[0]
	}

	s, err := store.Open(ctx, benchStoreDatabase(dir), store.Options{})
	if err != nil {
		return err
	}
	const batchSize = 25_000
	for lo := 0; lo < n; lo += batchSize {
		jobs := make([]*barge.Job, 0, batchSize)
		for i := lo; i < min(lo+batchSize, n); i++ {
			jobs = append(jobs, benchFilledJob(tmpl, i))
		}
		if err := s.InsertJobs(ctx, jobs); err != nil {
			s.Close()
			return err
		}
	}
	if err := s.Close(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "filled"), []byte(strconv.Itoa(n)+"\n"), 0o600)
}

// benchFilledJob returns filled job i, made from the template job.
func benchFilledJob(tmpl *barge.Job, i int) *barge.Job {
	j := &barge.Job{
		ID:        benchJobID(i),
		Name:      "job-" + strconv.Itoa(i%benchNames),
		Queue:     tmpl.Queue,
		Status:    barge.JobSucceeded,
		CreatedAt: tmpl.CreatedAt + int64(i),
		Spec:      tmpl.Spec, // shared: InsertJobs only reads it
	}
	switch i % 10 {
	case 0:
		j.Status = barge.JobRunnable
		return j
	case 1:
		j.Status = barge.JobFailed
	}
	exit := 0
	if j.Status == barge.JobFailed {
		exit = 1
	}
	j.StartedAt, j.StoppedAt = j.CreatedAt+5_000, j.CreatedAt+65_000
	rt := barge.ContainerRuntime{
		TaskArn:       "arn:aws:ecs:us-east-1:123456789012:task/barge/" + strings.ReplaceAll(j.ID, "-", ""),
		ExitCode:      &exit,
		LogStreamName: "bench-def/default/" + strings.ReplaceAll(j.ID, "-", ""),
	}
	j.Runtime = &rt
	j.Attempts = []barge.Attempt{{Container: rt, StartedAt: j.StartedAt, StoppedAt: j.StoppedAt}}
	j.StatusReason = "Essential container in task exited"
	return j
}

// latencies collects per-call durations and reports their percentiles.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	at := func(p float64) float64 {
		i := int(float64(len(l))*p+0.999999) - 1
		return float64(l[max(0, min(i, len(l)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1), "max-ms")
}

// randomIDs fills ids with distinct IDs of random filled jobs.
func randomIDs(r *rand.Rand, n int, ids []string) {
	seen := make(map[int]bool, len(ids))
	for k := range ids {
		i := r.IntN(n)
		for seen[i] {
			i = r.IntN(n)
		}
		seen[i] = true
		ids[k] = benchJobID(i)
	}
}

// timeCalls runs call 20 times to warm up (reader connections, prepared
// statements, pages), then once per iteration, and reports the percentiles
// of the durations call returns: each call times its own request, so that
// preparing the request is left out.
func timeCalls(b *testing.B, call func() time.Duration) {
	for range 20 {
		call()
	}
	var lat latencies
	for b.Loop() {
		lat = append(lat, call())
	}
	lat.report(b)
}

// BenchmarkDescribeJobs100 describes 100 random jobs of the filled store
// per call, one call at a time, and reports the latency percentiles, through
// the SDK (sdk) and with the lean signed client that does not decode the
// answer (http), which leaves the server's share.
func BenchmarkDescribeJobs100(b *testing.B) {
	dir, n := filledDir(b)
	m := runBenchMain(b, dir)
	ctx := context.Background()
	b.Run("sdk", func(b *testing.B) {
		c := benchClient(m.Addr)
		r := rand.New(rand.NewPCG(1, 2))
		ids := make([]string, 100)
		timeCalls(b, func() time.Duration {
			randomIDs(r, n, ids)
			start := time.Now()
			out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: ids})
			d := time.Since(start)
			if err != nil {
				b.Fatalf("DescribeJobs = %v", err)
			}
			if len(out.Jobs) != len(ids) {
				b.Fatalf("DescribeJobs = %d jobs, want %d", len(out.Jobs), len(ids))
			}
			return d
		})
	})
	b.Run("http", func(b *testing.B) {
		c := newSignedClient(m.Addr)
		r := rand.New(rand.NewPCG(3, 4))
		ids := make([]string, 100)
		var out bytes.Buffer
		timeCalls(b, func() time.Duration {
			randomIDs(r, n, ids)
			body, err := json.Marshal(map[string][]string{"jobs": ids})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			err = c.callInto(ctx, "DescribeJobs", body, &out)
			d := time.Since(start)
			if got := bytes.Count(out.Bytes(), []byte(`"jobArn"`)); err != nil || got != len(ids) {
				b.Fatalf("DescribeJobs = %d jobs, %v; want %d", got, err, len(ids))
			}
			b.SetBytes(int64(out.Len()))
			return d
		})
	})
}

// BenchmarkListJobsPage lists a page of 100 jobs of the filled queue, one
// call at a time, and reports the latency percentiles, through the SDK (sdk)
// and with the lean signed client (http).
func BenchmarkListJobsPage(b *testing.B) {
	dir, _ := filledDir(b)
	m := runBenchMain(b, dir)
	ctx := context.Background()
	sdk, raw := benchClient(m.Addr), newSignedClient(m.Addr)
	byName := func(v string) []types.KeyValuesPair {
		return []types.KeyValuesPair{{Name: aws.String("JOB_NAME"), Values: []string{v}}}
	}
	pages := []struct {
		name     string
		in       batch.ListJobsInput
		nextPage bool // list the page after the first, with its token
	}{
		{"status", batch.ListJobsInput{JobStatus: types.JobStatusSucceeded}, false},
		{"status next page", batch.ListJobsInput{JobStatus: types.JobStatusSucceeded}, true},
		{"status runnable", batch.ListJobsInput{JobStatus: types.JobStatusRunnable}, false},
		{"name prefix 1%", batch.ListJobsInput{Filters: byName("job-12*")}, false},
		{"name prefix 11%", batch.ListJobsInput{Filters: byName("job-1*")}, false},
		{"name exact", batch.ListJobsInput{Filters: byName("job-123")}, false},
	}
	for _, p := range pages {
		in := p.in
		in.JobQueue, in.MaxResults = aws.String("bench-queue"), aws.Int32(100)
		if p.nextPage {
			first, err := sdk.ListJobs(ctx, &in)
			if err != nil || first.NextToken == nil {
				b.Fatalf("ListJobs(%s) = %v, no next page", p.name, err)
			}
			in.NextToken = first.NextToken
		}
		b.Run("sdk/"+p.name, func(b *testing.B) {
			timeCalls(b, func() time.Duration {
				start := time.Now()
				out, err := sdk.ListJobs(ctx, &in)
				d := time.Since(start)
				if err != nil {
					b.Fatalf("ListJobs(%s) = %v", p.name, err)
				}
				if len(out.JobSummaryList) != 100 {
					b.Fatalf("ListJobs(%s) = %d jobs, want a page of 100", p.name, len(out.JobSummaryList))
				}
				return d
			})
		})
		b.Run("http/"+p.name, func(b *testing.B) {
			body := listJobsBody(b, &in)
			var out bytes.Buffer
			timeCalls(b, func() time.Duration {
				start := time.Now()
				err := raw.callInto(ctx, "ListJobs", body, &out)
				d := time.Since(start)
				if got := bytes.Count(out.Bytes(), []byte(`"jobArn"`)); err != nil || got != 100 {
					b.Fatalf("ListJobs(%s) = %d jobs, %v; want a page of 100", p.name, got, err)
				}
				return d
			})
		})
	}
}

// listJobsBody is in's JSON, as the SDK sends it.
func listJobsBody(b *testing.B, in *batch.ListJobsInput) []byte {
	m := map[string]any{"jobQueue": aws.ToString(in.JobQueue), "maxResults": aws.ToInt32(in.MaxResults)}
	if in.JobStatus != "" {
		m["jobStatus"] = in.JobStatus
	}
	if in.NextToken != nil {
		m["nextToken"] = *in.NextToken
	}
	for _, f := range in.Filters {
		m["filters"] = []map[string]any{{"name": aws.ToString(f.Name), "values": f.Values}}
	}
	body, err := json.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// The server binary, built once per process from this package.
var benchBinary struct {
	once sync.Once
	path string
	err  error
}

// bargeBinary builds barge with go build, as bin/barge is built.
func bargeBinary(b *testing.B) string {
	b.Helper()
	benchBinary.once.Do(func() {
		dir := filepath.Join(os.TempDir(), "barge-bench")
		if benchBinary.err = os.MkdirAll(dir, 0o700); benchBinary.err != nil {
			return
		}
		benchBinary.path = filepath.Join(dir, "barge")
		out, err := exec.Command("go", "build", "-o", benchBinary.path, ".").CombinedOutput()
		if err != nil {
			benchBinary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if benchBinary.err != nil {
		b.Fatal(benchBinary.err)
	}
	return benchBinary.path
}

// serverProcess is barge server running as a process of its own.
type serverProcess struct {
	cmd  *exec.Cmd
	addr string
}

// startProcess starts bin on dir, listening on a free loopback port.
func startProcess(b *testing.B, bin, dir string) *serverProcess {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "server", "--listen", addr, "--data", dir, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "BARGE_ACCESS_KEY_ID="+benchKeyID, "BARGE_SECRET_ACCESS_KEY="+benchSecret)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return &serverProcess{cmd: cmd, addr: addr}
}

// waitHealthy polls GET /healthz until it answers 200.
func (p *serverProcess) waitHealthy(b *testing.B) {
	b.Helper()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	url := "http://" + p.addr + "/healthz"
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(200 * time.Microsecond) {
		resp, err := hc.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("GET /healthz did not answer 200 within 10s: %v", err)
		}
	}
}

// stop ends the process with SIGTERM, as a service manager would.
func (p *serverProcess) stop(b *testing.B) {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Error(err)
	}
	if err := p.cmd.Wait(); err != nil {
		b.Errorf("barge server exited with %v", err)
	}
}

// BenchmarkServerStartup starts the built binary on the filled data
// directory and measures the time until GET /healthz answers 200, the
// process's creation included.
func BenchmarkServerStartup(b *testing.B) {
	dir, _ := filledDir(b)
	bin := bargeBinary(b)
	var lat latencies
	for b.Loop() {
		start := time.Now()
		p := startProcess(b, bin, dir)
		p.waitHealthy(b)
		lat = append(lat, time.Since(start))
		b.StopTimer()
		p.stop(b)
		b.StartTimer()
	}
	lat.report(b)
}

// BenchmarkServerRSS runs the built binary on the filled data directory,
// drives the read benchmarks' calls at it from 32 clients (each op is one
// DescribeJobs of 100 random jobs and one ListJobs page), and reports the
// process's resident memory afterwards: now (VmRSS, split into anonymous
// memory and mapped file pages) and at its peak (VmHWM).
func BenchmarkServerRSS(b *testing.B) {
	dir, n := filledDir(b)
	p := startProcess(b, bargeBinary(b), dir)
	defer p.stop(b)
	p.waitHealthy(b)
	c := benchClient(p.addr)
	ctx := context.Background()
	var seed sync.Mutex
	seq := uint64(0)
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((benchClients + procs - 1) / procs)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		seed.Lock()
		seq++
		r := rand.New(rand.NewPCG(seq, 7))
		seed.Unlock()
		ids := make([]string, 100)
		for k := 0; pb.Next(); k++ {
			randomIDs(r, n, ids)
			if _, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: ids}); err != nil {
				b.Error(err)
				return
			}
			in := &batch.ListJobsInput{JobQueue: aws.String("bench-queue"), JobStatus: types.JobStatusSucceeded, MaxResults: aws.Int32(100)}
			if k%2 == 1 {
				in = &batch.ListJobsInput{JobQueue: aws.String("bench-queue"), MaxResults: aws.Int32(100),
					Filters: []types.KeyValuesPair{{Name: aws.String("JOB_NAME"), Values: []string{"job-" + strconv.Itoa(r.IntN(100)) + "*"}}}}
			}
			if _, err := c.ListJobs(ctx, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	st, err := procStatus(p.cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range []struct{ field, unit string }{
		{"VmRSS", "RSS-MiB"}, {"RssAnon", "anon-MiB"}, {"RssFile", "file-MiB"}, {"VmHWM", "HWM-MiB"},
	} {
		b.ReportMetric(float64(st[f.field])/1024, f.unit)
	}
}

// procStatus returns the kB fields of /proc/<pid>/status.
func procStatus(pid int) (map[string]int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	fields := map[string]int64{}
	for _, line := range strings.Split(string(data), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if v, unit, _ := strings.Cut(strings.TrimSpace(rest), " "); ok && unit == "kB" {
			if kb, err := strconv.ParseInt(v, 10, 64); err == nil {
				fields[name] = kb
			}
		}
	}
	if _, ok := fields["VmRSS"]; !ok {
		return nil, errors.New("no VmRSS in /proc/<pid>/status")
	}
	return fields, nil
}
