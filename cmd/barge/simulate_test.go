package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bargehq/barge/internal/executor/simulate"
)

// startSimulateServer runs barge with --executor simulate on dir (a fresh
// directory when ""), its tasks and the runner on clock.
func startSimulateServer(t *testing.T, dir string, clock *simulate.ManualClock) *testServer {
	t.Helper()
	return startServerWith(t, dir, func(c *Config) {
		c.Executor = "simulate"
		c.SimulateClock = clock
	})
}

// simSetup creates, through the API, an execution role, a Fargate compute
// environment of maxvCpus with tags, a queue on it, and a Fargate job
// definition (0.5 vCPU, 1 GiB) whose container has env and a command that
// fails if it ever runs. Queue and definition are named after the
// compute environment.
func simSetup(t *testing.T, ts *testServer, ce string, maxvCpus int32, tags map[string]string, env ...string) {
	t.Helper()
	c := ts.batch()
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role := "exec-" + ce
	if _, err := ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatalf("CreateRole = %v", err)
	}
	if _, err := c.CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String(ce),
		Type:                   types.CETypeManaged,
		ComputeResources: &types.ComputeResource{Type: types.CRTypeFargate, MaxvCpus: aws.Int32(maxvCpus),
			Subnets: []string{"subnet-0123456789abcdef0"}, SecurityGroupIds: []string{"sg-0123456789abcdef0"}},
		Tags: tags,
	}); err != nil {
		t.Fatalf("CreateComputeEnvironment(%s) = %v", ce, err)
	}
	waitCEStatus(t, c, ce, types.CEStatusValid)
	createQueue(t, c, ce+"-queue", ce)
	cp := fargateContainer("0.5", "1024")
	cp.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:role/" + role)
	cp.Command = []string{"sh", "-c", "echo ran on the host; exit 99"}
	for i := 0; i+1 < len(env); i += 2 {
		cp.Environment = append(cp.Environment, types.KeyValuePair{Name: aws.String(env[i]), Value: aws.String(env[i+1])})
	}
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{
		JobDefinitionName: aws.String(ce + "-def"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp,
	}); err != nil {
		t.Fatalf("RegisterJobDefinition = %v", err)
	}
}

// simSubmit submits a job to ce's queue and definition, with environment
// overrides.
func simSubmit(t *testing.T, c *batch.Client, ce, name string, env ...string) string {
	t.Helper()
	in := &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String(ce + "-queue"), JobDefinition: aws.String(ce + "-def")}
	if len(env) > 0 {
		in.ContainerOverrides = &types.ContainerOverrides{}
		for i := 0; i+1 < len(env); i += 2 {
			in.ContainerOverrides.Environment = append(in.ContainerOverrides.Environment, types.KeyValuePair{Name: aws.String(env[i]), Value: aws.String(env[i+1])})
		}
	}
	return submit(t, c, in)
}

// waitJobStatus polls until the job has status.
func waitJobStatus(t *testing.T, c *batch.Client, id string, status types.JobStatus) types.JobDetail {
	t.Helper()
	var j types.JobDetail
	pollUntil(t, func() string {
		return fmt.Sprintf("job %s is %s (%s), want %s", id, j.Status, aws.ToString(j.StatusReason), status)
	},
		func() bool {
			j = describeJob(t, c, id)
			return j.Status == status
		})
	return j
}

