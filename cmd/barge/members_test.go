package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// TestMembersAWSAlwaysReturns: DescribeJobs and DescribeJobDefinitions
// return the container's volumes, mountPoints, ulimits, secrets, command and
// environment, and logConfiguration's secretOptions, as [] when empty, as
// AWS does: code that indexes them must not get a KeyError. The SDK decodes
// a member that is present as a non-nil slice, an absent one as nil.
func TestMembersAWSAlwaysReturns(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)
	in := fargateDefInput("bare")
	in.ContainerProperties.Command = nil
	in.ContainerProperties.LogConfiguration = &types.LogConfiguration{LogDriver: types.LogDriverAwslogs}
	registerDef(t, c, in)

	defs, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String("bare")})
	if err != nil || len(defs.JobDefinitions) != 1 {
		t.Fatalf("DescribeJobDefinitions(bare) = %+v, %v", defs, err)
	}
	wantEmpty := func(what string, cp *types.ContainerProperties) {
		t.Helper()
		for member, empty := range map[string]bool{
			"volumes": cp.Volumes != nil && len(cp.Volumes) == 0, "mountPoints": cp.MountPoints != nil && len(cp.MountPoints) == 0,
			"ulimits": cp.Ulimits != nil && len(cp.Ulimits) == 0, "secrets": cp.Secrets != nil && len(cp.Secrets) == 0,
			"command": cp.Command != nil && len(cp.Command) == 0, "environment": cp.Environment != nil && len(cp.Environment) == 0,
		} {
			if !empty {
				t.Errorf("%s: %s is absent or not empty, want []", what, member)
			}
		}
	}
	cp := defs.JobDefinitions[0].ContainerProperties
	wantEmpty("definition", cp)
	if l := cp.LogConfiguration; l == nil || l.LogDriver != types.LogDriverAwslogs || l.SecretOptions == nil || len(l.SecretOptions) != 0 {
		t.Errorf("definition's logConfiguration = %+v, want awslogs with secretOptions []", l)
	}

	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("bare"), JobQueue: aws.String("seed-queue"), JobDefinition: aws.String("bare")})
	j := describeJob(t, c, id)
	if j.Container == nil {
		t.Fatal("DescribeJobs: no container")
	}
	jc := j.Container
	wantEmpty("job", &types.ContainerProperties{Volumes: jc.Volumes, MountPoints: jc.MountPoints, Ulimits: jc.Ulimits,
		Secrets: jc.Secrets, Command: jc.Command, Environment: jc.Environment})
	if l := jc.LogConfiguration; l == nil || l.SecretOptions == nil || len(l.SecretOptions) != 0 {
		t.Errorf("job's logConfiguration = %+v, want secretOptions []", l)
	}

	// What is set is returned as set.
	seedJob := describeJob(t, c, submit(t, c, jobInput("with-command")))
	if got := seedJob.Container.Command; len(got) != 2 || got[0] != "echo" {
		t.Errorf("command = %q, want the definition's [echo hello]", got)
	}
}

// TestFargateJobNetworkInterfaces: a started Fargate job shows its task's
// network interface in container and, once the attempt ended, in
// attempts[].container, as on AWS. A host process's address is the
// host's loopback address; see TestSeedWorkflowRuns for a container's.
func TestFargateJobNetworkInterfaces(t *testing.T) {
	p := startProcServer(t)
	gate := p.gate("go")
	id := submit(t, p.c, p.job("nic", waitFor(gate)))
	j := p.waitStatus(t, id, types.JobStatusRunning)
	want := func(what string, nics []types.NetworkInterface) {
		t.Helper()
		if len(nics) != 1 || aws.ToString(nics[0].PrivateIpv4Address) != "127.0.0.1" || len(aws.ToString(nics[0].AttachmentId)) != 36 {
			t.Errorf("%s networkInterfaces = %+v, want one with attachmentId and privateIpv4Address 127.0.0.1", what, nics)
		}
	}
	want("RUNNING job's container", j.Container.NetworkInterfaces)
	p.release(t, gate)
	j = waitJob(t, p.c, id, time.Minute)
	if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 {
		t.Fatalf("job = %s, %d attempts; want SUCCEEDED after 1", j.Status, len(j.Attempts))
	}
	want("finished job's container", j.Container.NetworkInterfaces)
	want("attempt's container", j.Attempts[0].Container.NetworkInterfaces)
	if a, b := j.Container.NetworkInterfaces[0].AttachmentId, j.Attempts[0].Container.NetworkInterfaces[0].AttachmentId; aws.ToString(a) != aws.ToString(b) {
		t.Errorf("attachmentId %s in container, %s in the attempt; want one", aws.ToString(a), aws.ToString(b))
	}
}
