package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bargehq/barge/internal/apitest"
	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/executor/testimage"
)

// startDockerServer runs barge with the Docker executor, skipping the test
// where no engine answers (the test command starts one).
func startDockerServer(t *testing.T) (*testServer, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := docker.Ping(ctx, ""); err != nil {
		t.Skipf("no Docker engine answers (%v); ./scripts/test.sh starts one", err)
	}
	image := testimage.Ensure(context.Background(), t, "")
	return startServerWith(t, "", func(c *Config) { c.Executor = "docker" }), image
}

func (ts *testServer) logs() *cloudwatchlogs.Client {
	return apitest.Logs(ts.awsConfig(), ts.URL)
}

func (ts *testServer) iam() *iam.Client {
	return apitest.IAM(ts.awsConfig(), ts.URL)
}

// waitJob polls until the job is SUCCEEDED or FAILED.
func waitJob(t *testing.T, c *batch.Client, id string, within time.Duration) types.JobDetail {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j := describeJob(t, c, id)
		if j.Status == types.JobStatusSucceeded || j.Status == types.JobStatusFailed {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s after %s (%s)", id, j.Status, within, aws.ToString(j.StatusReason))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logLines reads a log stream from the start through the Logs API.
func logLines(t *testing.T, ts *testServer, group, stream string) []string {
	t.Helper()
	out, err := ts.logs().GetLogEvents(context.Background(), &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetLogEvents(%s, %s) = %v", group, stream, err)
	}
	var lines []string
	for _, e := range out.Events {
		lines = append(lines, aws.ToString(e.Message))
	}
	return lines
}

// TestSeedWorkflowRuns replays the seed's workflow on Docker: the execution
// role, both compute environments with Spot first, the Fargate definition
// with awslogs, jobs that really run, and their log lines read back.
func TestSeedWorkflowRuns(t *testing.T) {
	ts, image := startDockerServer(t)
	c := ts.batch()
	ctx := context.Background()

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ecsTaskExecutionRole"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.iam().AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")}); err != nil {
		t.Fatal(err)
	}
	createFargateCE(t, c, "spot-ce", types.CRTypeFargateSpot, 16)
	createFargateCE(t, c, "ondemand-ce", types.CRTypeFargate, 16)
	waitCEStatus(t, c, "spot-ce", types.CEStatusValid)
	waitCEStatus(t, c, "ondemand-ce", types.CEStatusValid)
	createQueue(t, c, "seed-queue", "spot-ce", "ondemand-ce")

	container := fargateContainer("0.25", "512")
	container.Image = aws.String(image)
	container.ExecutionRoleArn = role.Role.Arn
	container.Command = []string{"sh", "-c", `echo "hello $GREETING from $AWS_BATCH_JQ_NAME on $AWS_BATCH_CE_NAME attempt $AWS_BATCH_JOB_ATTEMPT index ${AWS_BATCH_JOB_ARRAY_INDEX:-none}"; cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes`}
	container.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs,
		Options: map[string]string{"awslogs-group": "/seed", "awslogs-stream-prefix": "seed", "awslogs-create-group": "true"}}
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{
		JobDefinitionName: aws.String("seed-job"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: container,
	}); err != nil {
		t.Fatal(err)
	}
	submitIn := func(name string) *batch.SubmitJobInput {
		return &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("seed-queue"), JobDefinition: aws.String("seed-job")}
	}

	t.Run("environment override and logs", func(t *testing.T) {
		in := submitIn("hello")
		in.ContainerOverrides = &types.ContainerOverrides{Environment: []types.KeyValuePair{{Name: aws.String("GREETING"), Value: aws.String("hi")}}}
		j := waitJob(t, c, submit(t, c, in), time.Minute)
		if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 {
			t.Fatalf("job = %s %q, attempts %d; want SUCCEEDED after 1 attempt", j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
		}
		a := j.Attempts[0]
		if aws.ToInt32(a.Container.ExitCode) != 0 || aws.ToString(a.StatusReason) != "Essential container in task exited" {
			t.Errorf("attempt = exit %d %q", aws.ToInt32(a.Container.ExitCode), aws.ToString(a.StatusReason))
		}
		stream := aws.ToString(j.Container.LogStreamName)
		if !strings.HasPrefix(stream, "seed/default/") || !strings.HasSuffix(aws.ToString(j.Container.TaskArn), stream[len("seed/default/"):]) {
			t.Errorf("logStreamName = %q, task %q: want seed/default/<taskId>", stream, aws.ToString(j.Container.TaskArn))
		}
		lines := logLines(t, ts, "/seed", stream)
		if len(lines) < 2 || lines[0] != "hello hi from seed-queue on spot-ce attempt 1 index none" || lines[1] != fmt.Sprint(512<<20) {
			t.Errorf("log lines = %q, want the greeting on the Spot CE and a 512 MiB limit", lines)
		}
	})

	// A Fargate job's networkInterfaces show its container's address on
	// the engine's network, which the container sees as its own. The
	// address is read once the task runs: the job runs until terminated.
	t.Run("network interface", func(t *testing.T) {
		in := submitIn("address")
		in.ContainerOverrides = &types.ContainerOverrides{Command: []string{"sh", "-c", "trap 'exit 0' TERM; hostname -i; sleep 600 & wait"}}
		id := submit(t, c, in)
		var j types.JobDetail
		var lines []string
		for deadline := time.Now().Add(time.Minute); len(lines) == 0; time.Sleep(50 * time.Millisecond) {
			if j = describeJob(t, c, id); j.Status == types.JobStatusRunning {
				lines = logLines(t, ts, "/seed", aws.ToString(j.Container.LogStreamName))
			}
			if j.Status == types.JobStatusFailed || time.Now().After(deadline) {
				t.Fatalf("job = %s %q; want RUNNING with a log line", j.Status, aws.ToString(j.StatusReason))
			}
		}
		running := j.Container.NetworkInterfaces
		if len(running) != 1 || aws.ToString(running[0].PrivateIpv4Address) != strings.TrimSpace(lines[0]) || aws.ToString(running[0].AttachmentId) == "" {
			t.Errorf("RUNNING job's networkInterfaces = %+v, the container says its address is %q", running, lines)
		}
		if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String("seen")}); err != nil {
			t.Fatal(err)
		}
		if j = waitJob(t, c, id, time.Minute); len(j.Attempts) != 1 {
			t.Fatalf("terminated job = %s, %d attempts; want 1", j.Status, len(j.Attempts))
		}
		if nics := j.Attempts[0].Container.NetworkInterfaces; len(running) != 1 || len(nics) != 1 || *nics[0].PrivateIpv4Address != *running[0].PrivateIpv4Address {
			t.Errorf("attempt's networkInterfaces = %+v, want the running job's %+v", nics, running)
		}
	})

	t.Run("4 vCPU 16 GiB override", func(t *testing.T) {
		in := submitIn("big")
		in.ContainerOverrides = &types.ContainerOverrides{ResourceRequirements: []types.ResourceRequirement{
			{Type: types.ResourceTypeVcpu, Value: aws.String("4")}, {Type: types.ResourceTypeMemory, Value: aws.String("16384")}}}
		j := waitJob(t, c, submit(t, c, in), time.Minute)
		if j.Status != types.JobStatusSucceeded {
			t.Fatalf("job = %s %q, container reason %q", j.Status, aws.ToString(j.StatusReason), aws.ToString(j.Container.Reason))
		}
		lines := logLines(t, ts, "/seed", aws.ToString(j.Container.LogStreamName))
		if j.Status != types.JobStatusSucceeded || len(lines) < 2 || lines[1] != fmt.Sprint(16384<<20) {
			t.Errorf("job = %s, lines %q: want SUCCEEDED seeing a 16 GiB memory limit", j.Status, lines)
		}
	})

	t.Run("100 GiB ephemeral storage", func(t *testing.T) {
		big := *container
		big.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: aws.Int32(100)}
		if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{
			JobDefinitionName: aws.String("storage-job"), Type: types.JobDefinitionTypeContainer,
			PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: &big,
		}); err != nil {
			t.Fatal(err)
		}
		in := submitIn("storage")
		in.JobDefinition = aws.String("storage-job")
		j := waitJob(t, c, submit(t, c, in), time.Minute)
		if j.Status != types.JobStatusSucceeded || aws.ToInt32(j.Container.EphemeralStorage.SizeInGiB) != 100 {
			t.Errorf("job = %s %q, storage %v: want SUCCEEDED with 100 GiB", j.Status, aws.ToString(j.Container.Reason), j.Container.EphemeralStorage)
		}
		// Where the engine cannot limit disk, every compute environment
		// says so.
		ce := waitCEStatus(t, c, "spot-ce", types.CEStatusValid)
		if strings.Contains(ts.main.exec.Limitation(), "ephemeralStorage") && !strings.Contains(aws.ToString(ce.StatusReason), "ephemeralStorage") {
			t.Errorf("statusReason = %q, want it to say ephemeralStorage is not enforced", aws.ToString(ce.StatusReason))
		}
	})

	t.Run("array of 50", func(t *testing.T) {
		in := submitIn("array")
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(50)}
		id := submit(t, c, in)
		j := waitJob(t, c, id, 3*time.Minute)
		if j.Status != types.JobStatusSucceeded || j.ArrayProperties.StatusSummary["SUCCEEDED"] != 50 {
			t.Fatalf("array = %s %v, want SUCCEEDED with 50 children succeeded", j.Status, j.ArrayProperties.StatusSummary)
		}
		child := describeJob(t, c, id+":7")
		lines := logLines(t, ts, "/seed", aws.ToString(child.Container.LogStreamName))
		if len(lines) == 0 || !strings.HasSuffix(lines[0], "index 7") {
			t.Errorf("child 7 logged %q, want its index", lines)
		}
	})

	t.Run("non-zero exit", func(t *testing.T) {
		in := submitIn("fails")
		in.ContainerOverrides = &types.ContainerOverrides{Command: []string{"sh", "-c", "echo oops >&2; exit 3"}}
		j := waitJob(t, c, submit(t, c, in), time.Minute)
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Essential container in task exited" || aws.ToInt32(j.Container.ExitCode) != 3 {
			t.Errorf("job = %s %q exit %d, want FAILED, Essential container in task exited, exit 3", j.Status, aws.ToString(j.StatusReason), aws.ToInt32(j.Container.ExitCode))
		}
	})
}