// TestSimulateJob: on a server with --executor simulate, a job's run time,
// exit code and log lines are those its definition and submission set,
// and it goes through the states, attempts and logs of a real one.
func TestSimulateJob(t *testing.T) {
	t0 := time.Now().Add(time.Minute).Truncate(time.Millisecond) // after the jobs are created
	clock := simulate.NewManualClock(t0)
	ts := startSimulateServer(t, "", clock)
	c := ts.batch()
	simSetup(t, ts, "sim", 4, nil,
		"BARGE_SIMULATE_DURATION", "1h",
		"BARGE_SIMULATE_LOG", "starting ${AWS_BATCH_JOB_ID}\nworking\ndone")

	if ce := waitCEStatus(t, c, "sim", types.CEStatusValid); !strings.Contains(aws.ToString(ce.StatusReason), "simulate executor runs no containers") {
		t.Errorf("compute environment statusReason = %q, want it to say that jobs are simulated", aws.ToString(ce.StatusReason))
	}

	id := simSubmit(t, c, "sim", "fails-after-an-hour", "BARGE_SIMULATE_EXIT_CODE", "3")
	j := waitJobStatus(t, c, id, types.JobStatusRunning)
	stream := aws.ToString(j.Container.LogStreamName)
	var lines []string
	pollUntil(t, func() string { return fmt.Sprintf("log lines %q, want the first", lines) }, func() bool {
		lines = logLines(t, ts, "/aws/batch/job", stream)
		return len(lines) > 0
	})
	if want := []string{"starting " + id}; !slices.Equal(lines, want) {
		t.Errorf("log lines at the start = %q, want %q", lines, want)
	}
	clock.Advance(59 * time.Minute)
	if j := describeJob(t, c, id); j.Status != types.JobStatusRunning {
		t.Errorf("after 59 minutes, job = %s, want RUNNING", j.Status)
	}
	clock.Advance(time.Minute)
	j = waitJobStatus(t, c, id, types.JobStatusFailed)
	if aws.ToString(j.StatusReason) != "Essential container in task exited" || aws.ToInt32(j.Container.ExitCode) != 3 {
		t.Errorf("job = %q exit %d, want Essential container in task exited, exit 3", aws.ToString(j.StatusReason), aws.ToInt32(j.Container.ExitCode))
	}
	if len(j.Attempts) != 1 || aws.ToInt32(j.Attempts[0].Container.ExitCode) != 3 {
		t.Fatalf("attempts = %+v, want one that exited 3", j.Attempts)
	}
	a := j.Attempts[0]
	if aws.ToInt64(j.StartedAt) != t0.UnixMilli() || aws.ToInt64(j.StoppedAt) != t0.Add(time.Hour).UnixMilli() ||
		aws.ToInt64(a.StartedAt) != t0.UnixMilli() || aws.ToInt64(a.StoppedAt) != t0.Add(time.Hour).UnixMilli() {
		t.Errorf("job ran %d to %d, attempt %d to %d; want %d to %d (an hour)", aws.ToInt64(j.StartedAt), aws.ToInt64(j.StoppedAt),
			aws.ToInt64(a.StartedAt), aws.ToInt64(a.StoppedAt), t0.UnixMilli(), t0.Add(time.Hour).UnixMilli())
	}
	if got, want := logLines(t, ts, "/aws/batch/job", stream), []string{"starting " + id, "working", "done"}; !slices.Equal(got, want) {
		t.Errorf("log lines = %q, want %q", got, want)
	}

	t.Run("default", func(t *testing.T) {
		id := simSubmit(t, c, "sim", "default", "BARGE_SIMULATE_DURATION", "", "BARGE_SIMULATE_LOG", "")
		j := waitJobStatus(t, c, id, types.JobStatusSucceeded)
		if aws.ToInt32(j.Container.ExitCode) != 0 || aws.ToInt64(j.StoppedAt) != aws.ToInt64(j.StartedAt) {
			t.Errorf("job = exit %d, %d to %d; want exit 0 at once", aws.ToInt32(j.Container.ExitCode), aws.ToInt64(j.StartedAt), aws.ToInt64(j.StoppedAt))
		}
	})

	t.Run("bad setting", func(t *testing.T) {
		id := simSubmit(t, c, "sim", "bad", "BARGE_SIMULATE_DURATION", "soon")
		j := waitJobStatus(t, c, id, types.JobStatusFailed)
		want := `CannotStartContainerError: BARGE_SIMULATE_DURATION="soon": want a duration such as 90s, 1m30s or 250ms, or a number of seconds`
		if aws.ToString(j.StatusReason) != "Task failed to start" || aws.ToString(j.Container.Reason) != want || j.Container.ExitCode != nil {
			t.Errorf("job = %q, container reason %q, exit %v; want Task failed to start, %q, no exit code",
				aws.ToString(j.StatusReason), aws.ToString(j.Container.Reason), j.Container.ExitCode, want)
		}
	})

	t.Run("out of memory", func(t *testing.T) {
		id := simSubmit(t, c, "sim", "oom", "BARGE_SIMULATE_DURATION", "0", "BARGE_SIMULATE_OUT_OF_MEMORY", "true")
		j := waitJobStatus(t, c, id, types.JobStatusFailed)
		if aws.ToInt32(j.Container.ExitCode) != 137 || aws.ToString(j.Container.Reason) != simulate.ReasonOutOfMemory {
			t.Errorf("job = exit %d, reason %q; want 137, %q", aws.ToInt32(j.Container.ExitCode), aws.ToString(j.Container.Reason), simulate.ReasonOutOfMemory)
		}
	})

	t.Run("array", func(t *testing.T) {
		id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("array"), JobQueue: aws.String("sim-queue"), JobDefinition: aws.String("sim-def"),
			ArrayProperties: &types.ArrayProperties{Size: aws.Int32(3)},
			ContainerOverrides: &types.ContainerOverrides{Environment: []types.KeyValuePair{
				{Name: aws.String("BARGE_SIMULATE_DURATION"), Value: aws.String("0")},
				{Name: aws.String("BARGE_SIMULATE_LOG"), Value: aws.String("child ${AWS_BATCH_JOB_ARRAY_INDEX} of ${AWS_BATCH_JOB_ARRAY_SIZE}")},
			}}})
		if j := waitJobStatus(t, c, id, types.JobStatusSucceeded); j.ArrayProperties.StatusSummary["SUCCEEDED"] != 3 {
			t.Errorf("array = %v, want 3 children SUCCEEDED", j.ArrayProperties.StatusSummary)
		}
		child := describeJob(t, c, id+":2")
		if got, want := logLines(t, ts, "/aws/batch/job", aws.ToString(child.Container.LogStreamName)), []string{"child 2 of 3"}; !slices.Equal(got, want) {
			t.Errorf("child 2 logged %q, want %q", got, want)
		}
	})

	t.Run("terminate", func(t *testing.T) {
		id := simSubmit(t, c, "sim", "terminated", "BARGE_SIMULATE_SIGTERM_LOG", "shutting down")
		waitJobStatus(t, c, id, types.JobStatusRunning)
		if _, err := c.TerminateJob(context.Background(), &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String("enough")}); err != nil {
			t.Fatal(err)
		}
		var j types.JobDetail
		pollUntil(t, func() string {
			return fmt.Sprintf("job %s %q with attempts %+v", j.Status, aws.ToString(j.StatusReason), j.Attempts)
		}, func() bool {
			j = describeJob(t, c, id)
			return len(j.Attempts) == 1
		})
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "enough" || aws.ToInt32(j.Attempts[0].Container.ExitCode) != 143 {
			t.Errorf("job = %s %q, attempt exit %d; want FAILED, enough, 143 (SIGTERM)", j.Status, aws.ToString(j.StatusReason), aws.ToInt32(j.Attempts[0].Container.ExitCode))
		}
		if got := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Attempts[0].Container.LogStreamName)); !slices.Contains(got, "shutting down") {
			t.Errorf("log lines = %q, want the SIGTERM line", got)
		}
	})
}

