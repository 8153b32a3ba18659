package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bargehq/barge/internal/apitest"
	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/executor/testimage"
	"github.com/bargehq/barge/internal/pgtest"
	"github.com/moby/moby/client"
)

// TestChaos runs three barge servers over one PostgreSQL, submits jobs on
// the simulate executor through AWS SDK clients (with the SDK's retries)
// spread over all three, and kill -9s the leader at random moments, each
// time starting the killed server again. Then every acknowledged job must
// exist, have ended, and a succeeded one must have run once; the failover
// times (from a kill until another server leads) are logged.
//
// Each job writes one line, "ran", per run: a job whose log stream holds
// more than one ran twice.
//
// It takes minutes, so it runs only with BARGE_CHAOS=1 (scripts/chaos.sh);
// BARGE_CHAOS_JOBS and BARGE_CHAOS_KILLS change its size (2,000 and 10),
// and BARGE_CHAOS_EXECUTOR=docker runs the jobs as containers on the host's
// Docker engine instead of simulating them.
func TestChaos(t *testing.T) {
	if os.Getenv("BARGE_CHAOS") == "" {
		t.Skip("set BARGE_CHAOS=1 to run the chaos test (scripts/chaos.sh)")
	}
	jobs, kills := envInt(t, "BARGE_CHAOS_JOBS", 2000), envInt(t, "BARGE_CHAOS_KILLS", 10)
	executor, image := "simulate", "busybox"
	if os.Getenv("BARGE_CHAOS_EXECUTOR") == "docker" {
		executor = "docker"
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := docker.Ping(ctx, "")
		cancel()
		if err != nil {
			t.Skipf("no Docker engine answers: %v", err)
		}
		image = testimage.Ensure(context.Background(), t, "")
	}
	pg := pgtest.New()
	t.Cleanup(pg.Close)
	dbURL := pg.Database(t)
	bin := os.Getenv("BARGE_BIN")
	if bin == "" {
		bin = buildBarge(t)
	}
	// The servers share --data: the root credentials and the simulate
	// executor's tasks, which each new leader takes over.
	data := t.TempDir()
	c := &chaosCluster{t: t, bin: bin, data: data, db: dbURL, executor: executor}
	for i := range 3 {
		c.replicas = append(c.replicas, &chaosReplica{addr: freePort(t), log: filepath.Join(data, fmt.Sprintf("server%d.log", i))})
	}
	if executor == "docker" {
		// Whatever the outcome, no container of the test outlives it
		// (stopAll's kills leave the last leader's running). Registered
		// before stopAll, so that it runs after it (cleanups run last
		// first): a leader still alive would start the tasks whose
		// containers it removes again.
		t.Cleanup(func() { removeContainers(t, data) })
	}
	// Registered before the replicas start: one that fails to start must
	// not outlive the test.
	t.Cleanup(c.stopAll)
	for _, r := range c.replicas {
		c.start(r)
	}

	ctx := context.Background()
	clients := make([]*batch.Client, len(c.replicas))
	for i, r := range c.replicas {
		cfg := apitest.Config("us-east-1", testKey)
		cfg.RetryMaxAttempts = 0 // the retryer's
		// As SDK users run: the standard retryer, given room to ride out
		// a failover.
		cfg.Retryer = func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 20
				o.MaxBackoff = 2 * time.Second
				o.RateLimiter = noRateLimit{}
			})
		}
		clients[i] = apitest.Batch(cfg, "http://"+r.addr)
	}
	createFargateCE(t, clients[0], "ce", types.CRTypeFargate, 256)
	waitCEStatus(t, clients[1], "ce", types.CEStatusValid)
	createQueue(t, clients[2], "q", "ce")
	waitQueueValid(t, clients[0], "q")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := apitest.IAM(apitest.Config("us-east-1", testKey), "http://"+c.replicas[2].addr).CreateRole(ctx,
		&iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.Image = aws.String(image)
	cp.Command = []string{"sh", "-c", "echo ran; sleep $BARGE_SIMULATE_DURATION"}
	cp.Environment = []types.KeyValuePair{{Name: aws.String("BARGE_SIMULATE_LOG"), Value: aws.String("ran")}}
	cp.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:role/exec")
	if _, err := clients[1].RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("sim"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	waitJobDefinition(t, clients, "sim")

	// Submit, 8 clients over the three servers, paced to span the kills.
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	pace := time.Duration(float64(kills) * float64(8*time.Second) / float64(jobs) * 8)
	for w := range 8 {
		wg.Go(func() {
			c := clients[w%len(clients)]
			for i := w; i < jobs; i += 8 {
				dur := fmt.Sprintf("%.1f", 0.5+3*rand.Float64()) // seconds, for sleep and the simulation
				out, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String(fmt.Sprintf("chaos-%d", i)), JobQueue: aws.String("q"),
					JobDefinition: aws.String("sim"), ContainerOverrides: &types.ContainerOverrides{
						Environment: []types.KeyValuePair{{Name: aws.String("BARGE_SIMULATE_DURATION"), Value: aws.String(dur)}}}})
				if err != nil {
					t.Logf("SubmitJob(chaos-%d) failed after the SDK's retries: %v", i, err)
					continue
				}
				mu.Lock()
				acked = append(acked, *out.JobId)
				mu.Unlock()
				time.Sleep(pace)
			}
		})
	}

	// Kill the leader at random moments.
	var failovers []time.Duration
	for k := range kills {
		time.Sleep(time.Duration(2000+rand.IntN(6000)) * time.Millisecond)
		leader, term := c.leader(30 * time.Second)
		if leader == nil {
			t.Fatalf("kill %d: no server leads", k+1)
		}
		killed := time.Now()
		leader.cmd.Process.Kill()
		leader.cmd.Wait()
		c.start(leader)
		next, _ := c.leaderAfter(term, 30*time.Second)
		if next == nil {
			t.Fatalf("kill %d: no server took over within 30 s", k+1)
		}
		failovers = append(failovers, time.Since(killed))
		t.Logf("kill %d: term %d ended; the lease moved after %v", k+1, term, failovers[len(failovers)-1].Round(10*time.Millisecond))
	}
	wg.Wait()

	// Every acknowledged job must end, once. Containers run only as many
	// at a time as the host's cores allow, so the last ones may take many
	// minutes: a job is stuck when none has ended for two minutes.
	deadline := time.Now().Add(2 * time.Minute)
	var missing, stuck, twice, failed []string
	unfinished := len(acked)
	for {
		missing, stuck, twice, failed = nil, nil, nil, nil
		for ids := range slices.Chunk(acked, 100) {
			out, err := clients[rand.IntN(len(clients))].DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: ids})
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]types.JobDetail{}
			for _, j := range out.Jobs {
				found[*j.JobId] = j
			}
			for _, id := range ids {
				j, ok := found[id]
				switch {
				case !ok:
					missing = append(missing, id)
				case j.Status == types.JobStatusSucceeded:
					if n := succeededAttempts(j); n != 1 {
						twice = append(twice, fmt.Sprintf("%s (%d successful attempts of %d)", id, n, len(j.Attempts)))
					} else if runs := c.runsOnce(j); runs != 1 {
						twice = append(twice, fmt.Sprintf("%s (run %d times)", id, runs))
					}
				case j.Status == types.JobStatusFailed:
					reason := aws.ToString(j.StatusReason)
					if n := len(j.Attempts); n > 0 && j.Attempts[n-1].Container != nil {
						reason += ": " + aws.ToString(j.Attempts[n-1].Container.Reason)
					}
					failed = append(failed, fmt.Sprintf("%s: %s", id, reason))
				default:
					stuck = append(stuck, fmt.Sprintf("%s %s", id, j.Status))
				}
			}
		}
		if len(stuck) == 0 || time.Now().After(deadline) {
			break
		}
		if len(stuck) < unfinished {
			unfinished, deadline = len(stuck), time.Now().Add(2*time.Minute)
		}
		time.Sleep(time.Second)
	}
	slices.Sort(failovers)
	t.Logf("%d jobs acknowledged of %d submitted; %d kills; failover p50 %v, max %v; failed %d",
		len(acked), jobs, kills, failovers[len(failovers)/2].Round(10*time.Millisecond), failovers[len(failovers)-1].Round(10*time.Millisecond), len(failed))
	if len(missing) > 0 || len(stuck) > 0 || len(twice) > 0 {
		t.Errorf("acknowledged jobs missing: %d %v\nstuck: %d %v\nsucceeded more than once: %d %v",
			len(missing), head(missing), len(stuck), head(stuck), len(twice), head(twice))
	}
	if len(failed) > 0 {
		t.Errorf("jobs that exit 0 failed: %d %v", len(failed), head(failed))
	}
	if executor == "docker" {
		// Every job has ended: the leader removed every container, those
		// a killed leader's engine created late included (the runner's
		// sweep removes them within two minutes).
		var left []string
		for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(time.Second) {
			if left = leftContainers(t, data); len(left) == 0 || time.Now().After(deadline) {
				break
			}
		}
		t.Logf("orphan containers: %d", len(left))
		if len(left) > 0 {
			t.Errorf("containers left after every job ended: %d %v", len(left), head(left))
		}
	}
}

