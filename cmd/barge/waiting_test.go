package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge/internal/executor/simulate"
)

// waitReason polls until job id's statusReason, as DescribeJobs and
// ListJobs give it, is want (the scheduler's view follows changes within a
// pass), and checks the job is still RUNNABLE.
func waitReason(t *testing.T, c *batch.Client, queue, id, want string) {
	t.Helper()
	var got, listed string
	var status types.JobStatus
	pollUntil(t, func() string {
		return "statusReason of " + id + " = " + string(status) + " " + got + " (listed: " + listed + "), want RUNNABLE " + want
	}, func() bool {
		j := describeJob(t, c, id)
		got, status = aws.ToString(j.StatusReason), j.Status
		out, err := c.ListJobs(context.Background(), &batch.ListJobsInput{JobQueue: aws.String(queue), JobStatus: types.JobStatusRunnable})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.JobSummaryList {
			if aws.ToString(s.JobId) == id {
				listed = aws.ToString(s.StatusReason)
			}
		}
		return status == types.JobStatusRunnable && got == want && listed == want
	})
}

// registerSized registers a Fargate job definition of vcpu vCPUs that
// sleeps 30 seconds.
func registerSized(t *testing.T, c *batch.Client, name, vcpu, memory string) {
	t.Helper()
	container := fargateContainer(vcpu, memory)
	container.Command = []string{"sleep", "30"}
	if _, err := c.RegisterJobDefinition(context.Background(), &batch.RegisterJobDefinitionInput{
		JobDefinitionName: aws.String(name), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: container,
	}); err != nil {
		t.Fatal(err)
	}
}

// TestWhyJobsWait: every RUNNABLE job says what holds it, in DescribeJobs
// and ListJobs alike, and the reason follows the queue and its compute
// environments as they change.
func TestWhyJobsWait(t *testing.T) {
	t.Parallel()
	ts := startProcessServer(t, nil)
	c := ts.batch()
	ctx := context.Background()
	in := fargateCEInput("small")
	in.ComputeResources.MaxvCpus = aws.Int32(1)
	in.State = types.CEStateDisabled
	if _, err := c.CreateComputeEnvironment(ctx, in); err != nil {
		t.Fatal(err)
	}
	waitCEStatus(t, c, "small", types.CEStatusValid)
	createQueue(t, c, "q", "small")
	registerSized(t, c, "one", "1", "2048")
	registerSized(t, c, "four", "4", "8192")
	job := func(name, def string) string {
		return submit(t, c, &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String(def)})
	}
	first := job("first", "one")
	waitReason(t, c, "q", first, "No compute environment of job queue q can run jobs now: small is DISABLED. Enable one with update-compute-environment --state ENABLED.")

	// The compute environment enabled, first runs and fills it; second
	// waits for room, and big can never have it.
	second := job("second", "one")
	big := job("big", "four")
	enableCE(t, c, "small")
	pollUntil(t, func() string { return "first not RUNNING" }, func() bool { return describeJob(t, c, first).Status == types.JobStatusRunning })
	waitReason(t, c, "q", second, "Waiting for capacity: the job needs 1 vCPU; compute environment small has 1 of 1 vCPUs in use.")
	waitReason(t, c, "q", big, "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU requirement of the job.")

	// A disabled queue holds all its jobs, whatever else would.
	if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String("q"), State: types.JQStateDisabled}); err != nil {
		t.Fatal(err)
	}
	disabled := "Job queue q is DISABLED: its jobs wait until it is enabled (update-job-queue --job-queue q --state ENABLED)."
	waitReason(t, c, "q", second, disabled)
	waitReason(t, c, "q", big, disabled)

	for _, id := range []string{first, second, big} {
		if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String("done")}); err != nil {
			t.Fatal(err)
		}
	}
	if j := describeJob(t, c, second); aws.ToString(j.StatusReason) != "done" {
		t.Errorf("terminated job's statusReason = %q, want the caller's reason", aws.ToString(j.StatusReason))
	}
}