// TestSimulateCapacity: a compute environment of 1 vCPU runs at most two
// 0.5-vCPU simulated jobs at a time; five jobs of ten minutes take three
// rounds.
func TestSimulateCapacity(t *testing.T) {
	t0 := time.Now().Add(time.Minute).Truncate(time.Millisecond) // after the jobs are created
	clock := simulate.NewManualClock(t0)
	ts := startSimulateServer(t, "", clock)
	c := ts.batch()
	simSetup(t, ts, "small", 1, nil, "BARGE_SIMULATE_DURATION", "10m")
	var ids []string
	for i := range 5 {
		ids = append(ids, simSubmit(t, c, "small", fmt.Sprint("job", i)))
	}
	count := func(jobs []types.JobDetail) map[types.JobStatus]int {
		n := map[types.JobStatus]int{}
		for _, j := range jobs {
			n[j.Status]++
		}
		return n
	}
	var jobs []types.JobDetail
	for round, want := range []map[types.JobStatus]int{
		{types.JobStatusRunning: 2, types.JobStatusRunnable: 3},
		{types.JobStatusSucceeded: 2, types.JobStatusRunning: 2, types.JobStatusRunnable: 1},
		{types.JobStatusSucceeded: 4, types.JobStatusRunning: 1},
		{types.JobStatusSucceeded: 5},
	} {
		// Once as many jobs as there is room for run, the scheduler has
		// placed all it will until one ends: the rest stay RUNNABLE.
		pollUntil(t, func() string { return fmt.Sprintf("round %d: jobs %v, want %v", round, count(jobs), want) }, func() bool {
			jobs = describeJobs(t, c, ids...)
			n := count(jobs)
			return n[types.JobStatusRunning] >= want[types.JobStatusRunning] && n[types.JobStatusSucceeded] >= want[types.JobStatusSucceeded]
		})
		if got := count(jobs); !equalCounts(got, want) {
			t.Errorf("round %d: jobs %v, want %v", round, got, want)
		}
		clock.Advance(10 * time.Minute)
	}
	// From the jobs' own times: never more than two at once, three rounds.
	most, last := 0, int64(0)
	for _, j := range jobs {
		at, running := aws.ToInt64(j.StartedAt), 0
		for _, k := range jobs {
			if aws.ToInt64(k.StartedAt) <= at && at < aws.ToInt64(k.StoppedAt) {
				running++
			}
		}
		most, last = max(most, running), max(last, aws.ToInt64(j.StoppedAt))
	}
	if most != 2 || last != t0.Add(30*time.Minute).UnixMilli() {
		t.Errorf("at most %d jobs ran at once, the last ending %v after the first start; want 2 and 30m", most, time.Duration(last-t0.UnixMilli())*time.Millisecond)
	}
}

