package main

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	btypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	ltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	etypes "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/bargehq/barge/internal/apitest"
)

// servedOperations are the AWS operations barge serves, by botocore's name
// of their service: each must be called, and answered as the model says,
// by TestResponsesMatchAWSModels. (Batch's CancelJobs, TerminateJobs and
// /v1/barge/ paths are barge's own, not AWS's: see docs/JOBS.md.)
var servedOperations = map[string][]string{
	"batch": {"CreateComputeEnvironment", "UpdateComputeEnvironment", "DeleteComputeEnvironment", "DescribeComputeEnvironments",
		"CreateJobQueue", "UpdateJobQueue", "DeleteJobQueue", "DescribeJobQueues", "GetJobQueueSnapshot",
		"RegisterJobDefinition", "DeregisterJobDefinition", "DescribeJobDefinitions",
		"SubmitJob", "DescribeJobs", "ListJobs", "CancelJob", "TerminateJob",
		"CreateSchedulingPolicy", "UpdateSchedulingPolicy", "DeleteSchedulingPolicy", "DescribeSchedulingPolicies", "ListSchedulingPolicies",
		"ListTagsForResource", "TagResource", "UntagResource"},
	"logs": {"CreateLogGroup", "DeleteLogGroup", "DescribeLogGroups", "PutRetentionPolicy", "DeleteRetentionPolicy",
		"CreateLogStream", "DeleteLogStream", "DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents",
		"ListTagsForResource", "TagResource", "UntagResource", "ListTagsLogGroup", "TagLogGroup", "UntagLogGroup"},
	"iam": {"CreateRole", "GetRole", "ListRoles", "UpdateRole", "UpdateRoleDescription", "UpdateAssumeRolePolicy", "DeleteRole",
		"AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies",
		"PutRolePolicy", "GetRolePolicy", "DeleteRolePolicy", "ListRolePolicies",
		"TagRole", "UntagRole", "ListRoleTags",
		"CreatePolicy", "GetPolicy", "ListPolicies", "DeletePolicy", "CreatePolicyVersion", "GetPolicyVersion",
		"ListPolicyVersions", "DeletePolicyVersion", "SetDefaultPolicyVersion", "ListEntitiesForPolicy",
		"CreateInstanceProfile", "GetInstanceProfile", "ListInstanceProfiles", "ListInstanceProfilesForRole",
		"DeleteInstanceProfile", "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile",
		"CreateServiceLinkedRole", "DeleteServiceLinkedRole", "GetServiceLinkedRoleDeletionStatus"},
	"sts": {"GetCallerIdentity"},
	"ec2": {"CreateVpc", "DescribeVpcs", "DeleteVpc", "CreateSubnet", "DescribeSubnets", "DeleteSubnet",
		"CreateSecurityGroup", "DescribeSecurityGroups", "DeleteSecurityGroup",
		"CreateVpcEndpoint", "DescribeVpcEndpoints", "DeleteVpcEndpoints", "CreateTags", "DeleteTags", "DescribeAvailabilityZones"},
	"ecs": {"ListClusters", "DescribeClusters", "ListTasks", "DescribeTasks"},
}

// modelRules are what the check allows and demands beyond AWS's models.
var modelRules = apitest.Rules{
	// barge's additive members, each documented: docs/COST.md.
	Extensions: []string{"JobDetail.bargeCost"},
	// Members AWS returns in every instance, as [] when empty, that the
	// models do not mark required (issue 14; AWS's documented examples).
	Always: []string{
		"ContainerProperties.command", "ContainerProperties.volumes", "ContainerProperties.environment",
		"ContainerProperties.mountPoints", "ContainerProperties.ulimits", "ContainerProperties.secrets",
		"ContainerDetail.command", "ContainerDetail.volumes", "ContainerDetail.environment",
		"ContainerDetail.mountPoints", "ContainerDetail.ulimits", "ContainerDetail.secrets",
		"LogConfiguration.secretOptions",
		"JobDetail.attempts", "JobDetail.dependsOn", "JobDetail.parameters", "JobDetail.createdAt",
		"JobDefinition.status", "JobDefinition.parameters", "JobDefinition.containerOrchestrationType",
		"ComputeEnvironmentDetail.state", "ComputeEnvironmentDetail.status", "ComputeEnvironmentDetail.type",
		"ComputeEnvironmentDetail.ecsClusterArn", "ComputeEnvironmentDetail.serviceRole",
		"JobQueueDetail.status", "JobDetail.jobArn", "JobSummary.jobArn",
		"JobSummary.createdAt", "JobSummary.status",
	},
	// AWS Batch leaves startedAt out until a job starts, though the model
	// marks it required (the SDKs decode it as optional).
	Sometimes: []string{"JobDetail.startedAt"},
	// EC2 spells VPC endpoints' states in lower case, as the examples of
	// botocore's EC2 model show ("State": "available"), where the model's
	// enum capitalizes them.
	Values: map[string][]string{"State": {"pendingAcceptance", "pending", "available", "deleting", "deleted", "rejected", "failed", "expired", "partial"}},
}

