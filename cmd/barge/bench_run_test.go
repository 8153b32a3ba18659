package main

// Benchmarks of jobs that really run (issue #3), each against its baseline
// on the same Docker engine in the same run: the latency from SubmitJob to
// a running container against `docker run -d` of the same image, and the
// wall time of many trivial jobs against `docker run --rm` in a loop.
// docs/PERFORMANCE.md has the commands, the numbers and what they mean.
// They are skipped where no Docker engine answers, and none of this runs
// without -bench.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/executor/testimage"
)

// benchLabel marks the baseline's containers, so that leftovers of an
// interrupted run can be found: docker ps -a --filter label=barge.bench.
const benchLabel = "barge.bench"

// benchPoll is how often the latency benchmark asks barge for a job's
// status: often enough to see RUNNING within a few milliseconds, seldom
// enough that the polling takes little of the CPU the job's start needs.
const benchPoll = 5 * time.Millisecond

// dockerBench skips b unless a Docker engine answers, and returns a client
// of that engine and the tests' busybox image, built if needed.
func dockerBench(b *testing.B) (*client.Client, string) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := docker.Ping(ctx, ""); err != nil {
		b.Skipf("no Docker engine answers (%v); ./scripts/test.sh starts one", err)
	}
	image := testimage.Ensure(context.Background(), b, "")
	cli, err := client.New(client.FromEnv)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cli.Close() })
	return cli, image
}

// runDockerMain runs barge in-process with the Docker executor on a fresh
// data directory until b ends.
func runDockerMain(b *testing.B) *Main {
	b.Helper()
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = b.TempDir()
	cfg.AccessKeyID, cfg.SecretAccessKey = benchKeyID, benchSecret
	cfg.LogLevel = "error"
	cfg.Executor = "docker"
	m := NewMain(cfg, os.Stderr, os.Stderr)
	if err := m.Run(context.Background()); err != nil {
		b.Fatalf("Run() = %v", err)
	}
	b.Cleanup(func() {
		if err := m.Close(); err != nil {
			b.Errorf("Close() = %v", err)
		}
	})
	return m
}

// seedRun creates, through the API, what the seed's workflow has: an
// execution role that ECS tasks may assume, a Fargate compute environment
// of maxvCpus, a queue on it and a Fargate job definition running `true`
// in image at a quarter of a vCPU and 512 MiB, its output going to the
// default log group. It returns the queue and definition names.
func seedRun(b *testing.B, c *batch.Client, addr string, maxvCpus int32, image string) (queue, jobDef string) {
	b.Helper()
	ctx := context.Background()
	ic := iam.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(benchKeyID, benchSecret, ""),
	}, func(o *iam.Options) { o.BaseEndpoint = aws.String("http://" + addr) })
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ecsTaskExecutionRole"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		b.Fatalf("CreateRole = %v", err)
	}
	_, err = c.CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String("run-ce"),
		Type:                   types.CETypeManaged,
		ComputeResources: &types.ComputeResource{
			Type:             types.CRTypeFargate,
			MaxvCpus:         aws.Int32(maxvCpus),
			Subnets:          []string{"subnet-0123456789abcdef0"},
			SecurityGroupIds: []string{"sg-0123456789abcdef0"},
		},
	})
	if err != nil {
		b.Fatalf("CreateComputeEnvironment = %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: []string{"run-ce"}})
		if err != nil {
			b.Fatalf("DescribeComputeEnvironments = %v", err)
		}
		if len(out.ComputeEnvironments) == 1 && out.ComputeEnvironments[0].Status == types.CEStatusValid {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("compute environment run-ce is not VALID after 10s: %+v", out.ComputeEnvironments)
		}
	}
	_, err = c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{
		JobQueueName:            aws.String("run-queue"),
		Priority:                aws.Int32(1),
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("run-ce")}},
	})
	if err != nil {
		b.Fatalf("CreateJobQueue = %v", err)
	}
	_, err = c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{
		JobDefinitionName:    aws.String("run-def"),
		Type:                 types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate},
		ContainerProperties: &types.ContainerProperties{
			Image:            aws.String(image),
			Command:          []string{"true"},
			ExecutionRoleArn: role.Role.Arn,
			ResourceRequirements: []types.ResourceRequirement{
				{Type: types.ResourceTypeVcpu, Value: aws.String("0.25")},
				{Type: types.ResourceTypeMemory, Value: aws.String("512")},
			},
			NetworkConfiguration: &types.NetworkConfiguration{AssignPublicIp: types.AssignPublicIpEnabled},
		},
	})
	if err != nil {
		b.Fatalf("RegisterJobDefinition = %v", err)
	}
	return "run-queue", "run-def"
}