func equalCounts(a, b map[types.JobStatus]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// TestSimulateSurvivesRestart: a simulated job that runs when barge stops
// runs on meanwhile; the next barge adopts it, stores the line it wrote
// while barge was down, and records its end at its time.
func TestSimulateSurvivesRestart(t *testing.T) {
	t0 := time.Now().Add(time.Minute).Truncate(time.Millisecond) // after the jobs are created
	clock := simulate.NewManualClock(t0)
	ts := startSimulateServer(t, "", clock)
	simSetup(t, ts, "sim", 4, nil, "BARGE_SIMULATE_DURATION", "1h", "BARGE_SIMULATE_LOG", "before\nwhile down")
	id := simSubmit(t, ts.batch(), "sim", "long")
	waitJobStatus(t, ts.batch(), id, types.JobStatusRunning)
	ts.close()

	clock.Advance(45 * time.Minute)
	ts = startSimulateServer(t, ts.dir, clock)
	c := ts.batch()
	if j := describeJob(t, c, id); j.Status != types.JobStatusRunning {
		t.Fatalf("after the restart, job = %s %q, want RUNNING", j.Status, aws.ToString(j.StatusReason))
	}
	clock.Advance(15 * time.Minute)
	j := waitJobStatus(t, c, id, types.JobStatusSucceeded)
	if aws.ToInt64(j.StoppedAt)-aws.ToInt64(j.StartedAt) != time.Hour.Milliseconds() || len(j.Attempts) != 1 {
		t.Errorf("job ran %v in %d attempts, want an hour in 1", time.Duration(aws.ToInt64(j.StoppedAt)-aws.ToInt64(j.StartedAt))*time.Millisecond, len(j.Attempts))
	}
	// The runner reads the output again from the time of the last line it
	// stored, which the Executor contract lets come twice.
	got := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName))
	if want := []string{"before", "while down"}; !slices.Equal(slices.Compact(slices.Clone(got)), want) {
		t.Errorf("log lines = %q, want %q (the first perhaps twice)", got, want)
	}
}

