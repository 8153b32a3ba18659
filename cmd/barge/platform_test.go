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
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bargehq/barge/internal/apitest"
)

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

// TestPartitionARNs: in a region of another partition than aws, every ARN
// barge builds starts with that partition: arn:aws-cn: in China's regions,
// arn:aws-us-gov: in GovCloud's.
func TestPartitionARNs(t *testing.T) {
	for region, partition := range map[string]string{"cn-northwest-1": "aws-cn", "us-gov-west-1": "aws-us-gov"} {
		t.Run(region, func(t *testing.T) {
			ts := startServerWith(t, "", func(c *Config) { c.Hold = true; c.Region = region })
			cfg := apitest.Config(region, testKey)
			c := apitest.Batch(cfg, ts.URL)
			ctx := context.Background()
			prefix := func(service string) string {
				return "arn:" + partition + ":" + service + ":" + region + ":123456789012:"
			}
			want := func(what, arn, prefix string) {
				t.Helper()
				if !strings.HasPrefix(arn, prefix) {
					t.Errorf("%s = %q, want it to start %q", what, arn, prefix)
				}
			}

			want("computeEnvironmentArn", createFargateCE(t, c, "ce", types.CRTypeFargate, 4), prefix("batch"))
			ce := waitCEStatus(t, c, "ce", types.CEStatusValid)
			want("ecsClusterArn", aws.ToString(ce.EcsClusterArn), prefix("ecs"))
			want("serviceRole", aws.ToString(ce.ServiceRole), "arn:"+partition+":iam::123456789012:role/")
			want("jobQueueArn", createQueue(t, c, "q", "ce"), prefix("batch"))
			want("jobDefinitionArn", aws.ToString(registerFargateJobDef(t, c, "d").JobDefinitionArn), prefix("batch"))
			out, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("j"), JobQueue: aws.String("q"), JobDefinition: aws.String("d")})
			if err != nil {
				t.Fatal(err)
			}
			want("jobArn", aws.ToString(out.JobArn), prefix("batch"))
			j := describeJob(t, c, aws.ToString(out.JobId))
			want("job's jobQueue", aws.ToString(j.JobQueue), prefix("batch"))
			want("job's jobDefinition", aws.ToString(j.JobDefinition), prefix("batch"))
			if _, err := c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{JobQueues: []string{prefix("batch") + "job-queue/q"}}); err != nil {
				t.Errorf("DescribeJobQueues(the queue's ARN) = %v", err)
			}

			id, err := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(ts.URL) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			want("GetCallerIdentity's Arn", aws.ToString(id.Arn), "arn:"+partition+":iam::123456789012:")
			// IAM's ARNs, and the AWS managed policies' as users name them.
			ic := apitest.IAM(cfg, ts.URL)
			trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
			role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
			if err != nil {
				t.Fatal(err)
			}
			want("Role.Arn", aws.ToString(role.Role.Arn), "arn:"+partition+":iam::123456789012:role/exec")
			managed := "arn:" + partition + ":iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
			if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("exec"), PolicyArn: aws.String(managed)}); err != nil {
				t.Fatalf("AttachRolePolicy(%s) = %v", managed, err)
			}
			if got, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("exec")}); err != nil ||
				len(got.AttachedPolicies) != 1 || aws.ToString(got.AttachedPolicies[0].PolicyArn) != managed {
				t.Errorf("ListAttachedRolePolicies = %+v, %v; want %s", got, err, managed)
			}
			if got, err := ic.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(managed)}); err != nil || aws.ToString(got.Policy.Arn) != managed || aws.ToInt32(got.Policy.AttachmentCount) != 1 {
				t.Errorf("GetPolicy(%s) = %+v, %v; want it, attached once", managed, got, err)
			}
			pol, err := ic.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`)})
			if err != nil {
				t.Fatal(err)
			}
			want("Policy.Arn", aws.ToString(pol.Policy.Arn), "arn:"+partition+":iam::123456789012:policy/p")
			if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("exec"), PolicyArn: pol.Policy.Arn}); err != nil {
				t.Errorf("AttachRolePolicy(%s) = %v", aws.ToString(pol.Policy.Arn), err)
			}
			ip, err := ic.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")})
			if err != nil {
				t.Fatal(err)
			}
			want("InstanceProfile.Arn", aws.ToString(ip.InstanceProfile.Arn), "arn:"+partition+":iam::123456789012:instance-profile/ip")
			subnets, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(ts.URL) }).DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
			if err != nil || len(subnets.Subnets) == 0 {
				t.Fatalf("DescribeSubnets = %+v, %v", subnets, err)
			}
			want("SubnetArn", aws.ToString(subnets.Subnets[0].SubnetArn), prefix("ec2"))
			logs := apitest.Logs(cfg, ts.URL)
			if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/g")}); err != nil {
				t.Fatal(err)
			}
			groups, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/g")})
			if err != nil || len(groups.LogGroups) != 1 {
				t.Fatalf("DescribeLogGroups = %+v, %v", groups, err)
			}
			want("log group arn", aws.ToString(groups.LogGroups[0].Arn), prefix("logs"))
		})
	}
}

// TestUnknownNetworkStatusReason: a Fargate compute environment whose
// subnets or security groups barge's EC2 does not know becomes VALID and
// runs jobs, and its statusReason says which, within 255 characters; one
// on EC2's own default subnets and group says nothing of them.
func TestUnknownNetworkStatusReason(t *testing.T) {
	p := startProcServer(t) // its compute environment "ce" names unknown IDs
	ctx := context.Background()
	ce := waitCEStatus(t, p.c, "ce", types.CEStatusValid)
	reason := aws.ToString(ce.StatusReason)
	if !strings.HasPrefix(reason, "ComputeEnvironment Healthy (barge: EC2 does not know subnet-0123456789abcdef0, sg-0123456789abcdef0; jobs run all the same") || len(reason) > 255 {
		t.Errorf("statusReason = %q (%d characters), want it to name the unknown subnet and group", reason, len(reason))
	}
	if j := waitJob(t, p.c, submit(t, p.c, p.job("runs", "true")), time.Minute); j.Status != types.JobStatusSucceeded {
		t.Errorf("job on the compute environment = %s, want SUCCEEDED", j.Status)
	}

	e := ec2.NewFromConfig(p.awsConfig(), func(o *ec2.Options) { o.BaseEndpoint = aws.String(p.URL) })
	subnets, err := e.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subnets.Subnets) == 0 {
		t.Fatalf("DescribeSubnets = %+v, %v", subnets, err)
	}
	groups, err := e.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupNames: []string{"default"}})
	if err != nil || len(groups.SecurityGroups) != 1 {
		t.Fatalf("DescribeSecurityGroups(default) = %+v, %v", groups, err)
	}
	many := make([]string, 16)
	for i := range many {
		many[i] = fmt.Sprintf("subnet-%017d", i)
	}
	for name, network := range map[string][2][]string{
		"known": {{aws.ToString(subnets.Subnets[0].SubnetId)}, {aws.ToString(groups.SecurityGroups[0].GroupId)}},
		"many":  {many, {"sg-00000000000000001", "sg-00000000000000002", "sg-00000000000000003", "sg-00000000000000004", "sg-00000000000000005"}},
	} {
		if _, err := p.c.CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{ComputeEnvironmentName: aws.String(name), Type: types.CETypeManaged,
			ComputeResources: &types.ComputeResource{Type: types.CRTypeFargate, MaxvCpus: aws.Int32(4), Subnets: network[0], SecurityGroupIds: network[1]}}); err != nil {
			t.Fatal(err)
		}
		reason := aws.ToString(waitCEStatus(t, p.c, name, types.CEStatusValid).StatusReason)
		switch {
		case len(reason) > 255 || !strings.HasPrefix(reason, "ComputeEnvironment Healthy"):
			t.Errorf("%s: statusReason = %q (%d characters), want ComputeEnvironment Healthy within 255", name, reason, len(reason))
		case name == "known" && strings.Contains(reason, "does not know"):
			t.Errorf("known: statusReason = %q, want nothing said of the network", reason)
		case name == "many" && !strings.Contains(reason, "EC2 does not know subnet-00000000000000000"):
			t.Errorf("many: statusReason = %q, want the unknown IDs named", reason)
		}
	}
}
