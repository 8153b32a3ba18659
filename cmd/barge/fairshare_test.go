package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// startProcessServer runs barge with the process executor: jobs are host
// processes, which is all a test of placement needs.
func startProcessServer(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	ts := startServerWith(t, "", func(c *Config) {
		c.Executor = "process"
		if edit != nil {
			edit(c)
		}
	})
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := ts.iam().CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("ecsTaskExecutionRole"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	return ts
}

// fairShareSetup creates, on a server, compute environment ce of maxvCpus
// vCPUs (DISABLED, so that jobs gather before any is placed), a scheduling
// policy with the given share weights, queue fq using both, and job
// definition sleeper: 1 vCPU, sleeping 30 seconds (the tests end its jobs).
func fairShareSetup(t *testing.T, c *batch.Client, maxvCpus int32, weights map[string]float64) {
	t.Helper()
	ctx := context.Background()
	in := fargateCEInput("ce")
	in.ComputeResources.MaxvCpus = aws.Int32(maxvCpus)
	in.State = types.CEStateDisabled
	if _, err := c.CreateComputeEnvironment(ctx, in); err != nil {
		t.Fatal(err)
	}
	waitCEStatus(t, c, "ce", types.CEStatusValid)
	fp := &types.FairsharePolicy{ShareDecaySeconds: aws.Int32(3600)}
	for share, w := range weights {
		fp.ShareDistribution = append(fp.ShareDistribution, types.ShareAttributes{ShareIdentifier: aws.String(share), WeightFactor: aws.Float32(float32(w))})
	}
	if _, err := c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{Name: aws.String("fair"), FairsharePolicy: fp}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{
		JobQueueName: aws.String("fq"), Priority: aws.Int32(1), SchedulingPolicyArn: aws.String(spARN("fair")),
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("ce")}},
	}); err != nil {
		t.Fatal(err)
	}
	container := fargateContainer("1", "2048")
	container.Command = []string{"sleep", "30"}
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{
		JobDefinitionName: aws.String("sleeper"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: container,
	}); err != nil {
		t.Fatal(err)
	}
}

// submitShare submits n jobs of share to fq, named share-0, share-1, ...,
// and returns their IDs.
func submitShare(t *testing.T, c *batch.Client, share string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		ids = append(ids, submit(t, c, &batch.SubmitJobInput{JobName: aws.String(fmt.Sprintf("%s-%d", share, i)), JobQueue: aws.String("fq"),
			JobDefinition: aws.String("sleeper"), ShareIdentifier: aws.String(share)}))
	}
	return ids
}

func enableCE(t *testing.T, c *batch.Client, name string) {
	t.Helper()
	if _, err := c.UpdateComputeEnvironment(context.Background(), &batch.UpdateComputeEnvironmentInput{
		ComputeEnvironment: aws.String(name), State: types.CEStateEnabled}); err != nil {
		t.Fatal(err)
	}
}

// started returns fq's jobs that hold capacity (STARTING or RUNNING).
func started(t *testing.T, c *batch.Client) []types.JobSummary {
	t.Helper()
	var out []types.JobSummary
	for _, st := range []types.JobStatus{types.JobStatusStarting, types.JobStatusRunning} {
		page, err := c.ListJobs(context.Background(), &batch.ListJobsInput{JobQueue: aws.String("fq"), JobStatus: st})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.JobSummaryList...)
	}
	return out
}

// placements lets n jobs run one after another on a compute environment
// with room for one: it waits for the job placed, notes its share and
// terminates it, which frees the room for the next. It returns the shares
// in the order their jobs were placed.
func placements(t *testing.T, c *batch.Client, n int) []string {
	t.Helper()
	var shares []string
	for range n {
		// Terminated once RUNNING: a task stopped before it started is not
		// what this test is about.
		var running []types.JobSummary
		pollUntil(t, func() string { return fmt.Sprintf("%d jobs placed, want 1 RUNNING (after %v)", len(running), shares) },
			func() bool {
				running = started(t, c)
				return len(running) == 1 && running[0].Status == types.JobStatusRunning
			})
		j := running[0]
		shares = append(shares, aws.ToString(j.ShareIdentifier))
		if _, err := c.TerminateJob(context.Background(), &batch.TerminateJobInput{JobId: j.JobId, Reason: aws.String("next")}); err != nil {
			t.Fatal(err)
		}
		// FAILED once its process has stopped, which gives its room back.
		if got := waitJob(t, c, aws.ToString(j.JobId), time.Minute); got.Status != types.JobStatusFailed {
			t.Fatalf("terminated job = %s, want FAILED", got.Status)
		}
	}
	return shares
}

