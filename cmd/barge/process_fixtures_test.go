package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bargehq/barge"
)

// A barge whose jobs run for real, as host processes: fast enough for tests
// of job semantics that need runs (dependencies that succeed, array
// children that fail, running jobs to cancel or terminate).

// procServer is a running barge with the process executor, a queue "q" on
// a Fargate compute environment of 16 vCPUs, an execution role, and a job
// definition "sh" whose container runs `sh -c <script>`.
type procServer struct {
	*testServer
	c *batch.Client
	// dir is a directory of the test's for files that scripts wait for
	// (see release).
	dir string
}

// startProcServer starts a procServer.
func startProcServer(t *testing.T) *procServer {
	t.Helper()
	ts := startServerWith(t, "", func(c *Config) {
		c.Executor = "process"
		// A host big enough for what the compute environment's 16 vCPUs
		// take (jobs of 8 vCPUs need 16 GiB on Fargate): maxvCpus is the
		// limit these tests see (TestHostCapacity tests the host's).
		c.HostCapacity = barge.HostCapacity{VCPU: 16, MemoryMiB: 128 << 10}
	})
	p := &procServer{testServer: ts, c: ts.batch(), dir: t.TempDir()}
	ctx := context.Background()
	createFargateCE(t, p.c, "ce", types.CRTypeFargate, 16)
	waitCEStatus(t, p.c, "ce", types.CEStatusValid)
	createQueue(t, p.c, "q", "ce")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.ExecutionRoleArn = role.Role.Arn
	cp.Command = []string{"sh", "-c", "true"}
	if _, err := p.c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("sh"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	return p
}

// job returns a SubmitJob request for queue q and definition sh that runs
// script.
func (p *procServer) job(name, script string) *batch.SubmitJobInput {
	return &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String("sh"),
		ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", script}}}
}

// gate returns the path of a file that a script can wait for with
// waitFor(gate), which release creates.
func (p *procServer) gate(name string) string { return filepath.Join(p.dir, name) }

// waitFor returns a shell command that waits until file exists.
func waitFor(file string) string { return "while [ ! -e " + file + " ]; do sleep 0.05; done" }

// release creates file, letting the scripts that wait for it go on.
func (p *procServer) release(t *testing.T, file string) {
	t.Helper()
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitStatus polls until job id has status st, failing the test if it ends
// in another status or takes more than a minute.
func (p *procServer) waitStatus(t *testing.T, id string, st types.JobStatus) types.JobDetail {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		j := describeJob(t, p.c, id)
		if j.Status == st {
			return j
		}
		if j.Status == types.JobStatusSucceeded || j.Status == types.JobStatusFailed || time.Now().After(deadline) {
			t.Fatalf("job %s = %s (%q), want %s", id, j.Status, aws.ToString(j.StatusReason), st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// output returns the lines job id's last attempt wrote, from its log
// stream in /aws/batch/job.
func (p *procServer) output(t *testing.T, id string) []string {
	t.Helper()
	j := describeJob(t, p.c, id)
	if j.Container == nil || aws.ToString(j.Container.LogStreamName) == "" {
		t.Fatalf("job %s (%s) has no log stream", id, j.Status)
	}
	return logLines(t, p.testServer, "/aws/batch/job", aws.ToString(j.Container.LogStreamName))
}
