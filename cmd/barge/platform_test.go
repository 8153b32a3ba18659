package main

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// TestEKSJobDefinitions: an EKS job definition needs a container, and is
// described with containerOrchestrationType EKS (ECS ones with ECS).
func TestEKSJobDefinitions(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	eks := func(name string, containers ...types.EksContainer) *batch.RegisterJobDefinitionInput {
		return &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String(name), Type: types.JobDefinitionTypeContainer,
			EksProperties: &types.EksProperties{PodProperties: &types.EksPodProperties{Containers: containers}}}
	}
	_, err := c.RegisterJobDefinition(ctx, eks("empty"))
	wantClientError(t, err, "eksProperties.podProperties.containers must list at least one container")
	registerDef(t, c, eks("pod", types.EksContainer{Image: aws.String("busybox"), Command: []string{"true"}}))
	registerDef(t, c, fargateDefInput("ecs"))
	for name, want := range map[string]types.OrchestrationType{"pod": types.OrchestrationTypeEks, "ecs": types.OrchestrationTypeEcs} {
		out, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String(name)})
		if err != nil || len(out.JobDefinitions) != 1 || out.JobDefinitions[0].ContainerOrchestrationType != want {
			t.Errorf("DescribeJobDefinitions(%s) = %+v, %v; want containerOrchestrationType %s", name, out, err, want)
		}
	}
	out, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String("empty")})
	if err != nil || len(out.JobDefinitions) != 0 {
		t.Errorf("refused definition: DescribeJobDefinitions = %+v, %v; want none registered", out, err)
	}
}

// TestEC2ComputeEnvironmentNeedsInstanceRole: AWS requires instanceRole of
// EC2 and SPOT compute resources.
func TestEC2ComputeEnvironmentNeedsInstanceRole(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	for _, crType := range []types.CRType{types.CRTypeEc2, types.CRTypeSpot} {
		_, err := c.CreateComputeEnvironment(context.Background(), &batch.CreateComputeEnvironmentInput{
			ComputeEnvironmentName: aws.String("no-role-" + string(crType)), Type: types.CETypeManaged,
			ComputeResources: &types.ComputeResource{Type: crType, MaxvCpus: aws.Int32(16), InstanceTypes: []string{"optimal"},
				Subnets: []string{"subnet-0123456789abcdef0"}, SecurityGroupIds: []string{"sg-0123456789abcdef0"}},
		})
		wantClientError(t, err, "computeResources.instanceRole is required for "+string(crType)+" compute environments")
		if _, found := describeCE(t, c, "no-role-"+string(crType)); found {
			t.Errorf("compute environment without instanceRole was created")
		}
	}
	createEC2CE(t, c, "with-role")
}