// TestResponsesMatchAWSModels calls every operation barge serves, through
// the SDKs with realistic resources (a finished job with two attempts, an
// array job, a dependency, definitions, compute environments, queues, log
// groups with events, roles, policies, instance profiles, VPCs, ECS tasks),
// and checks each answer's body against the newest botocore model of its
// service: no member the model does not define (besides barge's documented
// extensions), every value of its shape's type and enum, every required
// member, and the members AWS always returns.
func TestResponsesMatchAWSModels(t *testing.T) {
	data := apitest.BotocoreData(t)
	models := map[string]*apitest.Model{}
	for service := range servedOperations {
		m, err := apitest.LoadModel(data, service)
		if err != nil {
			t.Fatal(err)
		}
		models[service] = m
	}

	p := startProcServer(t)
	rec := &apitest.Recorder{Next: apitest.HTTPClient().Transport}
	cfg := p.awsConfig()
	cfg.HTTPClient = &http.Client{Transport: rec}
	endpoint := aws.String(p.URL)
	c := batch.NewFromConfig(cfg, func(o *batch.Options) { o.BaseEndpoint = endpoint })
	lc := cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = endpoint })
	ic := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = endpoint })
	sc := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = endpoint })
	ec := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = endpoint })
	xc := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = endpoint })

	exerciseIAM(t, ic)
	exerciseEC2(t, ec)
	exerciseBatch(t, p, c)
	exerciseLogs(t, lc)
	exerciseECS(t, p, xc, c)
	if _, err := sc.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}

	called := map[string]map[string]int{}
	diffs := map[string]map[string][]string{}
	for _, call := range rec.Calls() {
		m := models[call.Service]
		if m == nil || call.Status/100 != 2 {
			continue
		}
		op := call.Operation
		if op == "" {
			if op = m.OperationFor(call.Method, call.Path); op == "" {
				continue // barge's own paths
			}
		}
		if called[call.Service] == nil {
			called[call.Service], diffs[call.Service] = map[string]int{}, map[string][]string{}
		}
		called[call.Service][op]++
		for _, d := range m.Check(op, call.Body, modelRules) {
			if !slices.Contains(diffs[call.Service][op], d) {
				diffs[call.Service][op] = append(diffs[call.Service][op], d)
			}
		}
	}
	for service, ops := range servedOperations {
		for _, op := range ops {
			t.Run(service+"/"+op, func(t *testing.T) {
				if called[service][op] == 0 {
					t.Fatalf("%s %s was not called successfully", service, op)
				}
				for _, d := range diffs[service][op] {
					t.Error(d)
				}
			})
		}
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s = %v", what, err)
		}
		return v
	}
}