// drain stops a queue's jobs when a test ends: it disables the queue, so
// that nothing more is placed, and terminates what runs. (A server that
// stops leaves its tasks running.)
func drain(t *testing.T, c *batch.Client, queue string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String(queue), State: types.JQStateDisabled}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // a pass under way when the queue was disabled
	for _, st := range []types.JobStatus{types.JobStatusStarting, types.JobStatusRunning} {
		out, err := c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String(queue), JobStatus: st})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range out.JobSummaryList {
			// A task stopped before it started would start anyway.
			pollUntil(t, func() string { return "job not RUNNING" }, func() bool {
				return describeJob(t, c, aws.ToString(j.JobId)).Status != types.JobStatusStarting
			})
			c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: j.JobId, Reason: aws.String("test over")})
		}
	}
}

func count(shares []string, share string) int {
	n := 0
	for _, s := range shares {
		if s == share {
			n++
		}
	}
	return n
}

// TestFairShareThroughSDK: two shares of equal weight take turns, although
// all of one's jobs were submitted first; a share of weight 0.5 gets twice
// the placements of a share of weight 1.
func TestFairShareThroughSDK(t *testing.T) {
	t.Run("equal weights interleave", func(t *testing.T) {
		t.Parallel()
		ts := startProcessServer(t, nil)
		c := ts.batch()
		fairShareSetup(t, c, 1, nil)
		submitShare(t, c, "alpha", 6)
		submitShare(t, c, "beta", 6)
		enableCE(t, c, "ce")
		got := strings.Join(placements(t, c, 8), " ")
		drain(t, c, "fq")
		if want := "alpha beta alpha beta alpha beta alpha beta"; got != want {
			t.Errorf("shares in placement order = %s, want %s", got, want)
		}
	})
	t.Run("weight 0.5 gets twice weight 1", func(t *testing.T) {
		t.Parallel()
		ts := startProcessServer(t, nil)
		c := ts.batch()
		fairShareSetup(t, c, 1, map[string]float64{"gold": 0.5, "bronze": 1})
		submitShare(t, c, "bronze", 12)
		submitShare(t, c, "gold", 12)
		enableCE(t, c, "ce")
		got := placements(t, c, 12)
		drain(t, c, "fq")
		// Equal usage times weight: gold 8, bronze 4. When the two are
		// even, the share whose usage is older (and so decayed a little
		// more) goes first, which may move one placement.
		t.Logf("shares in placement order: %v", got)
		if g := count(got, "gold"); g < 7 || g > 9 {
			t.Errorf("shares in placement order = %v: gold %d of 12, want about 8 (twice bronze's)", got, g)
		}
	})
}