// removeContainers removes every container of the barge instance of data
// directory dir.
func removeContainers(t *testing.T, dir string) {
	instance, err := instanceID(dir)
	if err != nil {
		t.Error(err)
		return
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Error(err)
		return
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", docker.LabelInstance+"="+instance)})
	if err != nil {
		t.Errorf("listing the test's containers: %v", err)
		return
	}
	for _, c := range res.Items {
		cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true})
	}
}

// succeededAttempts counts a job's attempts that exited 0.
func succeededAttempts(j types.JobDetail) int {
	n := 0
	for _, a := range j.Attempts {
		if a.Container != nil && a.Container.ExitCode != nil && *a.Container.ExitCode == 0 {
			n++
		}
	}
	return n
}

// head returns the first few of xs, for a message.
func head(xs []string) []string { return xs[:min(len(xs), 5)] }

// noRateLimit lets the SDK retry without its client-side retry quota, which
// a failover's burst of refused connections would exhaust.
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

// waitQueueValid waits until queue name is VALID.
func waitQueueValid(t *testing.T, c *batch.Client, name string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, err := c.DescribeJobQueues(context.Background(), &batch.DescribeJobQueuesInput{JobQueues: []string{name}})
		if err == nil && len(out.JobQueues) == 1 && out.JobQueues[0].Status == types.JQStatusValid {
			return
		}
	}
	t.Fatalf("job queue %s did not become VALID", name)
}

