package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/executor/testimage"
	"github.com/moby/moby/client"
)

// TestDockerEngineDown runs barge on a private Docker engine that is down
// when it matters, with live restore (containers run on while the engine
// is away, as they do while a live-restore engine restarts):
//   - barge starts while the engine is down: its compute environment's
//     statusReason says the engine does not answer, a job waits in
//     RUNNABLE saying why, nothing is placed, and the job runs once the
//     engine answers;
//   - a TerminateJob, and a timeout, that come while the engine is down
//     stop their containers once it is back, and the jobs end as asked;
//   - barge restarted while the engine is down starts, and takes over the
//     job that ran meanwhile once the engine answers, with its real exit
//     code and output.
func TestDockerEngineDown(t *testing.T) {
	d := startTestDockerd(t, "--live-restore")
	ctx := context.Background()
	image := testimage.Ensure(ctx, t, d.host)
	cli, err := client.New(client.FromEnv, client.WithHost(d.host))
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	// Live restore keeps containers through the engine's stop: remove
	// them before the engine's own cleanup stops it for good.
	t.Cleanup(func() {
		if docker.Ping(ctx, d.host) != nil {
			d.restart(t)
		}
		res, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
		if err != nil {
			t.Errorf("listing the private engine's containers: %v", err)
			return
		}
		for _, c := range res.Items {
			cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true})
		}
	})
	d.stop(t)

	// barge starts while the engine is down.
	const jobSecond = 100 * time.Millisecond // a 30-second stop grace lasts 3 s
	dir := t.TempDir()
	ts := startServerWith(t, dir, func(c *Config) { c.Executor, c.DockerHost, c.JobSecond = "docker", d.host, jobSecond })
	c := ts.batch()
	createFargateCE(t, c, "ce", types.CRTypeFargate, 4)
	ce := waitCEStatus(t, c, "ce", types.CEStatusValid)
	if r := aws.ToString(ce.StatusReason); !strings.Contains(r, "docker executor cannot start tasks") || !strings.Contains(r, "does not answer") {
		t.Errorf("compute environment's statusReason while the engine is down = %q, want it to say the docker executor's engine does not answer", r)
	}
	createQueue(t, c, "q", "ce")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.Image, cp.ExecutionRoleArn = aws.String(image), role.Role.Arn
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("d"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	job := func(name, script string, timeout int32) string {
		in := &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String("d"),
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", script}}}
		if timeout > 0 {
			in.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(timeout)}
		}
		return submit(t, c, in)
	}
	hello := job("hello", "echo hello", 0)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		j := describeJob(t, c, hello)
		if j.Status != types.JobStatusRunnable && j.Status != types.JobStatusSubmitted && j.Status != types.JobStatusPending {
			t.Fatalf("job submitted while the engine is down = %s (%q, %q), want it to wait in RUNNABLE", j.Status, aws.ToString(j.StatusReason), containerReason(j))
		}
		if r := aws.ToString(j.StatusReason); j.Status == types.JobStatusRunnable && strings.Contains(r, "Waiting for an executor that answers") && strings.Contains(r, "docker executor cannot start tasks") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job submitted while the engine is down = %s %q, want RUNNABLE waiting for the engine", j.Status, aws.ToString(j.StatusReason))
		}
	}
	t.Logf("barge started with the engine down; a job waited in RUNNABLE for it")
	restarted := time.Now()
	d.restart(t)
	j := waitJob(t, c, hello, 2*time.Minute)
	t.Logf("the job waiting for the engine ended %s after the engine was started", time.Since(restarted).Round(time.Millisecond))
	if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 {
		t.Errorf("job submitted while the engine was down = %s (%q) in %d attempts, want SUCCEEDED in 1", j.Status, containerReason(j), len(j.Attempts))
	}
	if got := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName)); !slices.Equal(got, []string{"hello"}) {
		t.Errorf("its output = %q, want [hello]", got)
	}
	if r := aws.ToString(waitCEStatus(t, c, "ce", types.CEStatusValid).StatusReason); strings.Contains(r, "cannot start tasks") {
		t.Errorf("compute environment's statusReason once the engine answers = %q", r)
	}

	// Stops asked for while the engine is down.
	trapped := "echo started; trap 'echo stopping; exit 7' TERM; sleep 600 & wait"
	terminated := job("terminated", trapped, 0)
	timedOut := job("timed-out", trapped, 120) // 12 s with jobSecond
	waitRunning := func(id string) types.JobDetail {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
			j := describeJob(t, c, id)
			if j.Status == types.JobStatusRunning {
				return j
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s never ran: %s %q", id, j.Status, aws.ToString(j.StatusReason))
			}
		}
	}
	waitRunning(terminated)
	timeoutStart := time.UnixMilli(aws.ToInt64(waitRunning(timedOut).StartedAt))
	d.stop(t)
	if time.Since(timeoutStart) > 100*jobSecond {
		t.Skip("the engine took longer to stop than the job's timeout: the timeout came while it still answered")
	}
	terminateJob(t, c, terminated, "Terminated while the engine was down")
	time.Sleep(time.Until(timeoutStart.Add(120*jobSecond + 2*time.Second))) // the timeout's stop fails too
	restarted = time.Now()
	d.restart(t)
	for _, tc := range []struct{ id, reason string }{{terminated, "Terminated while the engine was down"}, {timedOut, "Job attempt duration exceeded timeout"}} {
		j := waitJob(t, c, tc.id, 2*time.Minute)
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != tc.reason || len(j.Attempts) != 1 || aws.ToInt32(j.Container.ExitCode) != 7 {
			t.Errorf("job stopped while the engine was down = %s %q, exit %d, %d attempts; want FAILED %q, exit 7 (its SIGTERM trap), 1 attempt",
				j.Status, aws.ToString(j.StatusReason), aws.ToInt32(j.Container.ExitCode), len(j.Attempts), tc.reason)
		}
		if got, want := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName)), []string{"started", "stopping"}; !slices.Equal(got, want) {
			t.Errorf("its output = %q, want %q", got, want)
		}
	}
	t.Logf("a TerminateJob and a timeout that came while the engine was down stopped their containers; both jobs ended as asked %s after the engine was started",
		time.Since(restarted).Round(time.Millisecond))

	// barge restarted while the engine is down, with a job running.
	adopted := job("adopted", "echo started; sleep 3; echo done; exit 3", 0)
	waitRunning(adopted)
	d.stop(t)
	ts.close()
	ts = startServerWith(t, dir, func(c *Config) { c.Executor, c.DockerHost, c.JobSecond = "docker", d.host, jobSecond })
	c = ts.batch()
	if j := describeJob(t, c, adopted); j.Status != types.JobStatusRunning {
		t.Errorf("job running when barge restarted without its engine = %s (%q), want RUNNING until the engine answers", j.Status, containerReason(j))
	}
	restarted = time.Now()
	d.restart(t)
	j = waitJob(t, c, adopted, 2*time.Minute)
	t.Logf("barge restarted while the engine was down took its running job over and recorded its exit code %s after the engine was started",
		time.Since(restarted).Round(time.Millisecond))
	if j.Status != types.JobStatusFailed || len(j.Attempts) != 1 || aws.ToInt32(j.Container.ExitCode) != 3 {
		t.Errorf("job taken over once the engine answered = %s exit %d (%q) in %d attempts, want FAILED exit 3 in 1",
			j.Status, aws.ToInt32(j.Container.ExitCode), containerReason(j), len(j.Attempts))
	}
	if got, want := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Container.LogStreamName)), []string{"started", "done"}; !slices.Equal(got, want) {
		t.Errorf("its output = %q, want %q", got, want)
	}

	// Nothing is left on the engine.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		res, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", docker.LabelManaged+"=true")})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of barge's containers are left on the engine, want none", len(res.Items))
		}
	}
}