// TestFairShareSubmitAndList: SubmitJob's share rules as AWS's, and the
// SHARE_IDENTIFIER filter of ListJobs (top-level jobs, any status or one).
func TestFairShareSubmitAndList(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "") // held: the jobs stay RUNNABLE
	c := ts.batch()
	ctx := context.Background()
	fairShareSetup(t, c, 4, nil)

	_, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("noshare"), JobQueue: aws.String("fq"), JobDefinition: aws.String("sleeper")})
	wantClientError(t, err, "shareIdentifier must be specified.")

	alpha := submitShare(t, c, "alpha", 3)
	submitShare(t, c, "beta", 1)
	if _, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("alpha-array"), JobQueue: aws.String("fq"), JobDefinition: aws.String("sleeper"),
		ShareIdentifier: aws.String("alpha"), ArrayProperties: &types.ArrayProperties{Size: aws.Int32(3)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelJob(ctx, &batch.CancelJobInput{JobId: aws.String(alpha[0]), Reason: aws.String("not needed")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		share  string
		status types.JobStatus
		want   []string
	}{
		// Newest first, in every status; an array's parent, not its children.
		{"alpha", "", []string{"alpha-array", "alpha-2", "alpha-1", "alpha-0"}},
		{"alpha", types.JobStatusFailed, []string{"alpha-0"}},
		{"alpha", types.JobStatusRunnable, []string{"alpha-2", "alpha-1"}},
		{"alpha", types.JobStatusPending, []string{"alpha-array"}},
		{"beta", "", []string{"beta-0"}},
		{"gamma", "", nil},
	}
	for _, tt := range tests {
		if got := names(t, c, listIDs(t, c, tt.share, tt.status)); !slices.Equal(got, tt.want) {
			t.Errorf("ListJobs(SHARE_IDENTIFIER %s, jobStatus %q) = %v, want %v", tt.share, tt.status, got, tt.want)
		}
	}
}

// listIDs lists the IDs of fq's jobs of share (and status, if given),
// newest first, a page of 2 at a time.
func listIDs(t *testing.T, c *batch.Client, share string, status types.JobStatus) []string {
	t.Helper()
	var ids []string
	in := &batch.ListJobsInput{JobQueue: aws.String("fq"), JobStatus: status, MaxResults: aws.Int32(2),
		Filters: []types.KeyValuesPair{{Name: aws.String("SHARE_IDENTIFIER"), Values: []string{share}}}}
	for {
		out, err := c.ListJobs(context.Background(), in)
		if err != nil {
			t.Fatalf("ListJobs(SHARE_IDENTIFIER %s) = %v", share, err)
		}
		for _, j := range out.JobSummaryList {
			if aws.ToString(j.ShareIdentifier) != share {
				t.Errorf("job %s of share %s listed for share %s", aws.ToString(j.JobId), aws.ToString(j.ShareIdentifier), share)
			}
			ids = append(ids, aws.ToString(j.JobId))
		}
		if out.NextToken == nil {
			return ids
		}
		in.NextToken = out.NextToken
	}
}

// names returns the names of jobs by ID.
func names(t *testing.T, c *batch.Client, ids []string) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		out = append(out, aws.ToString(describeJob(t, c, id).JobName))
	}
	return out
}

// TestFairShareSnapshot: the front of a fair-share queue interleaves its
// shares, and the snapshot shows what each share holds.
func TestFairShareSnapshot(t *testing.T) {
	t.Parallel()
	ts := startProcessServer(t, nil)
	c := ts.batch()
	ctx := context.Background()
	fairShareSetup(t, c, 1, nil)
	submitShare(t, c, "alpha", 3)
	submitShare(t, c, "beta", 3)
	enableCE(t, c, "ce")
	var running []types.JobSummary
	pollUntil(t, func() string { return "no job RUNNING" }, func() bool {
		running = started(t, c)
		return len(running) == 1 && running[0].Status == types.JobStatusRunning
	})
	if got := aws.ToString(running[0].JobName); got != "alpha-0" {
		t.Fatalf("first placed = %s, want alpha-0", got)
	}

	out, err := c.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String("fq")})
	if err != nil {
		t.Fatal(err)
	}
	var front []string
	for _, j := range out.FrontOfQueue.Jobs {
		id := aws.ToString(j.JobArn)[strings.LastIndexByte(aws.ToString(j.JobArn), '/')+1:]
		front = append(front, aws.ToString(describeJob(t, c, id).JobName))
	}
	// alpha holds a vCPU: beta is owed the next one, then they alternate.
	if got, want := strings.Join(front, " "), "beta-0 alpha-1 beta-1 alpha-2 beta-2"; got != want {
		t.Errorf("front of fq = %s, want %s", got, want)
	}
	u := out.QueueUtilization
	if u == nil || len(u.TotalCapacityUsage) != 1 || aws.ToString(u.TotalCapacityUsage[0].CapacityUnit) != "VCPU" ||
		aws.ToFloat64(u.TotalCapacityUsage[0].Quantity) != 1 {
		t.Fatalf("queueUtilization = %+v, want 1 VCPU in use", u)
	}
	fu := u.FairshareUtilization
	if fu == nil || aws.ToInt64(fu.ActiveShareCount) != 1 || len(fu.TopCapacityUtilization) != 1 ||
		aws.ToString(fu.TopCapacityUtilization[0].ShareIdentifier) != "alpha" ||
		aws.ToFloat64(fu.TopCapacityUtilization[0].CapacityUsage[0].Quantity) != 1 {
		t.Errorf("fairshareUtilization = %+v, want alpha holding 1 VCPU, the one active share", fu)
	}
	drain(t, c, "fq")
}
