package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// TestSeedWorkflow follows the README's walkthrough: the seed's compute
// environments, queue and definition, an invalid size refused, and a job
// submitted, listed and described.
func TestSeedWorkflow(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	queue, jobDef := seed(t, c)

	ce := waitCEStatus(t, c, "spot-ce", types.CEStatusValid)
	if got, want := aws.ToString(ce.ComputeEnvironmentArn), "arn:aws:batch:us-east-1:123456789012:compute-environment/spot-ce"; got != want {
		t.Errorf("computeEnvironmentArn = %s, want %s", got, want)
	}
	if got := aws.ToString(ce.StatusReason); !strings.HasPrefix(got, "ComputeEnvironment Healthy") {
		t.Errorf("statusReason = %q, want ComputeEnvironment Healthy", got)
	}
	if ce.State != types.CEStateEnabled || ce.ComputeResources.Type != types.CRTypeFargateSpot || aws.ToInt32(ce.ComputeResources.MaxvCpus) != 16 {
		t.Errorf("compute environment = %+v, want ENABLED FARGATE_SPOT with 16 vCPUs", ce)
	}

	qs, err := c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{JobQueues: []string{queue}})
	if err != nil || len(qs.JobQueues) != 1 {
		t.Fatalf("DescribeJobQueues = %v, %v", qs, err)
	}
	q := qs.JobQueues[0]
	if got := aws.ToString(q.ComputeEnvironmentOrder[0].ComputeEnvironment); !strings.HasSuffix(got, ":compute-environment/spot-ce") {
		t.Errorf("first compute environment = %s, want the Spot one", got)
	}

	// An invalid vCPU/memory pair is refused, with the allowed values.
	_, err = c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{
		JobDefinitionName:    aws.String("too-small"),
		Type:                 types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate},
		ContainerProperties:  fargateContainer("1", "1024"),
	})
	wantClientError(t, err, "1.00 vCPU, 1024 MiB", "2048")

	id := submit(t, c, &batch.SubmitJobInput{
		JobName: aws.String("hello"), JobQueue: aws.String(queue), JobDefinition: aws.String(jobDef),
		ContainerOverrides: &types.ContainerOverrides{Environment: []types.KeyValuePair{{Name: aws.String("GREETING"), Value: aws.String("hi")}}},
	})
	job := describeJob(t, c, id)
	if job.Status != types.JobStatusRunnable {
		t.Errorf("status = %s, want RUNNABLE", job.Status)
	}
	if got, want := aws.ToString(job.JobDefinition), "arn:aws:batch:us-east-1:123456789012:job-definition/seed-job:1"; got != want {
		t.Errorf("jobDefinition = %s, want %s", got, want)
	}
	if got := aws.ToString(job.JobQueue); !strings.HasSuffix(got, ":job-queue/seed-queue") {
		t.Errorf("jobQueue = %s, want the queue's ARN", got)
	}
	if job.Container == nil || aws.ToString(job.Container.Image) != "busybox:latest" || len(job.Container.Environment) != 1 {
		t.Errorf("container = %+v, want the definition's image and the override's environment", job.Container)
	}
	if aws.ToInt64(job.CreatedAt) < 1_600_000_000_000 {
		t.Errorf("createdAt = %d, want epoch milliseconds", aws.ToInt64(job.CreatedAt))
	}

	list, err := c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String(queue), JobStatus: types.JobStatusRunnable})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.JobSummaryList) != 1 || aws.ToString(list.JobSummaryList[0].JobId) != id {
		t.Errorf("ListJobs(RUNNABLE) = %+v, want the job", list.JobSummaryList)
	}
	// Without a status, ListJobs lists RUNNING jobs, of which there are none.
	list, err = c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String(queue)})
	if err != nil || len(list.JobSummaryList) != 0 {
		t.Errorf("ListJobs() = %+v, %v, want no RUNNING jobs", list, err)
	}
}

// TestRestartKeepsEverything restarts the server and finds every resource
// and job as it was.
func TestRestartKeepsEverything(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	queue, jobDef := seed(t, c)
	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("persist"), JobQueue: aws.String(queue), JobDefinition: aws.String(jobDef),
		ArrayProperties: &types.ArrayProperties{Size: aws.Int32(3)}})

	ts = ts.restart()
	c = ts.batch()
	waitCEStatus(t, c, "spot-ce", types.CEStatusValid)
	job := describeJob(t, c, id)
	if job.Status != types.JobStatusPending || job.ArrayProperties == nil || aws.ToInt32(job.ArrayProperties.Size) != 3 {
		t.Errorf("after restart: job = %s %+v, want the PENDING array of 3", job.Status, job.ArrayProperties)
	}
	if got := job.ArrayProperties.StatusSummary["RUNNABLE"]; got != 3 {
		t.Errorf("statusSummary[RUNNABLE] = %d, want 3", got)
	}
	child := describeJob(t, c, id+":2")
	if child.Status != types.JobStatusRunnable || aws.ToInt32(child.ArrayProperties.Index) != 2 {
		t.Errorf("child 2 = %s index %d, want RUNNABLE index 2", child.Status, aws.ToInt32(child.ArrayProperties.Index))
	}
	defs, err := c.DescribeJobDefinitions(context.Background(), &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String(jobDef)})
	if err != nil || len(defs.JobDefinitions) != 1 {
		t.Fatalf("DescribeJobDefinitions after restart = %+v, %v", defs, err)
	}
	// A new revision continues the numbering.
	if got := registerFargateJobDef(t, c, jobDef); aws.ToInt32(got.Revision) != 2 {
		t.Errorf("revision after restart = %d, want 2", aws.ToInt32(got.Revision))
	}
}

// TestSubmitSeesChanges checks that SubmitJob, whose queue and definition
// lookups are cached, sees every change to them at once.
func TestSubmitSeesChanges(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	queue, jobDef := seed(t, c)
	in := func() *batch.SubmitJobInput {
		return &batch.SubmitJobInput{JobName: aws.String("j"), JobQueue: aws.String(queue), JobDefinition: aws.String(jobDef)}
	}
	defOf := func(id string) string { return aws.ToString(describeJob(t, c, id).JobDefinition) }

	if got := defOf(submit(t, c, in())); !strings.HasSuffix(got, ":1") {
		t.Fatalf("first job's definition = %s, want revision 1", got)
	}
	registerFargateJobDef(t, c, jobDef)
	if got := defOf(submit(t, c, in())); !strings.HasSuffix(got, ":2") {
		t.Errorf("after registering revision 2: definition = %s, want revision 2", got)
	}
	if _, err := c.DeregisterJobDefinition(ctx, &batch.DeregisterJobDefinitionInput{JobDefinition: aws.String(jobDef + ":2")}); err != nil {
		t.Fatal(err)
	}
	if got := defOf(submit(t, c, in())); !strings.HasSuffix(got, ":1") {
		t.Errorf("after deregistering revision 2: definition = %s, want revision 1", got)
	}
	if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String(queue), State: types.JQStateDisabled}); err != nil {
		t.Fatal(err)
	}
	_, err := c.SubmitJob(ctx, in())
	wantClientError(t, err, "DISABLED")
	if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String(queue), State: types.JQStateEnabled}); err != nil {
		t.Fatal(err)
	}
	submit(t, c, in())
}