// BenchmarkSubmitToRunning measures how long a job takes to start, one job
// at a time, against the same container started by Docker alone. Each
// iteration starts one container each way, in turn, and waits for it to
// end and be removed before the next; the order rotates between
// iterations. Reported percentiles:
//
//   - barge: from calling SubmitJob to the job's startedAt, which the runner
//     sets once the engine has started the container (1 ms resolution);
//   - barge-seen: from calling SubmitJob to the first DescribeJobs, polled
//     every 5 ms, that shows the job RUNNING (or already SUCCEEDED);
//   - submit: the SubmitJob call alone;
//   - docker: the baseline, ContainerCreate and ContainerStart of the same
//     image and command through the Docker client library, which is what
//     `docker run -d` asks of the engine;
//   - cli: `docker run -d` itself, the CLI process included.
func BenchmarkSubmitToRunning(b *testing.B) {
	cli, image := dockerBench(b)
	_, cliErr := exec.LookPath("docker")
	m := runDockerMain(b)
	c := benchClient(m.Addr)
	queue, jobDef := seedRun(b, c, m.Addr, 16, image)

	var started, seen, submitted, api, dockerCLI latencies
	ways := []func(){
		func() {
			st, se, su := bargeStart(b, c, cli, queue, jobDef)
			started, seen, submitted = append(started, st), append(seen, se), append(submitted, su)
		},
		func() { api = append(api, dockerStart(b, cli, image)) },
		func() {
			if cliErr == nil {
				dockerCLI = append(dockerCLI, dockerRunStart(b, cli, image))
			}
		},
	}
	for _, way := range ways { // warm up: image, connections, prepared statements
		way()
	}
	started, seen, submitted, api, dockerCLI = nil, nil, nil, nil, nil
	for i := 0; b.Loop(); i++ {
		for k := range ways {
			ways[(i+k)%len(ways)]()
		}
	}
	started.reportAs(b, "barge")
	seen.reportAs(b, "barge-seen")
	submitted.reportAs(b, "submit")
	api.reportAs(b, "docker")
	dockerCLI.reportAs(b, "cli")
}

// reportAs reports the percentiles of l as name-p50-ms, name-p99-ms and
// name-max-ms.
func (l latencies) reportAs(b *testing.B, name string) {
	if len(l) == 0 {
		return
	}
	for _, p := range []struct {
		unit string
		q    float64
	}{{"p50", 0.50}, {"p99", 0.99}, {"max", 1}} {
		b.ReportMetric(l.at(p.q), name+"-"+p.unit+"-ms")
	}
}

// at returns the q-quantile of l in milliseconds (nearest rank).
func (l latencies) at(q float64) float64 {
	s := slices.Sorted(slices.Values(l))
	i := int(float64(len(s))*q+0.999999) - 1
	return float64(s[max(0, min(i, len(s)-1))]) / float64(time.Millisecond)
}

// bargeStart submits one job and returns the time from calling SubmitJob
// to the job's startedAt and to seeing it RUNNING, and the SubmitJob call's
// own time. It then waits for the job to end and its container to go.
func bargeStart(b *testing.B, c *batch.Client, cli *client.Client, queue, jobDef string) (started, seen, submitted time.Duration) {
	ctx := context.Background()
	t0 := time.Now()
	out, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("start"), JobQueue: aws.String(queue), JobDefinition: aws.String(jobDef)})
	submitted = time.Since(t0)
	if err != nil {
		b.Fatalf("SubmitJob = %v", err)
	}
	id := aws.ToString(out.JobId)
	var j types.JobDetail
	for seen == 0 {
		time.Sleep(benchPoll)
		j = describeBench(b, c, id)
		switch j.Status {
		case types.JobStatusRunning, types.JobStatusSucceeded:
			seen = time.Since(t0)
		case types.JobStatusFailed:
			b.Fatalf("job %s FAILED: %s (%s)", id, aws.ToString(j.StatusReason), aws.ToString(j.Container.Reason))
		}
	}
	started = time.Duration(aws.ToInt64(j.StartedAt))*time.Millisecond - time.Duration(t0.UnixNano())

	for j.Status != types.JobStatusSucceeded {
		time.Sleep(20 * time.Millisecond)
		if j = describeBench(b, c, id); j.Status == types.JobStatusFailed {
			b.Fatalf("job %s FAILED: %s (%s)", id, aws.ToString(j.StatusReason), aws.ToString(j.Container.Reason))
		}
	}
	name := "barge-" + taskIDOf(aws.ToString(j.Container.TaskArn))
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{}); err != nil {
			break // removed
		}
		if time.Now().After(deadline) {
			b.Fatalf("container %s of job %s is still there 30s after the job ended", name, id)
		}
	}
	return started, seen, submitted
}