// TestTaskFailsToStart: the failures a Fargate task meets before it runs.
func TestTaskFailsToStart(t *testing.T) {
	ts, image := startDockerServer(t)
	c := ts.batch()
	ctx := context.Background()
	createFargateCE(t, c, "ce", types.CRTypeFargate, 4)
	waitCEStatus(t, c, "ce", types.CEStatusValid)
	createQueue(t, c, "q", "ce")
	tests := []struct {
		name, image, role, group string
		want                     string
	}{
		{"missing execution role", image, "arn:aws:iam::123456789012:role/nobody", "", "ResourceInitializationError"},
		{"missing log group", image, "", "/nowhere", "does not exist"},
		{"image not found", "barge-test/no-such-image:1", "", "", "CannotPullContainerError"},
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := fargateContainer("0.25", "512")
			cp.Image = aws.String(tt.image)
			cp.ExecutionRoleArn = role.Role.Arn
			if tt.role != "" {
				cp.ExecutionRoleArn = aws.String(tt.role)
			}
			if tt.group != "" {
				cp.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs, Options: map[string]string{"awslogs-group": tt.group}}
			}
			name := fmt.Sprintf("def%d", i)
			if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String(name), Type: types.JobDefinitionTypeContainer,
				PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
				t.Fatal(err)
			}
			j := waitJob(t, c, submit(t, c, &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String(name)}), time.Minute)
			if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Task failed to start" || !strings.Contains(aws.ToString(j.Container.Reason), tt.want) {
				t.Errorf("job = %s %q, container reason %q; want FAILED, Task failed to start, reason with %q", j.Status, aws.ToString(j.StatusReason), aws.ToString(j.Container.Reason), tt.want)
			}
		})
	}
}

