package main

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// The seed's resources: a Spot and an on-demand Fargate compute environment,
// a queue trying Spot first, and a Fargate job definition.

const executionRole = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"

func createFargateCE(t *testing.T, c *batch.Client, name string, crType types.CRType, maxvCpus int32) string {
	t.Helper()
	out, err := c.CreateComputeEnvironment(context.Background(), &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String(name),
		Type:                   types.CETypeManaged,
		ComputeResources: &types.ComputeResource{
			Type:             crType,
			MaxvCpus:         aws.Int32(maxvCpus),
			Subnets:          []string{"subnet-0123456789abcdef0"},
			SecurityGroupIds: []string{"sg-0123456789abcdef0"},
		},
	})
	if err != nil {
		t.Fatalf("CreateComputeEnvironment(%s) = %v", name, err)
	}
	return aws.ToString(out.ComputeEnvironmentArn)
}

// waitCEStatus polls until the compute environment reaches status.
func waitCEStatus(t *testing.T, c *batch.Client, name string, status types.CEStatus) types.ComputeEnvironmentDetail {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.DescribeComputeEnvironments(context.Background(), &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: []string{name}})
		if err != nil {
			t.Fatalf("DescribeComputeEnvironments(%s) = %v", name, err)
		}
		if len(out.ComputeEnvironments) == 1 && out.ComputeEnvironments[0].Status == status {
			return out.ComputeEnvironments[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("compute environment %s did not reach %s: %+v", name, status, out.ComputeEnvironments)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func createQueue(t *testing.T, c *batch.Client, name string, ces ...string) string {
	t.Helper()
	order := make([]types.ComputeEnvironmentOrder, len(ces))
	for i, ce := range ces {
		order[i] = types.ComputeEnvironmentOrder{Order: aws.Int32(int32(i + 1)), ComputeEnvironment: aws.String(ce)}
	}
	out, err := c.CreateJobQueue(context.Background(), &batch.CreateJobQueueInput{
		JobQueueName:            aws.String(name),
		Priority:                aws.Int32(1),
		ComputeEnvironmentOrder: order,
	})
	if err != nil {
		t.Fatalf("CreateJobQueue(%s) = %v", name, err)
	}
	return aws.ToString(out.JobQueueArn)
}

func fargateContainer(vcpu, memory string) *types.ContainerProperties {
	return &types.ContainerProperties{
		Image:            aws.String("busybox:latest"),
		Command:          []string{"echo", "hello"},
		ExecutionRoleArn: aws.String(executionRole),
		ResourceRequirements: []types.ResourceRequirement{
			{Type: types.ResourceTypeVcpu, Value: aws.String(vcpu)},
			{Type: types.ResourceTypeMemory, Value: aws.String(memory)},
		},
		NetworkConfiguration: &types.NetworkConfiguration{AssignPublicIp: types.AssignPublicIpEnabled},
	}
}

func registerFargateJobDef(t *testing.T, c *batch.Client, name string) *batch.RegisterJobDefinitionOutput {
	t.Helper()
	out, err := c.RegisterJobDefinition(context.Background(), &batch.RegisterJobDefinitionInput{
		JobDefinitionName:    aws.String(name),
		Type:                 types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate},
		ContainerProperties:  fargateContainer("0.25", "512"),
	})
	if err != nil {
		t.Fatalf("RegisterJobDefinition(%s) = %v", name, err)
	}
	return out
}

// seed creates the seed's two compute environments, queue and job
// definition, and returns the queue and definition names.
func seed(t *testing.T, c *batch.Client) (queue, jobDef string) {
	t.Helper()
	createFargateCE(t, c, "spot-ce", types.CRTypeFargateSpot, 16)
	createFargateCE(t, c, "ondemand-ce", types.CRTypeFargate, 16)
	waitCEStatus(t, c, "spot-ce", types.CEStatusValid)
	waitCEStatus(t, c, "ondemand-ce", types.CEStatusValid)
	createQueue(t, c, "seed-queue", "spot-ce", "ondemand-ce")
	registerFargateJobDef(t, c, "seed-job")
	return "seed-queue", "seed-job"
}

func submit(t *testing.T, c *batch.Client, in *batch.SubmitJobInput) string {
	t.Helper()
	out, err := c.SubmitJob(context.Background(), in)
	if err != nil {
		t.Fatalf("SubmitJob(%s) = %v", aws.ToString(in.JobName), err)
	}
	return aws.ToString(out.JobId)
}

func describeJob(t *testing.T, c *batch.Client, id string) types.JobDetail {
	t.Helper()
	out, err := c.DescribeJobs(context.Background(), &batch.DescribeJobsInput{Jobs: []string{id}})
	if err != nil {
		t.Fatalf("DescribeJobs(%s) = %v", id, err)
	}
	if len(out.Jobs) != 1 {
		t.Fatalf("DescribeJobs(%s) returned %d jobs, want 1", id, len(out.Jobs))
	}
	return out.Jobs[0]
}
