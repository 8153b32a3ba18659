package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/executor/testimage"
)

// testJobSecond is how long a second of job timeouts and grace periods
// lasts in the end-to-end tests of the attempt lifecycle: AWS's minimum
// timeout, 60 seconds, passes in 1.2 s, and ECS's 30-second stop grace in
// 0.6 s (Docker rounds it up to 1 s).
const testJobSecond = 20 * time.Millisecond

// startLifecycleDocker is lifecycleServer on Docker with testJobSecond,
// skipping without an engine, and returns the test image too.
func startLifecycleDocker(t *testing.T, ces map[types.CRType]map[string]string) (*testServer, *batch.Client, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := docker.Ping(ctx, ""); err != nil {
		t.Skipf("no Docker engine answers (%v); ./scripts/test.sh starts one", err)
	}
	image := testimage.Ensure(context.Background(), t, "")
	ts, c, role := lifecycleServer(t, "docker", testJobSecond, ces)
	return ts, c, role, image
}

// TestAttemptTimeout runs containers past attemptDurationSeconds on Docker:
// the container is stopped (it ignores SIGTERM, as a shell running as PID 1
// does, so it is killed after the grace period) and the job fails with
// AWS's reason; as on AWS, a timed-out job is not retried, whatever its
// retry strategy. A job that ends in time succeeds.
func TestAttemptTimeout(t *testing.T) {
	ts, c, role, image := startLifecycleDocker(t, map[types.CRType]map[string]string{types.CRTypeFargate: nil})
	registerScript(t, c, "slow", image, role, "echo started; sleep 300", func(in *batch.RegisterJobDefinitionInput) {
		in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(3)}
	})

	t.Run("timed out", func(t *testing.T) {
		id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("slow"), JobQueue: aws.String("fargate"), JobDefinition: aws.String("slow"),
			Timeout: &types.JobTimeout{AttemptDurationSeconds: aws.Int32(60)}})
		j := waitAttempts(t, c, id, 1)
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Job attempt duration exceeded timeout" || len(j.Attempts) != 1 {
			t.Fatalf("job = %s %q with %d attempts, want FAILED, Job attempt duration exceeded timeout, not retried", j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
		}
		a := j.Attempts[0]
		if aws.ToString(a.StatusReason) != "Job attempt duration exceeded timeout" || aws.ToInt32(a.Container.ExitCode) != 137 {
			t.Errorf("attempt = %q exit %d, want the timeout's reason and 137 (killed)", aws.ToString(a.StatusReason), aws.ToInt32(a.Container.ExitCode))
		}
		if ran := time.Duration(aws.ToInt64(a.StoppedAt)-aws.ToInt64(a.StartedAt)) * time.Millisecond; ran < 60*testJobSecond {
			t.Errorf("the attempt ran %s, less than its timeout of %s", ran, 60*testJobSecond)
		}
		if lines := logLines(t, ts, "/aws/batch/job", aws.ToString(a.Container.LogStreamName)); !slices.Equal(lines, []string{"started"}) {
			t.Errorf("log = %q, want the container's line", lines)
		}
		if aws.ToInt32(j.Timeout.AttemptDurationSeconds) != 60 {
			t.Errorf("timeout = %+v, want the submitted 60 s", j.Timeout)
		}
	})

	t.Run("done in time", func(t *testing.T) {
		// 3000 s last a minute here: time enough however loaded the host.
		id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("quick"), JobQueue: aws.String("fargate"), JobDefinition: aws.String("slow"),
			Timeout:            &types.JobTimeout{AttemptDurationSeconds: aws.Int32(3000)},
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"true"}}})
		if j := waitJob(t, c, id, time.Minute); j.Status != types.JobStatusSucceeded {
			t.Errorf("job = %s %q, want SUCCEEDED", j.Status, aws.ToString(j.StatusReason))
		}
	})

	// Every container is gone once its attempt is recorded.
	waitNoTasks(t, ts)
}

// waitNoTasks waits up to 10 s for the executor to hold no task, and fails
// the test if one is left.
func waitNoTasks(t *testing.T, ts *testServer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tasks, err := ts.main.exec.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(tasks) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tasks left behind: %+v", tasks)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTerminateRunningJob terminates a job while its container runs on
// Docker: the container is stopped (SIGTERM, then SIGKILL after the grace
// period), the job fails with the caller's reason, and it is not retried.
func TestTerminateRunningJob(t *testing.T) {
	ts, c, role, image := startLifecycleDocker(t, map[types.CRType]map[string]string{types.CRTypeFargate: nil})
	registerScript(t, c, "long", image, role, "echo up; sleep 300", func(in *batch.RegisterJobDefinitionInput) {
		in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(3)}
	})
	ctx := context.Background()
	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("long"), JobQueue: aws.String("fargate"), JobDefinition: aws.String("long")})
	waitLogLine(t, ts, c, id, "up")
	if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String("Stopped by the test")}); err != nil {
		t.Fatalf("TerminateJob = %v", err)
	}
	j := waitAttempts(t, c, id, 1)
	if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Stopped by the test" || !aws.ToBool(j.IsTerminated) || len(j.Attempts) != 1 {
		t.Fatalf("job = %s %q isTerminated %v with %d attempts, want FAILED with the reason, terminated, 1 attempt",
			j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsTerminated), len(j.Attempts))
	}
	if a := j.Attempts[0]; aws.ToString(a.StatusReason) != "Stopped by the test" || aws.ToInt32(a.Container.ExitCode) != 137 {
		t.Errorf("attempt = %q exit %d, want the caller's reason and 137 (killed after the grace period)", aws.ToString(a.StatusReason), aws.ToInt32(a.Container.ExitCode))
	}
	waitNoTasks(t, ts) // the terminated job's container is gone
	if got := listJobIDs(t, c, &batch.ListJobsInput{JobQueue: aws.String("fargate"), JobStatus: types.JobStatusRunnable}); len(got) != 0 {
		t.Errorf("RUNNABLE jobs after the terminate = %v, want none: a terminated job is not retried", got)
	}
}