// taskIDOf returns the task ID at the end of a task ARN.
func taskIDOf(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func describeBench(b *testing.B, c *batch.Client, id string) types.JobDetail {
	out, err := c.DescribeJobs(context.Background(), &batch.DescribeJobsInput{Jobs: []string{id}})
	if err != nil || len(out.Jobs) != 1 {
		b.Fatalf("DescribeJobs(%s) = %v", id, err)
	}
	return out.Jobs[0]
}

// dockerStart creates and starts a container of image running `true`
// through the Docker client library, as `docker run -d` does, and returns
// how long that took; then it waits for the container to end and removes
// it.
func dockerStart(b *testing.B, cli *client.Client, image string) time.Duration {
	ctx := context.Background()
	t0 := time.Now()
	res, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: image, Cmd: []string{"true"}, Labels: map[string]string{benchLabel: "true"}},
	})
	if err != nil {
		b.Fatalf("ContainerCreate = %v", err)
	}
	if _, err := cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		b.Fatalf("ContainerStart = %v", err)
	}
	d := time.Since(t0)
	removeContainer(b, cli, res.ID)
	return d
}

// dockerRunStart runs `docker run -d` of image running `true` and returns
// how long the command took; then it waits for the container to end and
// removes it.
func dockerRunStart(b *testing.B, cli *client.Client, image string) time.Duration {
	t0 := time.Now()
	out, err := exec.Command("docker", "run", "-d", "--label", benchLabel+"=true", image, "true").Output()
	d := time.Since(t0)
	if err != nil {
		b.Fatalf("docker run -d: %v %s", err, exitStderr(err))
	}
	removeContainer(b, cli, strings.TrimSpace(string(out)))
	return d
}

// removeContainer waits for container id to stop and removes it.
func removeContainer(b *testing.B, cli *client.Client, id string) {
	ctx := context.Background()
	w := cli.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case <-w.Result:
	case err := <-w.Error:
		b.Fatalf("ContainerWait(%s) = %v", id, err)
	}
	if _, err := cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true}); err != nil {
		b.Fatalf("ContainerRemove(%s) = %v", id, err)
	}
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// runJobCount is how many jobs BenchmarkTrivialJobs runs per op:
// BARGE_BENCH_RUN_JOBS, 1,000 by default.
func runJobCount(b *testing.B) int {
	v := os.Getenv("BARGE_BENCH_RUN_JOBS")
	if v == "" {
		return 1000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		b.Fatalf("BARGE_BENCH_RUN_JOBS=%q: want a number of jobs", v)
	}
	return n
}

// BenchmarkTrivialJobs runs 1,000 jobs that do nothing (`true`) and
// reports the wall time (wall-s) and jobs/s, through barge and with Docker
// alone, at several concurrencies. An op is the whole batch.
//
//   - barge/slots=N: submit all the jobs (from 32 clients) into a queue
//     whose compute environment holds N of them at a time (maxvCpus N/4 of
//     quarter-vCPU jobs), and wait until all have SUCCEEDED, polling
//     ListJobs every 250 ms. peak-running is the most jobs seen STARTING or
//     RUNNING at once, cpu-ms/job the CPU time of the barge process (server
//     and its SDK clients) per job.
//   - docker-run/parallel=N: the baseline: `docker run --rm` of the same
//     image and command in a loop, in N loops at once.
func BenchmarkTrivialJobs(b *testing.B) {
	n := runJobCount(b)
	_, image := dockerBench(b)
	for _, slots := range []int{16, 64, 1000} {
		b.Run(fmt.Sprintf("barge/slots=%d", slots), func(b *testing.B) {
			m := runDockerMain(b)
			c := benchClient(m.Addr)
			queue, jobDef := seedRun(b, c, m.Addr, int32((slots+3)/4), image)
			var wall time.Duration
			peak := 0
			cpu0, host0 := cpuTime(), hostCPU(b)
			for b.Loop() {
				d, p := runBargeBatch(b, c, queue, jobDef, n)
				wall += d
				peak = max(peak, p)
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N*n), "cpu-ms/job")
			b.ReportMetric(float64(peak), "peak-running")
			reportBatch(b, n, wall, hostCPU(b)-host0)
		})
	}
	if _, err := exec.LookPath("docker"); err == nil {
		for _, par := range []int{1, 16, 64} {
			b.Run(fmt.Sprintf("docker-run/parallel=%d", par), func(b *testing.B) {
				var wall time.Duration
				host0 := hostCPU(b)
				for b.Loop() {
					wall += runParallel(b, n, par, func() error {
						out, err := exec.Command("docker", "run", "--rm", "--label", benchLabel+"=true", image, "true").CombinedOutput()
						if err != nil {
							return fmt.Errorf("docker run --rm: %v: %s", err, out)
						}
						return nil
					})
				}
				reportBatch(b, n, wall, hostCPU(b)-host0)
			})
		}
	}
}