// waitJobDefinition waits until every server resolves definition name (the
// submit cache of each forgets within a second).
func waitJobDefinition(t *testing.T, cs []*batch.Client, name string) {
	t.Helper()
	for _, c := range cs {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			out, err := c.DescribeJobDefinitions(context.Background(), &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String(name), Status: aws.String("ACTIVE")})
			if err == nil && len(out.JobDefinitions) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job definition %s not seen", name)
			}
		}
	}
}

// chaosCluster is the chaos test's three barge processes.
type chaosCluster struct {
	t         *testing.T
	bin, data string
	db        string
	executor  string
	replicas  []*chaosReplica
	logs      []*cloudwatchlogs.Client // one per replica, made at the first runs
	counted   map[string]int           // succeeded job → its runs (runsOnce)
}

// runsOnce is runs, read once per job: a job that succeeded runs no more.
func (c *chaosCluster) runsOnce(j types.JobDetail) int {
	if n, ok := c.counted[*j.JobId]; ok {
		return n
	}
	if c.counted == nil {
		c.counted = map[string]int{}
	}
	n := c.runs(j)
	c.counted[*j.JobId] = n
	return n
}

// runs counts the runs of succeeded job j: the "ran" lines of its log
// stream, read from any server.
func (c *chaosCluster) runs(j types.JobDetail) int {
	if j.Container == nil || aws.ToString(j.Container.LogStreamName) == "" {
		return 0
	}
	if c.logs == nil {
		// One client per server for the whole test: a client each call
		// would leave its idle connections open, thousands of them.
		for _, r := range c.replicas {
			c.logs = append(c.logs, (&testServer{t: c.t, URL: "http://" + r.addr}).logs())
		}
	}
	out, err := c.logs[rand.IntN(len(c.logs))].GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String("/aws/batch/job"), LogStreamName: j.Container.LogStreamName, StartFromHead: aws.Bool(true)})
	if err != nil {
		c.t.Fatalf("GetLogEvents(/aws/batch/job, %s) = %v", aws.ToString(j.Container.LogStreamName), err)
	}
	n := 0
	for _, e := range out.Events {
		if aws.ToString(e.Message) == "ran" {
			n++
		}
	}
	return n
}