// TestSimulateTaggedComputeEnvironment: a server running jobs as host
// processes simulates those of a compute environment tagged
// barge:executor=simulate, and follows the tag as it is when each job is
// placed.
func TestSimulateTaggedComputeEnvironment(t *testing.T) {
	ts := startServerWith(t, "", func(c *Config) { c.Executor = "process" })
	c := ts.batch()
	ctx := context.Background()
	// The same settings on both: only the simulated queue plays them.
	settings := []string{"BARGE_SIMULATE_EXIT_CODE", "4", "BARGE_SIMULATE_LOG", "simulated on ${AWS_BATCH_CE_NAME}"}
	simSetup(t, ts, "real", 4, nil, settings...)
	simSetup(t, ts, "sim", 4, map[string]string{"barge:executor": "simulate"}, settings...)
	simSetup(t, ts, "typo", 4, map[string]string{"barge:executor": "simulated"}, settings...)

	run := func(ce string) types.JobDetail {
		t.Helper()
		return waitJob(t, c, simSubmit(t, c, ce, "job-on-"+ce), time.Minute)
	}
	check := func(ce string, j types.JobDetail, exit int32, lines ...string) {
		t.Helper()
		if j.Status != types.JobStatusFailed || aws.ToInt32(j.Container.ExitCode) != exit {
			t.Errorf("%s: job = %s exit %d (%s), want FAILED exit %d", ce, j.Status, aws.ToInt32(j.Container.ExitCode), aws.ToString(j.Container.Reason), exit)
		}
		if got := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName)); !slices.Equal(got, lines) {
			t.Errorf("%s: log lines = %q, want %q", ce, got, lines)
		}
	}
	check("real", run("real"), 99, "ran on the host")
	check("sim", run("sim"), 4, "simulated on sim")

	j := run("typo")
	want := `CannotStartContainerError: compute environment typo has the tag barge:executor="simulated", but this barge runs jobs on process or simulate or kubernetes`
	if aws.ToString(j.StatusReason) != "Task failed to start" || aws.ToString(j.Container.Reason) != want {
		t.Errorf("typo: job = %s %q, container reason %q; want Task failed to start, %q", j.Status, aws.ToString(j.StatusReason), aws.ToString(j.Container.Reason), want)
	}

	out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: []string{"real"}})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.ComputeEnvironments[0].ComputeEnvironmentArn
	if _, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"barge:executor": "simulate"}}); err != nil {
		t.Fatal(err)
	}
	check("real, tagged", run("real"), 4, "simulated on real")
	if _, err := c.UntagResource(ctx, &batch.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"barge:executor"}}); err != nil {
		t.Fatal(err)
	}
	check("real, untagged", run("real"), 99, "ran on the host")
}

// BenchmarkSimulatedJobs runs BenchmarkTrivialJobs's batches of 1,000
// jobs (BARGE_BENCH_RUN_JOBS) with simulated jobs that end at once: what
// barge itself costs per job when no container runs. simulate is a server
// started with --executor simulate; tagged a process-executor server whose
// compute environment is tagged barge:executor=simulate, which the runner
// follows for each job it starts.
func BenchmarkSimulatedJobs(b *testing.B) {
	n := runJobCount(b)
	for _, executor := range []string{"simulate", "tagged"} {
		for _, slots := range []int{16, 1000} {
			b.Run(fmt.Sprintf("%s/slots=%d", executor, slots), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.Listen = "127.0.0.1:0"
				cfg.DataDir = b.TempDir()
				cfg.AccessKeyID, cfg.SecretAccessKey = benchKeyID, benchSecret
				cfg.LogLevel = "error"
				cfg.Executor = map[string]string{"simulate": "simulate", "tagged": "process"}[executor]
				m := NewMain(cfg, io.Discard, io.Discard)
				if err := m.Run(context.Background()); err != nil {
					b.Fatalf("Run() = %v", err)
				}
				b.Cleanup(func() { m.Close() })
				c := benchClient(m.Addr)
				queue, jobDef := seedRun(b, c, m.Addr, int32((slots+3)/4), "busybox")
				if executor == "tagged" {
					arn := "arn:aws:batch:us-east-1:123456789012:compute-environment/run-ce"
					if _, err := c.TagResource(context.Background(), &batch.TagResourceInput{ResourceArn: aws.String(arn),
						Tags: map[string]string{"barge:executor": "simulate"}}); err != nil {
						b.Fatal(err)
					}
				}
				var wall time.Duration
				peak := 0
				cpu0 := cpuTime()
				for b.Loop() {
					d, p := runBargeBatch(b, c, queue, jobDef, n)
					wall += d
					peak = max(peak, p)
				}
				b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N*n), "cpu-ms/job")
				b.ReportMetric(float64(peak), "peak-running")
				b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
				b.ReportMetric(float64(b.N*n)/wall.Seconds(), "jobs/s")
			})
		}
	}
}
