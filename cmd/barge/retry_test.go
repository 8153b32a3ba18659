package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bargehq/barge/internal/awscli"
)

// lifecycleServer runs barge with the given executor and a second of
// JobSecond (real seconds when 0), with an execution role and, for each
// compute environment type given, a compute environment named after its
// type in lower case with tags, each behind its own queue of the same name.
func lifecycleServer(t *testing.T, executor string, jobSecond time.Duration, ces map[types.CRType]map[string]string) (*testServer, *batch.Client, string) {
	t.Helper()
	ts := startServerWith(t, "", func(c *Config) { c.Executor, c.JobSecond = executor, jobSecond })
	c := ts.batch()
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	for crType, tags := range ces {
		name := strings.ToLower(string(crType))
		in := fargateCEInput(name)
		in.ComputeResources.Type = crType
		if len(tags) > 0 {
			in.Tags = tags
		}
		if _, err := c.CreateComputeEnvironment(ctx, in); err != nil {
			t.Fatalf("CreateComputeEnvironment(%s) = %v", name, err)
		}
		waitCEStatus(t, c, name, types.CEStatusValid)
		createQueue(t, c, name, name)
	}
	return ts, c, aws.ToString(role.Role.Arn)
}

// createExecRole creates the execution role "exec", which ECS tasks may
// assume, and returns its ARN.
func createExecRole(t *testing.T, ts *testServer) string {
	t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ts.iam().CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(role.Role.Arn)
}

// registerScript registers a Fargate definition that runs script with sh.
func registerScript(t *testing.T, c *batch.Client, name, image, role, script string, edit func(*batch.RegisterJobDefinitionInput)) {
	t.Helper()
	cp := fargateContainer("0.25", "512")
	cp.Image, cp.ExecutionRoleArn, cp.Command = aws.String(image), aws.String(role), []string{"sh", "-c", script}
	in := &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String(name), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}
	if edit != nil {
		edit(in)
	}
	if _, err := c.RegisterJobDefinition(context.Background(), in); err != nil {
		t.Fatalf("RegisterJobDefinition(%s) = %v", name, err)
	}
}