// TestDependenciesRun runs chains of jobs on Docker: a job waits in PENDING
// until what it depends on SUCCEEDED, fails (transitively) when that
// FAILED, and a SEQUENTIAL array runs its children one after another.
func TestDependenciesRun(t *testing.T) {
	ts, image := startDockerServer(t)
	c := ts.batch()
	ctx := context.Background()
	createFargateCE(t, c, "ce", types.CRTypeFargate, 8)
	waitCEStatus(t, c, "ce", types.CEStatusValid)
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
	run := func(name, script string, deps ...types.JobDependency) string {
		return submit(t, c, &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String("d"), DependsOn: deps,
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", script}}})
	}
	on := func(id string) types.JobDependency { return types.JobDependency{JobId: aws.String(id)} }

	a := run("a", "sleep 1")
	b := run("b", "true", on(a))
	if st := describeJob(t, c, b).Status; st != types.JobStatusPending {
		t.Errorf("b while a runs = %s, want PENDING", st)
	}
	bad := run("bad", "exit 1")
	child := run("child", "true", on(bad))
	grandchild := run("grandchild", "true", on(child))

	ja, jb := waitJob(t, c, a, time.Minute), waitJob(t, c, b, time.Minute)
	if jb.Status != types.JobStatusSucceeded || aws.ToInt64(jb.StartedAt) < aws.ToInt64(ja.StoppedAt) {
		t.Errorf("b = %s started %d, a stopped %d: want b SUCCEEDED, started after a", jb.Status, aws.ToInt64(jb.StartedAt), aws.ToInt64(ja.StoppedAt))
	}
	for _, id := range []string{child, grandchild} {
		j := waitJob(t, c, id, time.Minute)
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" || len(j.Attempts) != 0 {
			t.Errorf("%s = %s %q with %d attempts, want FAILED, Dependent Job failed, never run", aws.ToString(j.JobName), j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
		}
	}

	seq := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("seq"), JobQueue: aws.String("q"), JobDefinition: aws.String("d"),
		ArrayProperties:    &types.ArrayProperties{Size: aws.Int32(3)},
		DependsOn:          []types.JobDependency{{Type: types.ArrayJobDependencySequential}},
		ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", "sleep 0.3"}}})
	if j := waitJob(t, c, seq, time.Minute); j.Status != types.JobStatusSucceeded {
		t.Fatalf("sequential array = %s", j.Status)
	}
	var prevStop int64
	for i := 0; i < 3; i++ {
		j := describeJob(t, c, fmt.Sprintf("%s:%d", seq, i))
		if aws.ToInt64(j.StartedAt) < prevStop {
			t.Errorf("child %d started at %d, before child %d stopped at %d", i, aws.ToInt64(j.StartedAt), i-1, prevStop)
		}
		prevStop = aws.ToInt64(j.StoppedAt)
	}

	first := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("first"), JobQueue: aws.String("q"), JobDefinition: aws.String("d"),
		ArrayProperties:    &types.ArrayProperties{Size: aws.Int32(2)},
		ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", `[ "$AWS_BATCH_JOB_ARRAY_INDEX" = 0 ] || exit 1`}}})
	second := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("second"), JobQueue: aws.String("q"), JobDefinition: aws.String("d"),
		ArrayProperties:    &types.ArrayProperties{Size: aws.Int32(2)},
		DependsOn:          []types.JobDependency{{JobId: aws.String(first), Type: types.ArrayJobDependencyNToN}},
		ContainerOverrides: &types.ContainerOverrides{Command: []string{"true"}}})
	waitJob(t, c, second, time.Minute)
	if j := describeJob(t, c, second+":0"); j.Status != types.JobStatusSucceeded {
		t.Errorf("N_TO_N child 0 = %s, want SUCCEEDED after first:0 succeeded", j.Status)
	}
	if j := describeJob(t, c, second+":1"); j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" {
		t.Errorf("N_TO_N child 1 = %s %q, want FAILED because first:1 failed", j.Status, aws.ToString(j.StatusReason))
	}
}