type chaosReplica struct {
	addr, log string
	cmd       *exec.Cmd
	logf      *os.File
}

// start starts r (again), appending to its log, and waits until it serves.
func (c *chaosCluster) start(r *chaosReplica) {
	c.t.Helper()
	if r.logf != nil {
		r.logf.Close()
	}
	logf, err := os.OpenFile(r.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		c.t.Fatal(err)
	}
	// Each start's lines are told apart by a marker, so that leader()
	// reads only the running process's terms.
	fmt.Fprintf(logf, "=== start\n")
	r.cmd = exec.Command(c.bin, "server", "--listen", r.addr, "--data", c.data, "--executor", c.executor, "--database-url", c.db)
	r.cmd.Env = append(os.Environ(), "BARGE_ACCESS_KEY_ID="+testKeyID, "BARGE_SECRET_ACCESS_KEY="+testSecret)
	r.cmd.Stdout, r.cmd.Stderr, r.logf = logf, logf, logf
	if err := r.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	waitHealthy(c.t, "http://"+r.addr)
}

func (c *chaosCluster) stopAll() {
	for _, r := range c.replicas {
		if r.cmd != nil && r.cmd.Process != nil {
			r.cmd.Process.Kill()
			r.cmd.Wait()
		}
		if r.logf != nil {
			r.logf.Close()
		}
	}
}

var (
	leadingRE = regexp.MustCompile(`msg=leading term=(\d+)`)
	stoppedRE = regexp.MustCompile(`msg="no longer leading" term=(\d+)`)
)

// term returns the term r's running process leads, 0 for none, from its log.
func (r *chaosReplica) term() int64 {
	b, err := os.ReadFile(r.log)
	if err != nil {
		return 0
	}
	if i := bytes.LastIndex(b, []byte("=== start\n")); i >= 0 {
		b = b[i:]
	}
	var lead, stopped int64
	for _, m := range leadingRE.FindAllSubmatch(b, -1) {
		lead, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	for _, m := range stoppedRE.FindAllSubmatch(b, -1) {
		stopped, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	if lead == stopped {
		return 0
	}
	return lead
}

// leader returns the server that leads and its term, waiting up to wait.
func (c *chaosCluster) leader(wait time.Duration) (*chaosReplica, int64) {
	return c.leaderAfter(0, wait)
}

// leaderAfter returns the server that leads in a term after term, waiting
// up to wait.
func (c *chaosCluster) leaderAfter(term int64, wait time.Duration) (*chaosReplica, int64) {
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var best *chaosReplica
		var bt int64
		for _, r := range c.replicas {
			if t := r.term(); t > term && t > bt {
				best, bt = r, t
			}
		}
		if best != nil {
			return best, bt
		}
	}
	return nil, 0
}