// waitAttempts polls until job id has n attempts recorded and is done.
func waitAttempts(t *testing.T, c *batch.Client, id string, n int) types.JobDetail {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		j := describeJob(t, c, id)
		if len(j.Attempts) >= n && (j.Status == types.JobStatusSucceeded || j.Status == types.JobStatusFailed) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s = %s %q with %d attempts, want done after %d", id, j.Status, aws.ToString(j.StatusReason), len(j.Attempts), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStatus polls until job id is in status.
func waitStatus(t *testing.T, c *batch.Client, id string, status types.JobStatus) types.JobDetail {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		j := describeJob(t, c, id)
		if j.Status == status {
			return j
		}
		if time.Now().After(deadline) || j.Status == types.JobStatusSucceeded || j.Status == types.JobStatusFailed {
			t.Fatalf("job %s = %s %q, want %s", id, j.Status, aws.ToString(j.StatusReason), status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitLogLine polls until the log stream of job id's current attempt has
// a line.
func waitLogLine(t *testing.T, ts *testServer, c *batch.Client, id, line string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		j := describeJob(t, c, id)
		if stream := aws.ToString(j.Container.LogStreamName); stream != "" {
			for _, l := range logLines(t, ts, "/aws/batch/job", stream) {
				if l == line {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s (%s) never logged %q", id, j.Status, line)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRetryStrategy runs jobs whose attempts fail, on the process executor:
// evaluateOnExit retries on one exit code and exits on another, no matching
// rule retries, each attempt is recorded with its own task and log stream,
// and the container sees which attempt it is.
func TestRetryStrategy(t *testing.T) {
	ts, c, role := lifecycleServer(t, "process", 0, map[types.CRType]map[string]string{types.CRTypeFargate: nil})
	registerScript(t, c, "flaky", "busybox", role,
		`echo "attempt $AWS_BATCH_JOB_ATTEMPT of $AWS_BATCH_JOB_ID"; [ "$AWS_BATCH_JOB_ATTEMPT" -ge 3 ] || exit 3`,
		func(in *batch.RegisterJobDefinitionInput) {
			in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(3), EvaluateOnExit: []types.EvaluateOnExit{
				{OnExitCode: aws.String("3"), Action: types.RetryActionRetry},
				{OnExitCode: aws.String("4"), Action: types.RetryActionExit},
			}}
		})
	run := func(name string, command string, retry *types.RetryStrategy) string {
		in := &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("fargate"), JobDefinition: aws.String("flaky"), RetryStrategy: retry}
		if command != "" {
			in.ContainerOverrides = &types.ContainerOverrides{Command: []string{"sh", "-c", command}}
		}
		return submit(t, c, in)
	}

	t.Run("RETRY until it succeeds", func(t *testing.T) {
		id := run("flaky", "", nil)
		j := waitAttempts(t, c, id, 3)
		if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 3 || aws.ToString(j.StatusReason) != "Essential container in task exited" {
			t.Fatalf("job = %s %q with %d attempts, want SUCCEEDED after 3", j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
		}
		tasks, streams := map[string]bool{}, map[string]bool{}
		for i, a := range j.Attempts {
			wantCode := int32(3)
			if i == 2 {
				wantCode = 0
			}
			task, stream := aws.ToString(a.Container.TaskArn), aws.ToString(a.Container.LogStreamName)
			tasks[task], streams[stream] = true, true
			if aws.ToInt32(a.Container.ExitCode) != wantCode || aws.ToString(a.StatusReason) != "Essential container in task exited" ||
				!strings.HasPrefix(stream, "flaky/default/") || !strings.HasSuffix(task, stream[len("flaky/default/"):]) ||
				aws.ToInt64(a.StartedAt) == 0 || aws.ToInt64(a.StoppedAt) < aws.ToInt64(a.StartedAt) {
				t.Errorf("attempt %d = exit %d %q task %s stream %s started %d stopped %d, want exit %d in its own task and stream",
					i+1, aws.ToInt32(a.Container.ExitCode), aws.ToString(a.StatusReason), task, stream, aws.ToInt64(a.StartedAt), aws.ToInt64(a.StoppedAt), wantCode)
			}
			if i > 0 && aws.ToInt64(a.StartedAt) < aws.ToInt64(j.Attempts[i-1].StoppedAt) {
				t.Errorf("attempt %d started at %d, before attempt %d stopped at %d", i+1, aws.ToInt64(a.StartedAt), i, aws.ToInt64(j.Attempts[i-1].StoppedAt))
			}
			want := fmt.Sprintf("attempt %d of %s", i+1, id)
			if lines := logLines(t, ts, "/aws/batch/job", stream); len(lines) != 1 || lines[0] != want {
				t.Errorf("attempt %d logged %q, want %q", i+1, lines, want)
			}
		}
		if len(tasks) != 3 || len(streams) != 3 {
			t.Errorf("attempts ran in %d tasks with %d log streams, want 3 of each", len(tasks), len(streams))
		}
		last := j.Attempts[2]
		if aws.ToString(j.Container.TaskArn) != aws.ToString(last.Container.TaskArn) || aws.ToString(j.Container.LogStreamName) != aws.ToString(last.Container.LogStreamName) {
			t.Errorf("container = task %s stream %s, want the last attempt's", aws.ToString(j.Container.TaskArn), aws.ToString(j.Container.LogStreamName))
		}
		if rs := j.RetryStrategy; rs == nil || aws.ToInt32(rs.Attempts) != 3 || len(rs.EvaluateOnExit) != 2 {
			t.Errorf("retryStrategy = %+v, want the definition's", rs)
		}
	})

	t.Run("EXIT", func(t *testing.T) {
		j := waitAttempts(t, c, run("exits", `[ "$AWS_BATCH_JOB_ATTEMPT" = 1 ] && exit 3; exit 4`, nil), 2)
		if j.Status != types.JobStatusFailed || len(j.Attempts) != 2 || aws.ToInt32(j.Container.ExitCode) != 4 {
			t.Errorf("job = %s with %d attempts, exit %d; want FAILED after 2 (RETRY on 3, EXIT on 4)", j.Status, len(j.Attempts), aws.ToInt32(j.Container.ExitCode))
		}
	})

	t.Run("no rule matches: retried until attempts run out", func(t *testing.T) {
		j := waitAttempts(t, c, run("unmatched", "exit 5", nil), 3)
		if j.Status != types.JobStatusFailed || len(j.Attempts) != 3 {
			t.Errorf("job = %s with %d attempts, want FAILED after 3", j.Status, len(j.Attempts))
		}
	})

	t.Run("submit-time strategy replaces the definition's", func(t *testing.T) {
		j := waitAttempts(t, c, run("override", "exit 4", &types.RetryStrategy{Attempts: aws.Int32(2)}), 2)
		if j.Status != types.JobStatusFailed || len(j.Attempts) != 2 || aws.ToInt32(j.RetryStrategy.Attempts) != 2 || len(j.RetryStrategy.EvaluateOnExit) != 0 {
			t.Errorf("job = %s with %d attempts, strategy %+v; want FAILED after 2 with the submitted strategy", j.Status, len(j.Attempts), j.RetryStrategy)
		}
	})

	t.Run("array children retry on their own", func(t *testing.T) {
		in := &batch.SubmitJobInput{JobName: aws.String("array"), JobQueue: aws.String("fargate"), JobDefinition: aws.String("flaky"),
			ArrayProperties:    &types.ArrayProperties{Size: aws.Int32(2)},
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", `[ "$AWS_BATCH_JOB_ARRAY_INDEX$AWS_BATCH_JOB_ATTEMPT" = 01 ] && exit 3; exit 0`}}}
		id := submit(t, c, in)
		if p := waitJob(t, c, id, time.Minute); p.Status != types.JobStatusSucceeded {
			t.Fatalf("array = %s %q, want SUCCEEDED", p.Status, aws.ToString(p.StatusReason))
		}
		for i, want := range []int{2, 1} {
			if j := describeJob(t, c, fmt.Sprintf("%s:%d", id, i)); len(j.Attempts) != want {
				t.Errorf("child %d has %d attempts, want %d", i, len(j.Attempts), want)
			}
		}
	})
}

// TestRetryStrategyDocExample runs the retry example of docs/JOBS.md with
// the aws CLI: its job definition, taken from the document, registered
// with --cli-input-json, and its job succeeding on the third attempt.
func TestRetryStrategyDocExample(t *testing.T) {
	clis := awscli.Installed()
	if len(clis) == 0 {
		t.Skip("no aws CLI installed")
	}
	doc, err := os.ReadFile("../../docs/JOBS.md")
	if err != nil {
		t.Fatal(err)
	}
	_, def, _ := strings.Cut(string(doc), "cat > flaky.json <<'JSON'\n")
	def, _, found := strings.Cut(def, "\nJSON\n")
	if !found {
		t.Fatal("docs/JOBS.md has no flaky.json example")
	}
	ts, c, role := lifecycleServer(t, "process", 0, map[types.CRType]map[string]string{types.CRTypeFargateSpot: nil})
	def = strings.ReplaceAll(def, "arn:aws:iam::123456789012:role/ecsTaskExecutionRole", role)
	path := filepath.Join(t.TempDir(), "flaky.json")
	if err := os.WriteFile(path, []byte(def), 0o600); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) []byte {
		t.Helper()
		cmd := awscli.Client{CLI: clis[0], Endpoint: ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
			Region: "us-east-1", Home: t.TempDir()}.Command(context.Background(), args...)
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return out
	}
	cli("batch", "register-job-definition", "--cli-input-json", "file://"+path)
	id := strings.TrimSpace(string(cli("batch", "submit-job", "--job-name", "flaky", "--job-queue", "fargate_spot", "--job-definition", "flaky",
		"--query", "jobId", "--output", "text")))
	waitAttempts(t, c, id, 3)
	out := cli("batch", "describe-jobs", "--jobs", id, "--query", "jobs[0].[status, attempts[].[container.exitCode, statusReason]]", "--output", "text")
	want := "SUCCEEDED\n3\tEssential container in task exited\n3\tEssential container in task exited\n0\tEssential container in task exited\n"
	if string(out) != want {
		t.Errorf("describe-jobs printed\n%s\nwant\n%s", out, want)
	}
}