func exerciseIAM(t *testing.T, c *iam.Client) {
	t.Helper()
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`
	must[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("instance"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("ECS instances"), Tags: []iamTag{{Key: aws.String("team"), Value: aws.String("batch")}}}))
	must[*iam.GetRoleOutput](t, "GetRole")(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("instance")}))
	must[*iam.ListRolesOutput](t, "ListRoles")(c.ListRoles(ctx, &iam.ListRolesInput{}))
	must[*iam.UpdateRoleOutput](t, "UpdateRole")(c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("instance"), MaxSessionDuration: aws.Int32(7200)}))
	must[*iam.UpdateRoleDescriptionOutput](t, "UpdateRoleDescription")(c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("instance"), Description: aws.String("d")}))
	must[*iam.UpdateAssumeRolePolicyOutput](t, "UpdateAssumeRolePolicy")(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("instance"), PolicyDocument: aws.String(trust)}))
	managed := "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
	must[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("instance"), PolicyArn: aws.String(managed)}))
	must[*iam.ListAttachedRolePoliciesOutput](t, "ListAttachedRolePolicies")(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("instance")}))
	mp := must[*iam.GetPolicyOutput](t, "GetPolicy")(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(managed)}))
	must[*iam.GetPolicyVersionOutput](t, "GetPolicyVersion")(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(managed), VersionId: mp.Policy.DefaultVersionId}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("instance"), PolicyName: aws.String("logs"), PolicyDocument: aws.String(policy)}))
	must[*iam.GetRolePolicyOutput](t, "GetRolePolicy")(c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("instance"), PolicyName: aws.String("logs")}))
	must[*iam.ListRolePoliciesOutput](t, "ListRolePolicies")(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("instance")}))
	must[*iam.TagRoleOutput](t, "TagRole")(c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("instance"), Tags: []iamTag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	must[*iam.ListRoleTagsOutput](t, "ListRoleTags")(c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("instance")}))
	must[*iam.UntagRoleOutput](t, "UntagRole")(c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("instance"), TagKeys: []string{"k"}}))

	pol := must[*iam.CreatePolicyOutput](t, "CreatePolicy")(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("write-logs"), PolicyDocument: aws.String(policy),
		Description: aws.String("logs"), Tags: []iamTag{{Key: aws.String("team"), Value: aws.String("batch")}}}))
	arn := pol.Policy.Arn
	must[*iam.GetPolicyOutput](t, "GetPolicy")(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn}))
	must[*iam.ListPoliciesOutput](t, "ListPolicies")(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Local"}))
	must[*iam.ListPoliciesOutput](t, "ListPolicies")(c.ListPolicies(ctx, &iam.ListPoliciesInput{MaxItems: aws.Int32(3)}))
	must[*iam.CreatePolicyVersionOutput](t, "CreatePolicyVersion")(c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(policy)}))
	must[*iam.GetPolicyVersionOutput](t, "GetPolicyVersion")(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")}))
	must[*iam.ListPolicyVersionsOutput](t, "ListPolicyVersions")(c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn}))
	must[*iam.SetDefaultPolicyVersionOutput](t, "SetDefaultPolicyVersion")(c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")}))
	must[*iam.DeletePolicyVersionOutput](t, "DeletePolicyVersion")(c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")}))
	must[*iam.AttachRolePolicyOutput](t, "AttachRolePolicy")(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("instance"), PolicyArn: arn}))
	must[*iam.ListEntitiesForPolicyOutput](t, "ListEntitiesForPolicy")(c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn}))
	must[*iam.DetachRolePolicyOutput](t, "DetachRolePolicy")(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("instance"), PolicyArn: arn}))
	must[*iam.DeletePolicyOutput](t, "DeletePolicy")(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn}))

	must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("instance")}))
	must[*iam.AddRoleToInstanceProfileOutput](t, "AddRoleToInstanceProfile")(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("instance"), RoleName: aws.String("instance")}))
	must[*iam.GetInstanceProfileOutput](t, "GetInstanceProfile")(c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("instance")}))
	must[*iam.ListInstanceProfilesOutput](t, "ListInstanceProfiles")(c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{}))
	must[*iam.ListInstanceProfilesForRoleOutput](t, "ListInstanceProfilesForRole")(c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("instance")}))

	// A role to delete, with what deleting a role asks about.
	must[*iam.CreateRoleOutput](t, "CreateRole")(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gone"), AssumeRolePolicyDocument: aws.String(trust)}))
	must[*iam.CreateInstanceProfileOutput](t, "CreateInstanceProfile")(c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("gone")}))
	must[*iam.AddRoleToInstanceProfileOutput](t, "AddRoleToInstanceProfile")(c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("gone"), RoleName: aws.String("gone")}))
	must[*iam.RemoveRoleFromInstanceProfileOutput](t, "RemoveRoleFromInstanceProfile")(c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("gone"), RoleName: aws.String("gone")}))
	must[*iam.DeleteInstanceProfileOutput](t, "DeleteInstanceProfile")(c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("gone")}))
	must[*iam.PutRolePolicyOutput](t, "PutRolePolicy")(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("gone"), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
	must[*iam.DeleteRolePolicyOutput](t, "DeleteRolePolicy")(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("gone"), PolicyName: aws.String("p")}))
	must[*iam.DeleteRoleOutput](t, "DeleteRole")(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("gone")}))

	slr := must[*iam.CreateServiceLinkedRoleOutput](t, "CreateServiceLinkedRole")(c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("batch.amazonaws.com")}))
	del := must[*iam.DeleteServiceLinkedRoleOutput](t, "DeleteServiceLinkedRole")(c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: slr.Role.RoleName}))
	must[*iam.GetServiceLinkedRoleDeletionStatusOutput](t, "GetServiceLinkedRoleDeletionStatus")(c.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId}))
	must[*iam.ListRolesOutput](t, "ListRoles")(c.ListRoles(ctx, &iam.ListRolesInput{}))
}

func exerciseEC2(t *testing.T, c *ec2.Client) {
	t.Helper()
	ctx := context.Background()
	tags := func(rt etypes.ResourceType) []etypes.TagSpecification {
		return []etypes.TagSpecification{{ResourceType: rt, Tags: []etypes.Tag{{Key: aws.String("Name"), Value: aws.String("batch")}}}}
	}
	must[*ec2.DescribeAvailabilityZonesOutput](t, "DescribeAvailabilityZones")(c.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{}))
	must[*ec2.DescribeVpcsOutput](t, "DescribeVpcs")(c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}))
	must[*ec2.DescribeSubnetsOutput](t, "DescribeSubnets")(c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{}))
	must[*ec2.DescribeSecurityGroupsOutput](t, "DescribeSecurityGroups")(c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{}))

	vpc := must[*ec2.CreateVpcOutput](t, "CreateVpc")(c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: tags(etypes.ResourceTypeVpc)})).Vpc.VpcId
	sub := must[*ec2.CreateSubnetOutput](t, "CreateSubnet")(c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc, CidrBlock: aws.String("10.0.1.0/24"),
		AvailabilityZone: aws.String("us-east-1a"), TagSpecifications: tags(etypes.ResourceTypeSubnet)})).Subnet.SubnetId
	sg := must[*ec2.CreateSecurityGroupOutput](t, "CreateSecurityGroup")(c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: vpc, GroupName: aws.String("batch"),
		Description: aws.String("batch jobs"), TagSpecifications: tags(etypes.ResourceTypeSecurityGroup)})).GroupId
	must[*ec2.CreateTagsOutput](t, "CreateTags")(c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{*vpc, *sub, *sg}, Tags: []etypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}))
	must[*ec2.DescribeVpcsOutput](t, "DescribeVpcs")(c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{*vpc}}))
	must[*ec2.DescribeSubnetsOutput](t, "DescribeSubnets")(c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []etypes.Filter{filter("vpc-id", *vpc)}}))
	must[*ec2.DescribeSecurityGroupsOutput](t, "DescribeSecurityGroups")(c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []etypes.Filter{filter("vpc-id", *vpc)}}))
	ep := must[*ec2.CreateVpcEndpointOutput](t, "CreateVpcEndpoint")(c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: vpc, ServiceName: aws.String("com.amazonaws.us-east-1.logs"),
		VpcEndpointType: etypes.VpcEndpointTypeInterface, SubnetIds: []string{*sub}, SecurityGroupIds: []string{*sg}, TagSpecifications: tags(etypes.ResourceTypeVpcEndpoint)}))
	gw := must[*ec2.CreateVpcEndpointOutput](t, "CreateVpcEndpoint")(c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: vpc, ServiceName: aws.String("com.amazonaws.us-east-1.s3")}))
	must[*ec2.DescribeVpcEndpointsOutput](t, "DescribeVpcEndpoints")(c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{}))
	must[*ec2.DeleteTagsOutput](t, "DeleteTags")(c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{*vpc}, Tags: []etypes.Tag{{Key: aws.String("env")}}}))
	must[*ec2.DeleteVpcEndpointsOutput](t, "DeleteVpcEndpoints")(c.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{*ep.VpcEndpoint.VpcEndpointId, *gw.VpcEndpoint.VpcEndpointId, "vpce-0123456789abcdef0"}}))
	must[*ec2.DeleteSecurityGroupOutput](t, "DeleteSecurityGroup")(c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: sg}))
	must[*ec2.DeleteSubnetOutput](t, "DeleteSubnet")(c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: sub}))
	must[*ec2.DeleteVpcOutput](t, "DeleteVpc")(c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: vpc}))
}

func exerciseBatch(t *testing.T, p *procServer, c *batch.Client) {
	t.Helper()
	ctx := context.Background()
	// Compute environments of every kind: Fargate Spot, EC2 on the
	// default network, unmanaged.
	must[*batch.CreateComputeEnvironmentOutput](t, "CreateComputeEnvironment")(c.CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String("spot"), Type: btypes.CETypeManaged, Tags: map[string]string{"team": "batch"},
		ComputeResources: &btypes.ComputeResource{Type: btypes.CRTypeFargateSpot, MaxvCpus: aws.Int32(8),
			Subnets: []string{"subnet-0123456789abcdef0"}, SecurityGroupIds: []string{"sg-0123456789abcdef0"}}}))
	must[*batch.CreateComputeEnvironmentOutput](t, "CreateComputeEnvironment")(c.CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String("ec2"), Type: btypes.CETypeManaged,
		ComputeResources: &btypes.ComputeResource{Type: btypes.CRTypeEc2, MinvCpus: aws.Int32(0), MaxvCpus: aws.Int32(16), DesiredvCpus: aws.Int32(0),
			InstanceTypes: []string{"optimal"}, InstanceRole: aws.String("arn:aws:iam::123456789012:instance-profile/instance"),
			AllocationStrategy: btypes.CRAllocationStrategyBestFitProgressive,
			Subnets:            []string{"subnet-0123456789abcdef0"}, SecurityGroupIds: []string{"sg-0123456789abcdef0"}}}))
	must[*batch.CreateComputeEnvironmentOutput](t, "CreateComputeEnvironment")(c.CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String("unmanaged"), Type: btypes.CETypeUnmanaged, UnmanagedvCpus: aws.Int32(4)}))
	must[*batch.UpdateComputeEnvironmentOutput](t, "UpdateComputeEnvironment")(c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{
		ComputeEnvironment: aws.String("spot"), ComputeResources: &btypes.ComputeResourceUpdate{MaxvCpus: aws.Int32(4)}}))
	waitCEStatus(t, c, "spot", btypes.CEStatusValid)
	must[*batch.DescribeComputeEnvironmentsOutput](t, "DescribeComputeEnvironments")(c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{}))

	sp := must[*batch.CreateSchedulingPolicyOutput](t, "CreateSchedulingPolicy")(c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{Name: aws.String("fair"),
		FairsharePolicy: &btypes.FairsharePolicy{ShareDecaySeconds: aws.Int32(60), ComputeReservation: aws.Int32(1),
			ShareDistribution: []btypes.ShareAttributes{{ShareIdentifier: aws.String("a*"), WeightFactor: aws.Float32(0.5)}}}}))
	must[*batch.UpdateSchedulingPolicyOutput](t, "UpdateSchedulingPolicy")(c.UpdateSchedulingPolicy(ctx, &batch.UpdateSchedulingPolicyInput{Arn: sp.Arn,
		FairsharePolicy: &btypes.FairsharePolicy{ShareDecaySeconds: aws.Int32(120)}}))
	must[*batch.DescribeSchedulingPoliciesOutput](t, "DescribeSchedulingPolicies")(c.DescribeSchedulingPolicies(ctx, &batch.DescribeSchedulingPoliciesInput{Arns: []string{*sp.Arn}}))
	must[*batch.ListSchedulingPoliciesOutput](t, "ListSchedulingPolicies")(c.ListSchedulingPolicies(ctx, &batch.ListSchedulingPoliciesInput{}))

	q := must[*batch.CreateJobQueueOutput](t, "CreateJobQueue")(c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("fair"), Priority: aws.Int32(1),
		SchedulingPolicyArn: sp.Arn, ComputeEnvironmentOrder: []btypes.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("spot")}},
		JobStateTimeLimitActions: []btypes.JobStateTimeLimitAction{{Reason: aws.String("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"), State: btypes.JobStateTimeLimitActionsStateRunnable,
			MaxTimeSeconds: aws.Int32(600), Action: btypes.JobStateTimeLimitActionsActionCancel}}}))
	must[*batch.UpdateJobQueueOutput](t, "UpdateJobQueue")(c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: q.JobQueueArn, Priority: aws.Int32(2)}))
	must[*batch.DescribeJobQueuesOutput](t, "DescribeJobQueues")(c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{}))

	// A definition with much set, and the procServer's "sh".
	cp := fargateContainer("0.5", "1024")
	cp.ExecutionRoleArn = aws.String(executionRole)
	cp.Command = []string{"echo", "Ref::greeting"}
	cp.Environment = []btypes.KeyValuePair{{Name: aws.String("MODE"), Value: aws.String("test")}}
	cp.Secrets = []btypes.Secret{{Name: aws.String("TOKEN"), ValueFrom: aws.String("arn:aws:ssm:us-east-1:123456789012:parameter/token")}}
	cp.LogConfiguration = &btypes.LogConfiguration{LogDriver: btypes.LogDriverAwslogs, Options: map[string]string{"awslogs-group": "/barge/wire", "awslogs-create-group": "true"}}
	cp.FargatePlatformConfiguration = &btypes.FargatePlatformConfiguration{PlatformVersion: aws.String("LATEST")}
	cp.NetworkConfiguration = &btypes.NetworkConfiguration{AssignPublicIp: btypes.AssignPublicIpEnabled}
	cp.RuntimePlatform = &btypes.RuntimePlatform{OperatingSystemFamily: aws.String("LINUX"), CpuArchitecture: aws.String("X86_64")}
	cp.EphemeralStorage = &btypes.EphemeralStorage{SizeInGiB: aws.Int32(30)}
	must[*batch.RegisterJobDefinitionOutput](t, "RegisterJobDefinition")(c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("full"),
		Type: btypes.JobDefinitionTypeContainer, PlatformCapabilities: []btypes.PlatformCapability{btypes.PlatformCapabilityFargate}, ContainerProperties: cp,
		Parameters: map[string]string{"greeting": "hi"}, RetryStrategy: &btypes.RetryStrategy{Attempts: aws.Int32(2),
			EvaluateOnExit: []btypes.EvaluateOnExit{{OnExitCode: aws.String("1"), Action: btypes.RetryActionRetry}}},
		Timeout: &btypes.JobTimeout{AttemptDurationSeconds: aws.Int32(600)}, Tags: map[string]string{"team": "batch"}, PropagateTags: aws.Bool(true)}))
	ec2Def := must[*batch.RegisterJobDefinitionOutput](t, "RegisterJobDefinition")(c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("ec2"),
		Type: btypes.JobDefinitionTypeContainer, ContainerProperties: &btypes.ContainerProperties{Image: aws.String("busybox"), Command: []string{"true"},
			ResourceRequirements: []btypes.ResourceRequirement{{Type: btypes.ResourceTypeVcpu, Value: aws.String("1")}, {Type: btypes.ResourceTypeMemory, Value: aws.String("512")}},
			Volumes:              []btypes.Volume{{Name: aws.String("data"), Host: &btypes.Host{SourcePath: aws.String("/tmp")}}},
			MountPoints:          []btypes.MountPoint{{SourceVolume: aws.String("data"), ContainerPath: aws.String("/data"), ReadOnly: aws.Bool(true)}},
			Ulimits:              []btypes.Ulimit{{Name: aws.String("nofile"), SoftLimit: aws.Int32(1024), HardLimit: aws.Int32(4096)}}}}))
	// Definitions barge keeps but does not run: ECS properties, multi-node.
	must[*batch.RegisterJobDefinitionOutput](t, "RegisterJobDefinition")(c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("ecs-props"),
		Type: btypes.JobDefinitionTypeContainer, PlatformCapabilities: []btypes.PlatformCapability{btypes.PlatformCapabilityFargate},
		EcsProperties: &btypes.EcsProperties{TaskProperties: []btypes.EcsTaskProperties{{ExecutionRoleArn: aws.String(executionRole),
			Containers: []btypes.TaskContainerProperties{{Name: aws.String("main"), Image: aws.String("busybox"), Essential: aws.Bool(true), Command: []string{"true"},
				ResourceRequirements: []btypes.ResourceRequirement{{Type: btypes.ResourceTypeVcpu, Value: aws.String("0.25")}, {Type: btypes.ResourceTypeMemory, Value: aws.String("512")}}}}}}}}))
	must[*batch.RegisterJobDefinitionOutput](t, "RegisterJobDefinition")(c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("multinode"),
		Type: btypes.JobDefinitionTypeMultinode, NodeProperties: &btypes.NodeProperties{NumNodes: aws.Int32(2), MainNode: aws.Int32(0),
			NodeRangeProperties: []btypes.NodeRangeProperty{{TargetNodes: aws.String("0:"), Container: &btypes.ContainerProperties{Image: aws.String("busybox"),
				ResourceRequirements: []btypes.ResourceRequirement{{Type: btypes.ResourceTypeVcpu, Value: aws.String("1")}, {Type: btypes.ResourceTypeMemory, Value: aws.String("512")}}}}}}}))
	must[*batch.DescribeJobDefinitionsOutput](t, "DescribeJobDefinitions")(c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{}))
	must[*batch.DeregisterJobDefinitionOutput](t, "DeregisterJobDefinition")(c.DeregisterJobDefinition(ctx, &batch.DeregisterJobDefinitionInput{JobDefinition: ec2Def.JobDefinitionArn}))
	must[*batch.DescribeJobDefinitionsOutput](t, "DescribeJobDefinitions")(c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{Status: aws.String("INACTIVE")}))

	// A job that fails its first attempt and succeeds its second, an array
	// job, a job that depends on it, and jobs cancelled and terminated.
	marker := filepath.Join(p.dir, "second")
	retried := p.job("retried", "echo attempt; if [ -e "+marker+" ]; then exit 0; fi; touch "+marker+"; exit 1")
	retried.RetryStrategy = &btypes.RetryStrategy{Attempts: aws.Int32(2)}
	retried.Tags = map[string]string{"run": "1"}
	id := must[*batch.SubmitJobOutput](t, "SubmitJob")(c.SubmitJob(ctx, retried)).JobId
	array := p.job("array", "echo child $AWS_BATCH_JOB_ARRAY_INDEX")
	array.ArrayProperties = &btypes.ArrayProperties{Size: aws.Int32(3)}
	arrayID := must[*batch.SubmitJobOutput](t, "SubmitJob")(c.SubmitJob(ctx, array)).JobId
	after := p.job("after", "true")
	after.DependsOn = []btypes.JobDependency{{JobId: arrayID}}
	afterID := must[*batch.SubmitJobOutput](t, "SubmitJob")(c.SubmitJob(ctx, after)).JobId
	gate := p.gate("never")
	running := must[*batch.SubmitJobOutput](t, "SubmitJob")(c.SubmitJob(ctx, p.job("running", waitFor(gate)))).JobId
	p.waitStatus(t, *running, btypes.JobStatusRunning)
	must[*batch.DescribeJobsOutput](t, "DescribeJobs")(c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: []string{*running}}))
	waiting := p.job("waiting", "true")
	waiting.DependsOn = []btypes.JobDependency{{JobId: running}}
	waitingID := must[*batch.SubmitJobOutput](t, "SubmitJob")(c.SubmitJob(ctx, waiting)).JobId
	must[*batch.DescribeJobsOutput](t, "DescribeJobs")(c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: []string{*waitingID}}))
	for _, j := range []*string{id, afterID} {
		waitJob(t, c, *j, time.Minute)
	}
	must[*batch.CancelJobOutput](t, "CancelJob")(c.CancelJob(ctx, &batch.CancelJobInput{JobId: waitingID, Reason: aws.String("not needed")}))
	must[*batch.TerminateJobOutput](t, "TerminateJob")(c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: running, Reason: aws.String("stuck")}))
	waitJob(t, c, *running, time.Minute)
	must[*batch.DescribeJobsOutput](t, "DescribeJobs")(c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: []string{*id, *arrayID, *arrayID + ":1", *afterID, *running, *waitingID}}))
	must[*batch.ListJobsOutput](t, "ListJobs")(c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String("q"), JobStatus: btypes.JobStatusSucceeded}))
	must[*batch.ListJobsOutput](t, "ListJobs")(c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String("q"), JobStatus: btypes.JobStatusFailed}))
	must[*batch.ListJobsOutput](t, "ListJobs")(c.ListJobs(ctx, &batch.ListJobsInput{ArrayJobId: arrayID}))
	must[*batch.ListJobsOutput](t, "ListJobs")(c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String("q"),
		Filters: []btypes.KeyValuesPair{{Name: aws.String("JOB_NAME"), Values: []string{"a*"}}}}))
	must[*batch.GetJobQueueSnapshotOutput](t, "GetJobQueueSnapshot")(c.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String("q")}))
	must[*batch.GetJobQueueSnapshotOutput](t, "GetJobQueueSnapshot")(c.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String("fair")}))

	must[*batch.TagResourceOutput](t, "TagResource")(c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: q.JobQueueArn, Tags: map[string]string{"k": "v"}}))
	must[*batch.ListTagsForResourceOutput](t, "ListTagsForResource")(c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: q.JobQueueArn}))
	must[*batch.UntagResourceOutput](t, "UntagResource")(c.UntagResource(ctx, &batch.UntagResourceInput{ResourceArn: q.JobQueueArn, TagKeys: []string{"k"}}))

	must[*batch.UpdateJobQueueOutput](t, "UpdateJobQueue")(c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: q.JobQueueArn, State: btypes.JQStateDisabled}))
	waitQueue(t, c, "fair", btypes.JQStatusValid)
	must[*batch.DeleteJobQueueOutput](t, "DeleteJobQueue")(c.DeleteJobQueue(ctx, &batch.DeleteJobQueueInput{JobQueue: q.JobQueueArn}))
	waitQueueGone(t, c, "fair")
	must[*batch.DeleteSchedulingPolicyOutput](t, "DeleteSchedulingPolicy")(c.DeleteSchedulingPolicy(ctx, &batch.DeleteSchedulingPolicyInput{Arn: sp.Arn}))
	must[*batch.UpdateComputeEnvironmentOutput](t, "UpdateComputeEnvironment")(c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{
		ComputeEnvironment: aws.String("unmanaged"), State: btypes.CEStateDisabled}))
	must[*batch.DeleteComputeEnvironmentOutput](t, "DeleteComputeEnvironment")(c.DeleteComputeEnvironment(ctx, &batch.DeleteComputeEnvironmentInput{ComputeEnvironment: aws.String("unmanaged")}))
	must[*batch.DescribeComputeEnvironmentsOutput](t, "DescribeComputeEnvironments")(c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{}))
}

// waitQueue polls until the job queue reaches status.
func waitQueue(t *testing.T, c *batch.Client, name string, status btypes.JQStatus) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.DescribeJobQueues(context.Background(), &batch.DescribeJobQueuesInput{JobQueues: []string{name}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.JobQueues) == 0 || out.JobQueues[0].Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job queue %s did not reach %s", name, status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitQueueGone polls until the job queue is deleted.
func waitQueueGone(t *testing.T, c *batch.Client, name string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.DescribeJobQueues(context.Background(), &batch.DescribeJobQueuesInput{JobQueues: []string{name}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.JobQueues) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job queue %s was not deleted: %s", name, out.JobQueues[0].Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func exerciseLogs(t *testing.T, c *cloudwatchlogs.Client) {
	t.Helper()
	ctx := context.Background()
	group := aws.String("/wire/app")
	must[*cloudwatchlogs.CreateLogGroupOutput](t, "CreateLogGroup")(c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group,
		KmsKeyId: aws.String("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), Tags: map[string]string{"team": "batch"}}))
	must[*cloudwatchlogs.PutRetentionPolicyOutput](t, "PutRetentionPolicy")(c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: aws.Int32(7)}))
	must[*cloudwatchlogs.CreateLogStreamOutput](t, "CreateLogStream")(c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: aws.String("s")}))
	now := time.Now().UnixMilli()
	must[*cloudwatchlogs.PutLogEventsOutput](t, "PutLogEvents")(c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("s"),
		LogEvents: []ltypes.InputLogEvent{{Timestamp: aws.Int64(now - 1000), Message: aws.String("one")}, {Timestamp: aws.Int64(now), Message: aws.String("two")}}}))
	// An event too far in the future is rejected and reported, not an error.
	must[*cloudwatchlogs.PutLogEventsOutput](t, "PutLogEvents")(c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String("s"),
		LogEvents: []ltypes.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String("three")}, {Timestamp: aws.Int64(now + 3*3600*1000), Message: aws.String("future")}}}))
	must[*cloudwatchlogs.DescribeLogGroupsOutput](t, "DescribeLogGroups")(c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}))
	must[*cloudwatchlogs.DescribeLogStreamsOutput](t, "DescribeLogStreams")(c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: group}))
	must[*cloudwatchlogs.DescribeLogStreamsOutput](t, "DescribeLogStreams")(c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/batch/job")}))
	must[*cloudwatchlogs.GetLogEventsOutput](t, "GetLogEvents")(c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)}))
	must[*cloudwatchlogs.FilterLogEventsOutput](t, "FilterLogEvents")(c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, FilterPattern: aws.String("two")}))
	must[*cloudwatchlogs.FilterLogEventsOutput](t, "FilterLogEvents")(c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/batch/job"), Limit: aws.Int32(2)}))
	groups := must[*cloudwatchlogs.DescribeLogGroupsOutput](t, "DescribeLogGroups")(c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: group}))
	arn := strings.TrimSuffix(aws.ToString(groups.LogGroups[0].Arn), ":*")
	must[*cloudwatchlogs.TagResourceOutput](t, "TagResource")(c.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": "v"}}))
	must[*cloudwatchlogs.ListTagsForResourceOutput](t, "ListTagsForResource")(c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)}))
	must[*cloudwatchlogs.UntagResourceOutput](t, "UntagResource")(c.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"k"}}))
	must[*cloudwatchlogs.TagLogGroupOutput](t, "TagLogGroup")(c.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: group, Tags: map[string]string{"k": "v"}}))
	must[*cloudwatchlogs.ListTagsLogGroupOutput](t, "ListTagsLogGroup")(c.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: group}))
	must[*cloudwatchlogs.UntagLogGroupOutput](t, "UntagLogGroup")(c.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: group, Tags: []string{"k"}}))
	must[*cloudwatchlogs.DeleteRetentionPolicyOutput](t, "DeleteRetentionPolicy")(c.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: group}))
	must[*cloudwatchlogs.DeleteLogStreamOutput](t, "DeleteLogStream")(c.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{LogGroupName: group, LogStreamName: aws.String("s")}))
	must[*cloudwatchlogs.DeleteLogGroupOutput](t, "DeleteLogGroup")(c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: group}))
}

type iamTag = iamtypes.Tag

func exerciseECS(t *testing.T, p *procServer, c *ecs.Client, bc *batch.Client) {
	t.Helper()
	ctx := context.Background()
	// A task running, besides the stopped ones of the jobs that ended.
	running := must[*batch.SubmitJobOutput](t, "SubmitJob")(bc.SubmitJob(ctx, p.job("ecs", waitFor(p.gate("ecs"))))).JobId
	p.waitStatus(t, *running, btypes.JobStatusRunning)
	clusters := must[*ecs.ListClustersOutput](t, "ListClusters")(c.ListClusters(ctx, &ecs.ListClustersInput{}))
	must[*ecs.DescribeClustersOutput](t, "DescribeClusters")(c.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: append(clusters.ClusterArns, "missing")}))
	ce := must[*batch.DescribeComputeEnvironmentsOutput](t, "DescribeComputeEnvironments")(bc.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: []string{"ce"}}))
	cluster := ce.ComputeEnvironments[0].EcsClusterArn
	for _, status := range []string{"STOPPED", "RUNNING"} {
		tasks := must[*ecs.ListTasksOutput](t, "ListTasks")(c.ListTasks(ctx, &ecs.ListTasksInput{Cluster: cluster, DesiredStatus: ecstypes.DesiredStatus(status)}))
		if len(tasks.TaskArns) > 0 {
			must[*ecs.DescribeTasksOutput](t, "DescribeTasks")(c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: cluster, Tasks: append(tasks.TaskArns, "0123456789abcdef0123456789abcdef")}))
		}
	}
}
