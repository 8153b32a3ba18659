package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

func TestCreateFargateComputeEnvironment(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	for _, crType := range []types.CRType{types.CRTypeFargate, types.CRTypeFargateSpot} {
		t.Run(string(crType), func(t *testing.T) {
			name := strings.ToLower(strings.ReplaceAll(string(crType), "_", "-"))
			in := fargateCEInput(name)
			in.ComputeResources.Type = crType
			in.ComputeResources.MaxvCpus = aws.Int32(24)
			in.ComputeResources.Subnets = []string{"subnet-aaaa", "subnet-bbbb"}
			out, err := c.CreateComputeEnvironment(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.ComputeEnvironmentArn); got != ceARN(name) {
				t.Errorf("computeEnvironmentArn = %s, want %s", got, ceARN(name))
			}
			if got := aws.ToString(out.ComputeEnvironmentName); got != name {
				t.Errorf("computeEnvironmentName = %s, want %s", got, name)
			}

			ce := ceSettles(t, c, name, types.CEStatusCreating, types.CEStatusValid)
			if got := aws.ToString(ce.StatusReason); !strings.HasPrefix(got, "ComputeEnvironment Healthy") {
				t.Errorf("statusReason = %q, want ComputeEnvironment Healthy", got)
			}
			if got := aws.ToString(ce.ComputeEnvironmentArn); got != ceARN(name) {
				t.Errorf("described computeEnvironmentArn = %s, want %s", got, ceARN(name))
			}
			uuid := aws.ToString(ce.Uuid)
			if !regexp.MustCompile(`^` + uuidPattern + `$`).MatchString(uuid) {
				t.Errorf("uuid = %q, want a UUID", uuid)
			}
			if got, want := aws.ToString(ce.EcsClusterArn), "arn:aws:ecs:us-east-1:"+scopeAccount+":cluster/AWSBatch-"+name+"-"+uuid; got != want {
				t.Errorf("ecsClusterArn = %s, want %s", got, want)
			}
			if got, want := aws.ToString(ce.ServiceRole), "arn:aws:iam::"+scopeAccount+":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"; got != want {
				t.Errorf("serviceRole = %s, want the service-linked role %s", got, want)
			}
			if ce.Type != types.CETypeManaged || ce.State != types.CEStateEnabled || ce.ContainerOrchestrationType != types.OrchestrationTypeEcs {
				t.Errorf("type, state, orchestration = %s, %s, %s, want MANAGED, ENABLED, ECS", ce.Type, ce.State, ce.ContainerOrchestrationType)
			}
			if ce.Tags == nil || len(ce.Tags) != 0 {
				t.Errorf("tags = %v, want {}", ce.Tags)
			}
			cr := ce.ComputeResources
			if cr == nil || cr.Type != crType || aws.ToInt32(cr.MaxvCpus) != 24 ||
				!slices.Equal(cr.Subnets, []string{"subnet-aaaa", "subnet-bbbb"}) || !slices.Equal(cr.SecurityGroupIds, []string{"sg-0123456789abcdef0"}) {
				t.Fatalf("computeResources = %+v, want %s, 24 vCPUs, the two subnets and the security group", cr, crType)
			}
			if cr.MinvCpus != nil || cr.DesiredvCpus != nil || cr.InstanceTypes != nil || cr.AllocationStrategy != "" {
				t.Errorf("computeResources = %+v, want no EC2 members on a Fargate compute environment", cr)
			}
		})
	}

	t.Run("serviceRole", func(t *testing.T) {
		for i, tt := range []struct{ role, want string }{
			{"AWSBatchServiceRole", "arn:aws:iam::" + scopeAccount + ":role/AWSBatchServiceRole"},
			{"/service-role/AWSBatchServiceRole", "arn:aws:iam::" + scopeAccount + ":role/service-role/AWSBatchServiceRole"},
			{"arn:aws:iam::" + scopeAccount + ":role/custom", "arn:aws:iam::" + scopeAccount + ":role/custom"},
		} {
			name := fmt.Sprintf("role-%d", i)
			in := fargateCEInput(name)
			in.ServiceRole = aws.String(tt.role)
			if _, err := c.CreateComputeEnvironment(context.Background(), in); err != nil {
				t.Fatalf("CreateComputeEnvironment(serviceRole %s) = %v", tt.role, err)
			}
			if ce, _ := describeCE(t, c, name); aws.ToString(ce.ServiceRole) != tt.want {
				t.Errorf("serviceRole %s is described as %s, want %s", tt.role, aws.ToString(ce.ServiceRole), tt.want)
			}
		}
	})

	t.Run("tags and state at create", func(t *testing.T) {
		in := fargateCEInput("tagged")
		in.Tags = map[string]string{"team": "data", "cost-center": ""}
		in.State = types.CEStateDisabled
		if _, err := c.CreateComputeEnvironment(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		ce := waitCEStatus(t, c, "tagged", types.CEStatusValid)
		if len(ce.Tags) != 2 || ce.Tags["team"] != "data" || ce.Tags["cost-center"] != "" {
			t.Errorf("tags = %v, want team=data and cost-center=\"\"", ce.Tags)
		}
		if ce.State != types.CEStateDisabled {
			t.Errorf("state = %s, want DISABLED", ce.State)
		}
	})

	t.Run("duplicate name", func(t *testing.T) {
		createFargateCE(t, c, "dup", types.CRTypeFargate, 1)
		_, err := c.CreateComputeEnvironment(context.Background(), fargateCEInput("dup"))
		wantClientError(t, err, "dup", "already exists")
	})
}

func TestCreateComputeEnvironmentValidation(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()

	many := func(prefix string, n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("%s-%02d", prefix, i)
		}
		return s
	}
	manyTags := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m[fmt.Sprintf("k%02d", i)] = "v"
		}
		return m
	}
	cr := func(f func(*types.ComputeResource)) func(*batch.CreateComputeEnvironmentInput) {
		return func(in *batch.CreateComputeEnvironmentInput) { f(in.ComputeResources) }
	}
	tests := []struct {
		name      string
		change    func(*batch.CreateComputeEnvironmentInput)
		fragments []string
	}{
		{"invalid type", func(in *batch.CreateComputeEnvironmentInput) { in.Type = "SERVERLESS" }, []string{"type", "SERVERLESS", "MANAGED"}},
		{"UNMANAGED with computeResources", func(in *batch.CreateComputeEnvironmentInput) { in.Type = types.CETypeUnmanaged }, []string{"computeResources", "UNMANAGED"}},
		{"MANAGED without computeResources", func(in *batch.CreateComputeEnvironmentInput) { in.ComputeResources = nil }, []string{"computeResources is required", "MANAGED"}},
		{"invalid computeResources.type", cr(func(r *types.ComputeResource) { r.Type = "LAMBDA" }), []string{"computeResources.type", "LAMBDA"}},
		{"negative maxvCpus", cr(func(r *types.ComputeResource) { r.MaxvCpus = aws.Int32(-1) }), []string{"computeResources.maxvCpus", "-1"}},
		{"invalid state", func(in *batch.CreateComputeEnvironmentInput) { in.State = "PAUSED" }, []string{"state", "PAUSED", "ENABLED or DISABLED"}},
		{"unmanagedvCpus on MANAGED", func(in *batch.CreateComputeEnvironmentInput) { in.UnmanagedvCpus = aws.Int32(4) }, []string{"unmanagedvCpus", "UNMANAGED"}},
		{"eksConfiguration with Fargate", func(in *batch.CreateComputeEnvironmentInput) {
			in.EksConfiguration = &types.EksConfiguration{EksClusterArn: aws.String("arn:aws:eks:us-east-1:123456789012:cluster/c"), KubernetesNamespace: aws.String("batch")}
		}, []string{"computeResources.type FARGATE is not supported with eksConfiguration", "EC2 or SPOT"}},

		// Members Fargate compute resources must not set, each by name.
		{"minvCpus", cr(func(r *types.ComputeResource) { r.MinvCpus = aws.Int32(0) }), []string{"computeResources.minvCpus", "FARGATE"}},
		{"desiredvCpus", cr(func(r *types.ComputeResource) { r.DesiredvCpus = aws.Int32(2) }), []string{"computeResources.desiredvCpus"}},
		{"instanceTypes", cr(func(r *types.ComputeResource) { r.InstanceTypes = []string{"m5.large"} }), []string{"computeResources.instanceTypes"}},
		{"imageId", cr(func(r *types.ComputeResource) { r.ImageId = aws.String("ami-12345678") }), []string{"computeResources.imageId"}},
		{"allocationStrategy", cr(func(r *types.ComputeResource) { r.AllocationStrategy = types.CRAllocationStrategyBestFit }), []string{"computeResources.allocationStrategy"}},
		{"bidPercentage", cr(func(r *types.ComputeResource) { r.BidPercentage = aws.Int32(50) }), []string{"computeResources.bidPercentage"}},
		{"ec2KeyPair", cr(func(r *types.ComputeResource) { r.Ec2KeyPair = aws.String("my-key") }), []string{"computeResources.ec2KeyPair"}},
		{"instanceRole", cr(func(r *types.ComputeResource) { r.InstanceRole = aws.String("ecsInstanceRole") }), []string{"computeResources.instanceRole"}},
		{"placementGroup", cr(func(r *types.ComputeResource) { r.PlacementGroup = aws.String("pg") }), []string{"computeResources.placementGroup"}},
		{"spotIamFleetRole", cr(func(r *types.ComputeResource) {
			r.SpotIamFleetRole = aws.String("arn:aws:iam::123456789012:role/fleet")
		}), []string{"computeResources.spotIamFleetRole"}},
		{"launchTemplate", cr(func(r *types.ComputeResource) {
			r.LaunchTemplate = &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("lt")}
		}), []string{"computeResources.launchTemplate"}},
		{"ec2Configuration", cr(func(r *types.ComputeResource) {
			r.Ec2Configuration = []types.Ec2Configuration{{ImageType: aws.String("ECS_AL2")}}
		}), []string{"computeResources.ec2Configuration"}},
		{"scalingPolicy", cr(func(r *types.ComputeResource) {
			r.ScalingPolicy = &types.ComputeScalingPolicy{MinScaleDownDelayMinutes: aws.Int32(10)}
		}), []string{"computeResources.scalingPolicy"}},
		{"tags inside computeResources", cr(func(r *types.ComputeResource) { r.Tags = map[string]string{"a": "b"} }), []string{"computeResources.tags", "top-level tags"}},

		{"no subnets", cr(func(r *types.ComputeResource) { r.Subnets = []string{} }), []string{"computeResources.subnets", "required"}},
		{"17 subnets", cr(func(r *types.ComputeResource) { r.Subnets = many("subnet", 17) }), []string{"computeResources.subnets", "17", "16"}},
		{"empty subnet ID", cr(func(r *types.ComputeResource) { r.Subnets = []string{"subnet-a", ""} }), []string{"computeResources.subnets[1]"}},
		{"no securityGroupIds", cr(func(r *types.ComputeResource) { r.SecurityGroupIds = nil }), []string{"computeResources.securityGroupIds", "required"}},
		{"6 securityGroupIds", cr(func(r *types.ComputeResource) { r.SecurityGroupIds = many("sg", 6) }), []string{"computeResources.securityGroupIds", "6", "5"}},

		{"name of 129 characters", func(in *batch.CreateComputeEnvironmentInput) {
			in.ComputeEnvironmentName = aws.String(strings.Repeat("n", 129))
		}, []string{"computeEnvironmentName", "129", "128"}},
		{"name with a space", func(in *batch.CreateComputeEnvironmentInput) { in.ComputeEnvironmentName = aws.String("my ce") }, []string{"computeEnvironmentName", `"my ce"`, "letters, numbers, hyphens"}},
		{"name with a dot", func(in *batch.CreateComputeEnvironmentInput) { in.ComputeEnvironmentName = aws.String("ce.1") }, []string{"computeEnvironmentName"}},
		{"empty name", func(in *batch.CreateComputeEnvironmentInput) { in.ComputeEnvironmentName = aws.String("") }, []string{"computeEnvironmentName", "required"}},
		{"51 tags", func(in *batch.CreateComputeEnvironmentInput) { in.Tags = manyTags(51) }, []string{"tags", "51", "50"}},
		{"tag key of 129 characters", func(in *batch.CreateComputeEnvironmentInput) {
			in.Tags = map[string]string{strings.Repeat("k", 129): "v"}
		}, []string{"tags", "128"}},
		{"tag value of 257 characters", func(in *batch.CreateComputeEnvironmentInput) {
			in.Tags = map[string]string{"k": strings.Repeat("v", 257)}
		}, []string{"tags", "256"}},
		{"aws: tag key", func(in *batch.CreateComputeEnvironmentInput) { in.Tags = map[string]string{"aws:owner": "me"} }, []string{"aws:", "reserved"}},
		{"empty tag key", func(in *batch.CreateComputeEnvironmentInput) { in.Tags = map[string]string{"": "v"} }, []string{"tags", "empty key"}},
		{"lower-case type", func(in *batch.CreateComputeEnvironmentInput) { in.Type = "managed" }, []string{"type", `"managed"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fargateCEInput("rejected")
			tt.change(in)
			_, err := c.CreateComputeEnvironment(ctx, in)
			wantClientError(t, err, tt.fragments...)
		})
	}

	// Requests the SDK refuses to send because a required member is missing.
	raw := []struct {
		name      string
		body      string
		fragments []string
	}{
		{"no type", `{"computeEnvironmentName":"rejected","computeResources":{"type":"FARGATE","maxvCpus":4,"subnets":["s"],"securityGroupIds":["sg"]}}`, []string{"type is required"}},
		{"no name", `{"type":"MANAGED","computeResources":{"type":"FARGATE","maxvCpus":4,"subnets":["s"],"securityGroupIds":["sg"]}}`, []string{"computeEnvironmentName is required"}},
		{"no computeResources.type", `{"computeEnvironmentName":"rejected","type":"MANAGED","computeResources":{"maxvCpus":4,"subnets":["s"],"securityGroupIds":["sg"]}}`, []string{"computeResources.type is required"}},
		{"no maxvCpus", `{"computeEnvironmentName":"rejected","type":"MANAGED","computeResources":{"type":"FARGATE","subnets":["s"],"securityGroupIds":["sg"]}}`, []string{"computeResources.maxvCpus is required"}},
		{"no subnets", `{"computeEnvironmentName":"rejected","type":"MANAGED","computeResources":{"type":"FARGATE_SPOT","maxvCpus":4,"securityGroupIds":["sg"]}}`, []string{"computeResources.subnets is required"}},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			wantRawClientError(t, rawCall(t, ts, "POST", "/v1/createcomputeenvironment", tt.body), tt.fragments...)
		})
	}

	out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{})
	if err != nil || len(out.ComputeEnvironments) != 0 {
		t.Fatalf("after rejected creates: DescribeComputeEnvironments = %+v, %v, want none", out, err)
	}

	// The limits themselves are allowed.
	accepted := []struct {
		name   string
		change func(*batch.CreateComputeEnvironmentInput)
	}{
		{"name of 128 characters", func(in *batch.CreateComputeEnvironmentInput) {}},
		{"16 subnets and 5 security groups", cr(func(r *types.ComputeResource) {
			r.Subnets, r.SecurityGroupIds = many("subnet", 16), many("sg", 5)
		})},
		{"50 tags of the longest keys and values", func(in *batch.CreateComputeEnvironmentInput) {
			in.Tags = manyTags(49)
			in.Tags[strings.Repeat("k", 128)] = strings.Repeat("v", 256)
		}},
		{"maxvCpus 0", cr(func(r *types.ComputeResource) { r.MaxvCpus = aws.Int32(0) })},
		{"UNMANAGED", func(in *batch.CreateComputeEnvironmentInput) {
			in.Type, in.ComputeResources = types.CETypeUnmanaged, nil
		}},
	}
	for i, tt := range accepted {
		t.Run("accepts "+tt.name, func(t *testing.T) {
			name := fmt.Sprintf("ok%d-", i) + strings.Repeat("x", 124)
			in := fargateCEInput(name)
			tt.change(in)
			if _, err := c.CreateComputeEnvironment(ctx, in); err != nil {
				t.Fatalf("CreateComputeEnvironment = %v, want success", err)
			}
		})
	}
}

// TestNonFargateComputeEnvironmentInvalid checks that compute environments
// barge cannot run are accepted, as AWS accepts them, and then go INVALID
// with a reason saying why.
func TestNonFargateComputeEnvironmentInvalid(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	createEC2CE(t, c, "ec2")
	if _, err := c.CreateComputeEnvironment(context.Background(), &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String("unmanaged"), Type: types.CETypeUnmanaged,
	}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ec2", "unmanaged"} {
		ce := waitCEStatus(t, c, name, types.CEStatusInvalid)
		reason := aws.ToString(ce.StatusReason)
		if !strings.HasPrefix(reason, "CLIENT_ERROR - ") || !strings.Contains(reason, "FARGATE") {
			t.Errorf("%s: statusReason = %q, want a CLIENT_ERROR naming FARGATE", name, reason)
		}
	}
}

func TestUpdateComputeEnvironment(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	validCEs(t, c, "spot", "upd")

	update := func(t *testing.T, in *batch.UpdateComputeEnvironmentInput) types.ComputeEnvironmentDetail {
		t.Helper()
		out, err := c.UpdateComputeEnvironment(ctx, in)
		if err != nil {
			t.Fatalf("UpdateComputeEnvironment = %v", err)
		}
		if aws.ToString(out.ComputeEnvironmentArn) != ceARN("upd") || aws.ToString(out.ComputeEnvironmentName) != "upd" {
			t.Errorf("UpdateComputeEnvironment = %s %s, want upd and its ARN", aws.ToString(out.ComputeEnvironmentName), aws.ToString(out.ComputeEnvironmentArn))
		}
		ce := ceSettles(t, c, "upd", types.CEStatusUpdating, types.CEStatusValid)
		if got := aws.ToString(ce.StatusReason); !strings.HasPrefix(got, "ComputeEnvironment Healthy") {
			t.Errorf("statusReason = %q after the update, want ComputeEnvironment Healthy", got)
		}
		return ce
	}

	t.Run("maxvCpus", func(t *testing.T) {
		ce := update(t, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"),
			ComputeResources: &types.ComputeResourceUpdate{MaxvCpus: aws.Int32(32)}})
		if got := aws.ToInt32(ce.ComputeResources.MaxvCpus); got != 32 {
			t.Errorf("maxvCpus = %d, want 32", got)
		}
	})
	t.Run("empty lists leave subnets and security groups", func(t *testing.T) {
		ce := update(t, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"),
			ComputeResources: &types.ComputeResourceUpdate{Subnets: []string{}, SecurityGroupIds: []string{}}})
		if cr := ce.ComputeResources; len(cr.Subnets) != 1 || len(cr.SecurityGroupIds) != 1 || aws.ToInt32(cr.MaxvCpus) != 32 {
			t.Errorf("computeResources = %+v, want them unchanged", cr)
		}
	})
	t.Run("subnets and security groups", func(t *testing.T) {
		ce := update(t, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String(ceARN("upd")),
			ComputeResources: &types.ComputeResourceUpdate{Subnets: []string{"subnet-1", "subnet-2"}, SecurityGroupIds: []string{"sg-new"}}})
		if cr := ce.ComputeResources; !slices.Equal(cr.Subnets, []string{"subnet-1", "subnet-2"}) || !slices.Equal(cr.SecurityGroupIds, []string{"sg-new"}) {
			t.Errorf("computeResources = %+v, want the new subnets and security group", cr)
		}
	})
	t.Run("state by ARN", func(t *testing.T) {
		ce := update(t, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String(ceARN("upd")), State: types.CEStateDisabled})
		if ce.State != types.CEStateDisabled {
			t.Errorf("state = %s, want DISABLED", ce.State)
		}
		ce = update(t, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"), State: types.CEStateEnabled})
		if ce.State != types.CEStateEnabled {
			t.Errorf("state = %s, want ENABLED", ce.State)
		}
	})
	t.Run("serviceRole", func(t *testing.T) {
		ce := update(t, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"), ServiceRole: aws.String("BatchRole")})
		if got, want := aws.ToString(ce.ServiceRole), "arn:aws:iam::"+scopeAccount+":role/BatchRole"; got != want {
			t.Errorf("serviceRole = %s, want %s", got, want)
		}
	})

	crUpdate := func(u types.ComputeResourceUpdate) *batch.UpdateComputeEnvironmentInput {
		return &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"), ComputeResources: &u}
	}
	rejected := []struct {
		name      string
		in        *batch.UpdateComputeEnvironmentInput
		fragments []string
	}{
		{"minvCpus", crUpdate(types.ComputeResourceUpdate{MinvCpus: aws.Int32(1)}), []string{"computeResources.minvCpus", "maxvCpus, subnets and securityGroupIds"}},
		{"desiredvCpus", crUpdate(types.ComputeResourceUpdate{DesiredvCpus: aws.Int32(1)}), []string{"computeResources.desiredvCpus"}},
		{"instanceTypes", crUpdate(types.ComputeResourceUpdate{InstanceTypes: []string{"m5.large"}}), []string{"computeResources.instanceTypes"}},
		{"imageId", crUpdate(types.ComputeResourceUpdate{ImageId: aws.String("ami-1")}), []string{"computeResources.imageId"}},
		{"allocationStrategy", crUpdate(types.ComputeResourceUpdate{AllocationStrategy: types.CRUpdateAllocationStrategyBestFitProgressive}), []string{"computeResources.allocationStrategy"}},
		{"bidPercentage", crUpdate(types.ComputeResourceUpdate{BidPercentage: aws.Int32(10)}), []string{"computeResources.bidPercentage"}},
		{"launchTemplate", crUpdate(types.ComputeResourceUpdate{LaunchTemplate: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("lt")}}), []string{"computeResources.launchTemplate"}},
		{"updateToLatestImageVersion", crUpdate(types.ComputeResourceUpdate{UpdateToLatestImageVersion: aws.Bool(true)}), []string{"computeResources.updateToLatestImageVersion"}},
		{"type change", crUpdate(types.ComputeResourceUpdate{Type: types.CRTypeFargateSpot}), []string{"computeResources.type", "FARGATE", "FARGATE_SPOT"}},
		{"17 subnets", crUpdate(types.ComputeResourceUpdate{Subnets: make([]string, 17)}), []string{"computeResources.subnets", "16"}},
		{"6 security groups", crUpdate(types.ComputeResourceUpdate{SecurityGroupIds: []string{"a", "b", "c", "d", "e", "f"}}), []string{"computeResources.securityGroupIds", "5"}},
		{"negative maxvCpus", crUpdate(types.ComputeResourceUpdate{MaxvCpus: aws.Int32(-4)}), []string{"computeResources.maxvCpus", "-4"}},
		{"invalid state", &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"), State: "PAUSED"}, []string{"state", "PAUSED"}},
		{"unmanagedvCpus on MANAGED", &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"), UnmanagedvCpus: aws.Int32(8)}, []string{"unmanagedvCpus", "UNMANAGED"}},
		{"jobExecutionTimeoutMinutes 0", &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"),
			UpdatePolicy: &types.UpdatePolicy{JobExecutionTimeoutMinutes: aws.Int64(0)}}, []string{"updatePolicy.jobExecutionTimeoutMinutes", "360"}},
		{"jobExecutionTimeoutMinutes 361", &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("upd"),
			UpdatePolicy: &types.UpdatePolicy{JobExecutionTimeoutMinutes: aws.Int64(361)}}, []string{"updatePolicy.jobExecutionTimeoutMinutes", "361"}},
		{"unknown compute environment", &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("nope"), State: types.CEStateDisabled}, []string{"nope", "does not exist"}},
		{"ARN of another region", &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("arn:aws:batch:eu-west-1:" + scopeAccount + ":compute-environment/upd"), State: types.CEStateDisabled}, []string{"computeEnvironment", "eu-west-1"}},
	}
	for _, tt := range rejected {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			_, err := c.UpdateComputeEnvironment(ctx, tt.in)
			wantClientError(t, err, tt.fragments...)
		})
	}
	// The rejected updates changed nothing.
	ce, _ := describeCE(t, c, "upd")
	if ce.Status != types.CEStatusValid || ce.State != types.CEStateEnabled || aws.ToInt32(ce.ComputeResources.MaxvCpus) != 32 || ce.ComputeResources.Type != types.CRTypeFargate {
		t.Errorf("after rejected updates: %s %s %+v, want VALID ENABLED FARGATE with 32 vCPUs", ce.Status, ce.State, ce.ComputeResources)
	}
	if ce.UnmanagedvCpus != nil || ce.UpdatePolicy != nil {
		t.Errorf("after rejected updates: unmanagedvCpus %v, updatePolicy %+v, want neither", ce.UnmanagedvCpus, ce.UpdatePolicy)
	}

	t.Run("UNMANAGED", func(t *testing.T) {
		if _, err := c.CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{ComputeEnvironmentName: aws.String("own"), Type: types.CETypeUnmanaged}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("own"), UnmanagedvCpus: aws.Int32(16)}); err != nil {
			t.Errorf("UpdateComputeEnvironment(unmanagedvCpus 16) = %v", err)
		}
		if ce := waitCEStatus(t, c, "own", types.CEStatusInvalid); aws.ToInt32(ce.UnmanagedvCpus) != 16 {
			t.Errorf("unmanagedvCpus = %d, want 16", aws.ToInt32(ce.UnmanagedvCpus))
		}
		_, err := c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("own"), UnmanagedvCpus: aws.Int32(-1)})
		wantClientError(t, err, "unmanagedvCpus", "-1")
		_, err = c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("own"),
			ComputeResources: &types.ComputeResourceUpdate{MaxvCpus: aws.Int32(4)}})
		wantClientError(t, err, "computeResources", "UNMANAGED")
	})
}

func TestDeleteComputeEnvironment(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	in := fargateCEInput("doomed")
	in.Tags = map[string]string{"old": "tag"}
	if _, err := c.CreateComputeEnvironment(ctx, in); err != nil {
		t.Fatal(err)
	}
	waitCEStatus(t, c, "doomed", types.CEStatusValid)
	createQueue(t, c, "user-queue", "doomed")
	del := func() error {
		_, err := c.DeleteComputeEnvironment(ctx, &batch.DeleteComputeEnvironmentInput{ComputeEnvironment: aws.String("doomed")})
		return err
	}

	wantClientError(t, del(), "doomed", "ENABLED", "DISABLED")

	if _, err := c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("doomed"), State: types.CEStateDisabled}); err != nil {
		t.Fatal(err)
	}
	waitCEStatus(t, c, "doomed", types.CEStatusValid)
	wantClientError(t, del(), "doomed", "user-queue")

	disableAndDeleteQueue(t, c, "user-queue")
	// Deleting by ARN works as by name.
	if _, err := c.DeleteComputeEnvironment(ctx, &batch.DeleteComputeEnvironmentInput{ComputeEnvironment: aws.String(ceARN("doomed"))}); err != nil {
		t.Fatalf("DeleteComputeEnvironment(DISABLED, unused) = %v", err)
	}
	waitCEGone(t, c, "doomed")
	out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{})
	if err != nil || len(out.ComputeEnvironments) != 0 {
		t.Errorf("DescribeComputeEnvironments after delete = %+v, %v, want none", out, err)
	}
	wantClientError(t, del(), "doomed", "does not exist")

	// The name is free again, and the old tags went with the old compute
	// environment.
	createFargateCE(t, c, "doomed", types.CRTypeFargate, 2)
	if ce := waitCEStatus(t, c, "doomed", types.CEStatusValid); len(ce.Tags) != 0 {
		t.Errorf("recreated compute environment has tags %v, want none", ce.Tags)
	}
}

func TestDescribeComputeEnvironments(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	var names []string
	for i := range 7 {
		name := fmt.Sprintf("page-%d", i)
		createFargateCE(t, c, name, types.CRTypeFargate, 4)
		names = append(names, name)
	}

	t.Run("by name and ARN", func(t *testing.T) {
		out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: []string{
			"page-1", ceARN("page-4"), "missing", ceARN("missing"),
			"arn:aws:batch:eu-west-1:" + scopeAccount + ":compute-environment/page-2", jqARN("page-3"),
		}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ce := range out.ComputeEnvironments {
			got = append(got, aws.ToString(ce.ComputeEnvironmentName))
		}
		if !slices.Equal(got, []string{"page-1", "page-4"}) {
			t.Errorf("described %v, want page-1 and page-4 (unknown names and foreign ARNs absent)", got)
		}
	})

	t.Run("pages", func(t *testing.T) {
		wantPages(t, []int{3, 3, 1}, names, func(token *string) ([]string, *string) {
			out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{MaxResults: aws.Int32(3), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			var page []string
			for _, ce := range out.ComputeEnvironments {
				page = append(page, aws.ToString(ce.ComputeEnvironmentName))
			}
			return page, out.NextToken
		})
	})

	t.Run("a page that holds the rest", func(t *testing.T) {
		out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{MaxResults: aws.Int32(7)})
		if err != nil || len(out.ComputeEnvironments) != 7 || out.NextToken != nil {
			t.Errorf("DescribeComputeEnvironments(maxResults 7) = %d, token %v, %v, want all 7 and no nextToken", len(out.ComputeEnvironments), out.NextToken, err)
		}
	})

	t.Run("without maxResults", func(t *testing.T) {
		out, err := c.DescribeComputeEnvironments(ctx, &batch.DescribeComputeEnvironmentsInput{})
		if err != nil || len(out.ComputeEnvironments) != 7 || out.NextToken != nil {
			t.Errorf("DescribeComputeEnvironments() = %d, token %v, %v, want all 7 in one page", len(out.ComputeEnvironments), out.NextToken, err)
		}
	})

	rejected := []struct {
		name      string
		in        *batch.DescribeComputeEnvironmentsInput
		fragments []string
	}{
		{"names and maxResults", &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: []string{"page-1"}, MaxResults: aws.Int32(2)}, []string{"ComputeEnvironments and MaxResults cannot both be set"}},
		{"garbage nextToken", &batch.DescribeComputeEnvironmentsInput{NextToken: aws.String("not-a-token")}, []string{"nextToken"}},
		{"nextToken of another operation", &batch.DescribeComputeEnvironmentsInput{NextToken: aws.String("anE6cGFnZS0x") /* a job queue token */}, []string{"nextToken"}},
		{"maxResults 0", &batch.DescribeComputeEnvironmentsInput{MaxResults: aws.Int32(0)}, []string{"maxResults", "1 and 100"}},
		{"maxResults 101", &batch.DescribeComputeEnvironmentsInput{MaxResults: aws.Int32(101)}, []string{"maxResults", "101"}},
		{"101 names", &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: make([]string, 101)}, []string{"computeEnvironments", "100"}},
	}
	for _, tt := range rejected {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			_, err := c.DescribeComputeEnvironments(ctx, tt.in)
			wantClientError(t, err, tt.fragments...)
		})
	}
}

// TestComputeEnvironmentQuota creates AWS's 50 compute environments; the
// 51st is refused until one is deleted.
func TestComputeEnvironmentQuota(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	for i := range 50 {
		createFargateCE(t, c, fmt.Sprintf("ce-%02d", i), types.CRTypeFargate, 1)
	}
	_, err := c.CreateComputeEnvironment(context.Background(), fargateCEInput("one-too-many"))
	wantClientError(t, err, "limit of 50 compute environments")

	disableAndDeleteCE(t, c, "ce-07")
	if _, err := c.CreateComputeEnvironment(context.Background(), fargateCEInput("one-too-many")); err != nil {
		t.Errorf("CreateComputeEnvironment after a delete = %v, want success", err)
	}
}