// TestJobStateTimeLimitAction: a job blocking the head of its queue for the
// reason of one of the queue's jobStateTimeLimitActions is cancelled after
// maxTimeSeconds, with AWS's statusReason, and the jobs depending on it fail.
func TestJobStateTimeLimitAction(t *testing.T) {
	t.Parallel()
	clk := simulate.NewManualClock(time.Now())
	ts := startProcessServer(t, func(c *Config) { c.SimulateClock = clk })
	c := ts.batch()
	ctx := context.Background()
	createFargateCE(t, c, "small", types.CRTypeFargate, 2)
	waitCEStatus(t, c, "small", types.CEStatusValid)
	if _, err := c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{
		JobQueueName: aws.String("q"), Priority: aws.Int32(1),
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("small")}},
		JobStateTimeLimitActions: []types.JobStateTimeLimitAction{{
			Reason: aws.String("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"), State: types.JobStateTimeLimitActionsStateRunnable,
			MaxTimeSeconds: aws.Int32(600), Action: types.JobStateTimeLimitActionsActionCancel,
		}},
	}); err != nil {
		t.Fatal(err)
	}
	registerSized(t, c, "four", "4", "8192")
	start := clk.Now()
	big := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("big"), JobQueue: aws.String("q"), JobDefinition: aws.String("four")})
	after := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("after"), JobQueue: aws.String("q"), JobDefinition: aws.String("four"),
		DependsOn: []types.JobDependency{{JobId: aws.String(big)}}})
	waitReason(t, c, "q", big, "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU requirement of the job.")

	// The scheduler looks at the heads of its queues every second; five
	// minutes at a time, the ten minutes pass.
	var j types.JobDetail
	deadline := time.Now().Add(15 * time.Second)
	for j = describeJob(t, c, big); j.Status == types.JobStatusRunnable; j = describeJob(t, c, big) {
		if time.Now().After(deadline) {
			t.Fatalf("big still RUNNABLE (%s) %v after it blocked its queue", aws.ToString(j.StatusReason), clk.Now().Sub(start))
		}
		clk.Advance(5 * time.Minute)
		pollFor(1200*time.Millisecond, func() bool { return describeJob(t, c, big).Status != types.JobStatusRunnable })
	}
	want := "Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
	if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != want || !aws.ToBool(j.IsCancelled) {
		t.Errorf("big = %s %q isCancelled %v, want FAILED %q, cancelled", j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsCancelled), want)
	}
	if blocked := time.UnixMilli(aws.ToInt64(j.StoppedAt)).Sub(start); blocked < 10*time.Minute {
		t.Errorf("big cancelled %v after it was submitted, want at least maxTimeSeconds (10m)", blocked)
	}
	// The end of big is carried on to its dependents right after.
	var d types.JobDetail
	pollUntil(t, func() string {
		return "job depending on big = " + string(d.Status) + " " + aws.ToString(d.StatusReason) + `, want FAILED "Dependent Job failed"`
	}, func() bool {
		d = describeJob(t, c, after)
		return d.Status == types.JobStatusFailed && aws.ToString(d.StatusReason) == "Dependent Job failed"
	})
}

// pollFor polls check every 10 ms for at most d; it reports whether check
// came true.
func pollFor(d time.Duration, check func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if check() {
			return true
		}
	}
	return false
}

// TestSnapshotFIFOFront: the front of a FIFO queue, with what it holds.
func TestSnapshotFIFOFront(t *testing.T) {
	t.Parallel()
	ts := startProcessServer(t, nil)
	c := ts.batch()
	ctx := context.Background()
	createFargateCE(t, c, "small", types.CRTypeFargate, 1)
	waitCEStatus(t, c, "small", types.CEStatusValid)
	createQueue(t, c, "q", "small")
	registerSized(t, c, "one", "1", "2048")
	var ids []string
	for _, name := range []string{"a", "b", "c"} {
		ids = append(ids, submit(t, c, &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String("one")}))
	}
	pollUntil(t, func() string { return "a not RUNNING" }, func() bool { return describeJob(t, c, ids[0]).Status == types.JobStatusRunning })
	out, err := c.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	var front []string
	for _, j := range out.FrontOfQueue.Jobs {
		front = append(front, aws.ToString(j.JobArn))
		// Placing a moved b and c up: their time at their place is then.
		if at := aws.ToInt64(j.EarliestTimeAtPosition); at < aws.ToInt64(describeJob(t, c, ids[0]).CreatedAt) {
			t.Errorf("earliestTimeAtPosition = %d, before a was submitted", at)
		}
	}
	if want := batchARNPrefix + "job/" + ids[1] + " " + batchARNPrefix + "job/" + ids[2]; strings.Join(front, " ") != want {
		t.Errorf("front = %v, want b, c", front)
	}
	u := out.QueueUtilization
	if u == nil || len(u.TotalCapacityUsage) != 1 || aws.ToFloat64(u.TotalCapacityUsage[0].Quantity) != 1 || u.FairshareUtilization != nil {
		t.Errorf("queueUtilization = %+v, want 1 VCPU and no fair-share part", u)
	}
	drain(t, c, "q")
}