// reportBatch reports the wall time of a batch of n jobs, its rate, and
// the CPU time the whole machine spent per job.
func reportBatch(b *testing.B, n int, wall, hostCPU time.Duration) {
	b.ReportMetric(wall.Seconds()/float64(b.N), "wall-s")
	b.ReportMetric(float64(b.N*n)/wall.Seconds(), "jobs/s")
	b.ReportMetric(float64(hostCPU.Milliseconds())/float64(b.N*n), "host-cpu-ms/job")
}

// hostCPU is the CPU time the machine has spent busy, on all its CPUs and
// for every process (the Docker engine, containerd, runc and the
// containers included; another workload on the machine too): user, nice,
// system, irq and softirq time from /proc/stat.
func hostCPU(b *testing.B) time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		b.Fatal(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7} {
		if i < len(f) {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// runBargeBatch submits n jobs from 32 clients and waits for all of them
// to succeed. It returns the time from the first submission to the poll
// that found none left unfinished, and the most jobs it saw STARTING or
// RUNNING at once. Polls list the unfinished jobs only, so that they cost
// little when the end is near and their timing matters.
func runBargeBatch(b *testing.B, c *batch.Client, queue, jobDef string, n int) (time.Duration, int) {
	ctx := context.Background()
	done0 := countJobs(b, c, queue, types.JobStatusSucceeded)
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchClients {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				_, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("trivial-" + strconv.FormatInt(i, 10)),
					JobQueue: aws.String(queue), JobDefinition: aws.String(jobDef)})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	peak := 0
	for {
		// RUNNING before STARTING: a job that moves from one to the other
		// between the two calls is counted once at most.
		running := countJobs(b, c, queue, types.JobStatusRunning) + countJobs(b, c, queue, types.JobStatusStarting)
		peak = max(peak, running)
		waiting := 0
		for _, st := range []types.JobStatus{types.JobStatusSubmitted, types.JobStatusPending, types.JobStatusRunnable} {
			waiting += countJobs(b, c, queue, st)
		}
		if running+waiting == 0 {
			wall := time.Since(start)
			if got := countJobs(b, c, queue, types.JobStatusSucceeded) - done0; got != n {
				b.Fatalf("%d of %d jobs SUCCEEDED; %d FAILED", got, n, countJobs(b, c, queue, types.JobStatusFailed))
			}
			return wall, peak
		}
		if time.Since(start) > time.Hour {
			b.Fatalf("%d of %d jobs not done after an hour", running+waiting, n)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// countJobs counts the jobs of queue in status, a page of 1,000 at a time.
func countJobs(b *testing.B, c *batch.Client, queue string, status types.JobStatus) int {
	in := &batch.ListJobsInput{JobQueue: aws.String(queue), JobStatus: status, MaxResults: aws.Int32(1000)}
	n := 0
	for {
		out, err := c.ListJobs(context.Background(), in)
		if err != nil {
			b.Fatalf("ListJobs(%s) = %v", status, err)
		}
		n += len(out.JobSummaryList)
		if out.NextToken == nil {
			return n
		}
		in.NextToken = out.NextToken
	}
}

// runParallel calls run n times from par goroutines and returns the wall
// time.
func runParallel(b *testing.B, n, par int, run func() error) time.Duration {
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range par {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := run(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}
