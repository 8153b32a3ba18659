package main

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// End-to-end tests of the control plane: compute environments, job queues,
// scheduling policies, tags and queue snapshots, through the real SDK.

const (
	scopeAccount   = "123456789012"
	batchARNPrefix = "arn:aws:batch:us-east-1:" + scopeAccount + ":"
)

func ceARN(name string) string { return batchARNPrefix + "compute-environment/" + name }
func jqARN(name string) string { return batchARNPrefix + "job-queue/" + name }
func spARN(name string) string { return batchARNPrefix + "scheduling-policy/" + name }

// fargateCEInput returns a valid CreateComputeEnvironment request for a
// FARGATE compute environment called name.
func fargateCEInput(name string) *batch.CreateComputeEnvironmentInput {
	return &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String(name),
		Type:                   types.CETypeManaged,
		ComputeResources: &types.ComputeResource{
			Type:             types.CRTypeFargate,
			MaxvCpus:         aws.Int32(4),
			Subnets:          []string{"subnet-0123456789abcdef0"},
			SecurityGroupIds: []string{"sg-0123456789abcdef0"},
		},
	}
}

// validCEs creates Fargate compute environments and waits until they are
// VALID; the first is FARGATE_SPOT, the rest FARGATE.
func validCEs(t *testing.T, c *batch.Client, names ...string) {
	t.Helper()
	for i, name := range names {
		crType := types.CRTypeFargate
		if i == 0 {
			crType = types.CRTypeFargateSpot
		}
		createFargateCE(t, c, name, crType, 8)
	}
	for _, name := range names {
		waitCEStatus(t, c, name, types.CEStatusValid)
	}
}

// createEC2CE creates an EC2 compute environment, which barge accepts and
// marks INVALID.
func createEC2CE(t *testing.T, c *batch.Client, name string) {
	t.Helper()
	_, err := c.CreateComputeEnvironment(context.Background(), &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String(name),
		Type:                   types.CETypeManaged,
		ComputeResources: &types.ComputeResource{
			Type:             types.CRTypeEc2,
			MaxvCpus:         aws.Int32(16),
			MinvCpus:         aws.Int32(0),
			InstanceTypes:    []string{"optimal"},
			InstanceRole:     aws.String("ecsInstanceRole"),
			Subnets:          []string{"subnet-0123456789abcdef0"},
			SecurityGroupIds: []string{"sg-0123456789abcdef0"},
		},
	})
	if err != nil {
		t.Fatalf("CreateComputeEnvironment(%s) = %v", name, err)
	}
}

func describeCE(t *testing.T, c *batch.Client, ref string) (types.ComputeEnvironmentDetail, bool) {
	t.Helper()
	out, err := c.DescribeComputeEnvironments(context.Background(), &batch.DescribeComputeEnvironmentsInput{ComputeEnvironments: []string{ref}})
	if err != nil {
		t.Fatalf("DescribeComputeEnvironments(%s) = %v", ref, err)
	}
	if len(out.ComputeEnvironments) == 0 {
		return types.ComputeEnvironmentDetail{}, false
	}
	return out.ComputeEnvironments[0], true
}

func describeJQ(t *testing.T, c *batch.Client, ref string) (types.JobQueueDetail, bool) {
	t.Helper()
	out, err := c.DescribeJobQueues(context.Background(), &batch.DescribeJobQueuesInput{JobQueues: []string{ref}})
	if err != nil {
		t.Fatalf("DescribeJobQueues(%s) = %v", ref, err)
	}
	if len(out.JobQueues) == 0 {
		return types.JobQueueDetail{}, false
	}
	return out.JobQueues[0], true
}

// pollUntil calls check every few milliseconds until it returns true, and fails
// the test with what() if that takes more than ten seconds.
func pollUntil(t *testing.T, what func() string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitTransition describes a resource right after a change, and then until
// it settles: the first answer must be the transitional status or, if the
// reconcile loop was quicker, the settled one; no other status may appear.
func waitTransition[D any](t *testing.T, describe func() (D, bool), status func(D) string, transitional, settled string) D {
	t.Helper()
	var d D
	var seen []string
	pollUntil(t, func() string { return fmt.Sprintf("statuses %v, want %s then %s", seen, transitional, settled) }, func() bool {
		var ok bool
		d, ok = describe()
		if !ok {
			t.Fatalf("resource vanished; statuses so far %v", seen)
		}
		s := status(d)
		if len(seen) == 0 || seen[len(seen)-1] != s {
			seen = append(seen, s)
		}
		return s == settled
	})
	if want := []string{transitional, settled}; !slices.Equal(seen, want) && !slices.Equal(seen, want[1:]) {
		t.Errorf("statuses = %v, want %v", seen, want)
	}
	return d
}

func ceSettles(t *testing.T, c *batch.Client, name string, transitional, settled types.CEStatus) types.ComputeEnvironmentDetail {
	t.Helper()
	return waitTransition(t, func() (types.ComputeEnvironmentDetail, bool) { return describeCE(t, c, name) },
		func(d types.ComputeEnvironmentDetail) string { return string(d.Status) }, string(transitional), string(settled))
}

func jqSettles(t *testing.T, c *batch.Client, name string, transitional, settled types.JQStatus) types.JobQueueDetail {
	t.Helper()
	return waitTransition(t, func() (types.JobQueueDetail, bool) { return describeJQ(t, c, name) },
		func(d types.JobQueueDetail) string { return string(d.Status) }, string(transitional), string(settled))
}

// waitCEGone waits until a deleted compute environment, DELETING meanwhile,
// is no longer described.
func waitCEGone(t *testing.T, c *batch.Client, name string) {
	t.Helper()
	var last types.ComputeEnvironmentDetail
	pollUntil(t, func() string { return fmt.Sprintf("compute environment %s still there: %s", name, last.Status) }, func() bool {
		d, ok := describeCE(t, c, name)
		if ok && d.Status != types.CEStatusDeleting {
			t.Fatalf("deleted compute environment %s is %s, want DELETING or gone", name, d.Status)
		}
		last = d
		return !ok
	})
}

func waitJQGone(t *testing.T, c *batch.Client, name string) {
	t.Helper()
	var last types.JobQueueDetail
	pollUntil(t, func() string { return fmt.Sprintf("job queue %s still there: %s", name, last.Status) }, func() bool {
		d, ok := describeJQ(t, c, name)
		if ok && d.Status != types.JQStatusDeleting {
			t.Fatalf("deleted job queue %s is %s, want DELETING or gone", name, d.Status)
		}
		last = d
		return !ok
	})
}

// disableAndDeleteQueue removes a job queue the way a user must: disable it,
// then delete it.
func disableAndDeleteQueue(t *testing.T, c *batch.Client, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String(name), State: types.JQStateDisabled}); err != nil {
		t.Fatalf("UpdateJobQueue(%s, DISABLED) = %v", name, err)
	}
	if _, err := c.DeleteJobQueue(ctx, &batch.DeleteJobQueueInput{JobQueue: aws.String(name)}); err != nil {
		t.Fatalf("DeleteJobQueue(%s) = %v", name, err)
	}
	waitJQGone(t, c, name)
}

func disableAndDeleteCE(t *testing.T, c *batch.Client, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String(name), State: types.CEStateDisabled}); err != nil {
		t.Fatalf("UpdateComputeEnvironment(%s, DISABLED) = %v", name, err)
	}
	waitCEStatus(t, c, name, types.CEStatusValid)
	if _, err := c.DeleteComputeEnvironment(ctx, &batch.DeleteComputeEnvironmentInput{ComputeEnvironment: aws.String(name)}); err != nil {
		t.Fatalf("DeleteComputeEnvironment(%s) = %v", name, err)
	}
	waitCEGone(t, c, name)
}

// wantPages reads every page, starting without a token and passing each
// nextToken on until there is none, and checks the page sizes and that every
// item of want was listed exactly once, and nothing else.
func wantPages(t *testing.T, sizes []int, want []string, page func(token *string) ([]string, *string)) {
	t.Helper()
	seen := map[string]int{}
	var got []int
	var token *string
	for range len(sizes) + 5 {
		items, next := page(token)
		got = append(got, len(items))
		for _, it := range items {
			seen[it]++
		}
		if token = next; token == nil {
			break
		}
	}
	if !slices.Equal(got, sizes) {
		t.Errorf("page sizes = %v, want %v and no nextToken on the last", got, sizes)
	}
	for _, it := range want {
		if seen[it] != 1 {
			t.Errorf("%s listed %d times, want once", it, seen[it])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("listed %v, want exactly %v", seen, want)
	}
}

var uuidPattern = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`

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
			if got := aws.ToString(ce.StatusReason); got != "ComputeEnvironment Healthy" {
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
		{"eksConfiguration", func(in *batch.CreateComputeEnvironmentInput) {
			in.EksConfiguration = &types.EksConfiguration{EksClusterArn: aws.String("arn:aws:eks:us-east-1:123456789012:cluster/c"), KubernetesNamespace: aws.String("batch")}
		}, []string{"eksConfiguration"}},

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
		if got := aws.ToString(ce.StatusReason); got != "ComputeEnvironment Healthy" {
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

func TestCreateJobQueue(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	validCEs(t, c, "jq-spot", "jq-od", "jq-od2")

	tests := []struct {
		name string
		ces  []string // as given
	}{
		{"one-by-name", []string{"jq-spot"}},
		{"two-by-arn", []string{ceARN("jq-spot"), ceARN("jq-od")}},
		{"three-mixed", []string{"jq-od2", ceARN("jq-spot"), "jq-od"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := createQueue(t, c, tt.name, tt.ces...); got != jqARN(tt.name) {
				t.Errorf("jobQueueArn = %s, want %s", got, jqARN(tt.name))
			}
			q := jqSettles(t, c, tt.name, types.JQStatusCreating, types.JQStatusValid)
			if aws.ToString(q.JobQueueArn) != jqARN(tt.name) || aws.ToString(q.JobQueueName) != tt.name {
				t.Errorf("name, ARN = %s, %s, want %s, %s", aws.ToString(q.JobQueueName), aws.ToString(q.JobQueueArn), tt.name, jqARN(tt.name))
			}
			if got := aws.ToString(q.StatusReason); got != "JobQueue Healthy" {
				t.Errorf("statusReason = %q, want JobQueue Healthy", got)
			}
			if q.JobQueueType != types.JobQueueTypeEcsFargate || q.State != types.JQStateEnabled || aws.ToInt32(q.Priority) != 1 {
				t.Errorf("jobQueueType, state, priority = %s, %s, %d, want ECS_FARGATE, ENABLED, 1", q.JobQueueType, q.State, aws.ToInt32(q.Priority))
			}
			if q.Tags == nil || len(q.Tags) != 0 || q.JobStateTimeLimitActions == nil || len(q.JobStateTimeLimitActions) != 0 {
				t.Errorf("tags, jobStateTimeLimitActions = %v, %v, want {} and []", q.Tags, q.JobStateTimeLimitActions)
			}
			if q.SchedulingPolicyArn != nil {
				t.Errorf("schedulingPolicyArn = %s, want none", aws.ToString(q.SchedulingPolicyArn))
			}
			if len(q.ComputeEnvironmentOrder) != len(tt.ces) {
				t.Fatalf("computeEnvironmentOrder = %+v, want %d entries", q.ComputeEnvironmentOrder, len(tt.ces))
			}
			for i, o := range q.ComputeEnvironmentOrder {
				name := tt.ces[i][strings.LastIndex(tt.ces[i], "/")+1:]
				if aws.ToString(o.ComputeEnvironment) != ceARN(name) || aws.ToInt32(o.Order) != int32(i+1) {
					t.Errorf("computeEnvironmentOrder[%d] = %s order %d, want the ARN %s order %d", i, aws.ToString(o.ComputeEnvironment), aws.ToInt32(o.Order), ceARN(name), i+1)
				}
			}
		})
	}

	// On the wire, empty tags and actions are {} and [], as AWS sends them.
	r := rawCall(t, ts, "POST", "/v1/describejobqueues", `{"jobQueues":["one-by-name"]}`)
	for _, want := range []string{`"tags":{}`, `"jobStateTimeLimitActions":[]`, `"jobQueueType":"ECS_FARGATE"`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("DescribeJobQueues body %s, want it to contain %s", r.Body, want)
		}
	}

	t.Run("with tags, priority, state and time-limit actions", func(t *testing.T) {
		_, err := c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{
			JobQueueName: aws.String("full"), Priority: aws.Int32(500), State: types.JQStateDisabled,
			ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(0), ComputeEnvironment: aws.String("jq-od")}},
			Tags:                    map[string]string{"team": "ml"},
			JobStateTimeLimitActions: []types.JobStateTimeLimitAction{
				{Reason: aws.String("stuck 10 minutes"), State: types.JobStateTimeLimitActionsStateRunnable, MaxTimeSeconds: aws.Int32(600), Action: types.JobStateTimeLimitActionsActionCancel},
				{Reason: aws.String("stuck a day"), State: types.JobStateTimeLimitActionsStateRunnable, MaxTimeSeconds: aws.Int32(86400), Action: types.JobStateTimeLimitActionsActionCancel},
			},
			JobQueueType: types.JobQueueTypeEcsFargate,
		})
		if err != nil {
			t.Fatal(err)
		}
		q, _ := describeJQ(t, c, jqARN("full"))
		if aws.ToInt32(q.Priority) != 500 || q.State != types.JQStateDisabled || q.Tags["team"] != "ml" || len(q.JobStateTimeLimitActions) != 2 {
			t.Errorf("queue = priority %d, %s, tags %v, actions %+v, want 500, DISABLED, team=ml, two actions", aws.ToInt32(q.Priority), q.State, q.Tags, q.JobStateTimeLimitActions)
		} else if a := q.JobStateTimeLimitActions[1]; aws.ToInt32(a.MaxTimeSeconds) != 86400 || a.Action != "CANCEL" || a.State != "RUNNABLE" || aws.ToString(a.Reason) != "stuck a day" {
			t.Errorf("jobStateTimeLimitActions[1] = %+v, want the second action as given", a)
		}
	})
}

func TestCreateJobQueueValidation(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	validCEs(t, c, "a", "b", "c", "d")
	createEC2CE(t, c, "ec2")
	waitCEStatus(t, c, "ec2", types.CEStatusInvalid)

	order := func(ces ...string) []types.ComputeEnvironmentOrder {
		o := make([]types.ComputeEnvironmentOrder, len(ces))
		for i, ce := range ces {
			o[i] = types.ComputeEnvironmentOrder{Order: aws.Int32(int32(i + 1)), ComputeEnvironment: aws.String(ce)}
		}
		return o
	}
	action := func(f func(*types.JobStateTimeLimitAction)) func(*batch.CreateJobQueueInput) {
		return func(in *batch.CreateJobQueueInput) {
			a := types.JobStateTimeLimitAction{Reason: aws.String("too long"), State: types.JobStateTimeLimitActionsStateRunnable,
				MaxTimeSeconds: aws.Int32(3600), Action: types.JobStateTimeLimitActionsActionCancel}
			f(&a)
			in.JobStateTimeLimitActions = []types.JobStateTimeLimitAction{a}
		}
	}
	tests := []struct {
		name      string
		change    func(*batch.CreateJobQueueInput)
		fragments []string
	}{
		{"no compute environments", func(in *batch.CreateJobQueueInput) { in.ComputeEnvironmentOrder = nil }, []string{"computeEnvironmentOrder is required"}},
		{"four compute environments", func(in *batch.CreateJobQueueInput) { in.ComputeEnvironmentOrder = order("a", "b", "c", "d") }, []string{"computeEnvironmentOrder", "4", "at most 3"}},
		{"unknown compute environment", func(in *batch.CreateJobQueueInput) { in.ComputeEnvironmentOrder = order("a", "ghost-ce") }, []string{"ghost-ce", "does not exist"}},
		{"unknown compute environment ARN", func(in *batch.CreateJobQueueInput) { in.ComputeEnvironmentOrder = order(ceARN("ghost")) }, []string{ceARN("ghost")}},
		{"compute environment ARN of another region", func(in *batch.CreateJobQueueInput) {
			in.ComputeEnvironmentOrder = order("arn:aws:batch:eu-west-1:" + scopeAccount + ":compute-environment/a")
		}, []string{"computeEnvironmentOrder[0].computeEnvironment", "eu-west-1"}},
		{"Fargate and EC2 mixed", func(in *batch.CreateJobQueueInput) { in.ComputeEnvironmentOrder = order("a", "ec2") }, []string{"same type", `"a"`, `"ec2"`, "FARGATE", "EC2"}},
		{"duplicate order", func(in *batch.CreateJobQueueInput) {
			in.ComputeEnvironmentOrder = order("a", "b")
			in.ComputeEnvironmentOrder[1].Order = aws.Int32(1)
		}, []string{"computeEnvironmentOrder[1].order", "1", "twice"}},
		{"compute environment twice", func(in *batch.CreateJobQueueInput) { in.ComputeEnvironmentOrder = order("a", ceARN("a")) }, []string{"computeEnvironmentOrder[1]", "listed twice"}},
		{"negative order", func(in *batch.CreateJobQueueInput) { in.ComputeEnvironmentOrder[0].Order = aws.Int32(-1) }, []string{"computeEnvironmentOrder[0].order", "-1"}},
		{"negative priority", func(in *batch.CreateJobQueueInput) { in.Priority = aws.Int32(-1) }, []string{"priority", "-1"}},
		{"invalid state", func(in *batch.CreateJobQueueInput) { in.State = "OPEN" }, []string{"state", "OPEN"}},
		{"invalid name", func(in *batch.CreateJobQueueInput) { in.JobQueueName = aws.String("my/queue") }, []string{"jobQueueName", "my/queue"}},
		{"name of 129 characters", func(in *batch.CreateJobQueueInput) { in.JobQueueName = aws.String(strings.Repeat("q", 129)) }, []string{"jobQueueName", "128"}},
		{"51 tags", func(in *batch.CreateJobQueueInput) {
			in.Tags = map[string]string{}
			for i := range 51 {
				in.Tags[fmt.Sprint("t", i)] = ""
			}
		}, []string{"tags", "50"}},
		{"jobQueueType ECS on Fargate", func(in *batch.CreateJobQueueInput) { in.JobQueueType = types.JobQueueTypeEcs }, []string{"jobQueueType", "ECS_FARGATE"}},
		{"unknown scheduling policy", func(in *batch.CreateJobQueueInput) { in.SchedulingPolicyArn = aws.String(spARN("nope")) }, []string{spARN("nope"), "does not exist"}},
		{"maxTimeSeconds 599", action(func(a *types.JobStateTimeLimitAction) { a.MaxTimeSeconds = aws.Int32(599) }), []string{"jobStateTimeLimitActions[0].maxTimeSeconds", "599", "600", "86400"}},
		{"maxTimeSeconds 86401", action(func(a *types.JobStateTimeLimitAction) { a.MaxTimeSeconds = aws.Int32(86401) }), []string{"jobStateTimeLimitActions[0].maxTimeSeconds", "86401"}},
		{"action TERMINATE", action(func(a *types.JobStateTimeLimitAction) { a.Action = types.JobStateTimeLimitActionsActionTerminate }), []string{"jobStateTimeLimitActions[0].action", "CANCEL"}},
		{"unknown action", action(func(a *types.JobStateTimeLimitAction) { a.Action = "RETRY" }), []string{"jobStateTimeLimitActions[0].action", "RETRY", "CANCEL"}},
		{"state RUNNING", action(func(a *types.JobStateTimeLimitAction) { a.State = "RUNNING" }), []string{"jobStateTimeLimitActions[0].state", "RUNNING", "RUNNABLE"}},
		{"empty reason", action(func(a *types.JobStateTimeLimitAction) { a.Reason = aws.String("") }), []string{"jobStateTimeLimitActions[0].reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &batch.CreateJobQueueInput{JobQueueName: aws.String("rejected"), Priority: aws.Int32(1), ComputeEnvironmentOrder: order("a")}
			tt.change(in)
			_, err := c.CreateJobQueue(ctx, in)
			wantClientError(t, err, tt.fragments...)
		})
	}

	raw := []struct {
		name      string
		body      string
		fragments []string
	}{
		{"no priority", `{"jobQueueName":"rejected","computeEnvironmentOrder":[{"order":1,"computeEnvironment":"a"}]}`, []string{"priority is required"}},
		{"no name", `{"priority":1,"computeEnvironmentOrder":[{"order":1,"computeEnvironment":"a"}]}`, []string{"jobQueueName is required"}},
		{"order without computeEnvironment", `{"jobQueueName":"rejected","priority":1,"computeEnvironmentOrder":[{"order":1}]}`, []string{"computeEnvironmentOrder[0].computeEnvironment", "required"}},
		{"serviceEnvironmentOrder", `{"jobQueueName":"rejected","priority":1,"serviceEnvironmentOrder":[{"order":1,"serviceEnvironment":"se"}]}`, []string{"serviceEnvironmentOrder", "not supported"}},
	}
	for _, tt := range raw {
		t.Run(tt.name, func(t *testing.T) {
			wantRawClientError(t, rawCall(t, ts, "POST", "/v1/createjobqueue", tt.body), tt.fragments...)
		})
	}

	out, err := c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{})
	if err != nil || len(out.JobQueues) != 0 {
		t.Fatalf("after rejected creates: DescribeJobQueues = %+v, %v, want none", out, err)
	}

	createQueue(t, c, "taken", "a")
	_, err = c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("taken"), Priority: aws.Int32(1), ComputeEnvironmentOrder: order("b")})
	wantClientError(t, err, "taken", "already exists")
}

func TestUpdateJobQueue(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	validCEs(t, c, "a", "b", "c", "d")
	createEC2CE(t, c, "ec2")
	createQueue(t, c, "uq", "a", "b")
	jqSettles(t, c, "uq", types.JQStatusCreating, types.JQStatusValid)

	update := func(t *testing.T, in *batch.UpdateJobQueueInput) types.JobQueueDetail {
		t.Helper()
		out, err := c.UpdateJobQueue(ctx, in)
		if err != nil {
			t.Fatalf("UpdateJobQueue = %v", err)
		}
		if aws.ToString(out.JobQueueArn) != jqARN("uq") || aws.ToString(out.JobQueueName) != "uq" {
			t.Errorf("UpdateJobQueue = %s %s, want uq and its ARN", aws.ToString(out.JobQueueName), aws.ToString(out.JobQueueArn))
		}
		q := jqSettles(t, c, "uq", types.JQStatusUpdating, types.JQStatusValid)
		if got := aws.ToString(q.StatusReason); got != "JobQueue Healthy" {
			t.Errorf("statusReason = %q after the update, want JobQueue Healthy", got)
		}
		return q
	}

	t.Run("priority", func(t *testing.T) {
		q := update(t, &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), Priority: aws.Int32(7)})
		if aws.ToInt32(q.Priority) != 7 || len(q.ComputeEnvironmentOrder) != 2 {
			t.Errorf("priority %d, order %+v, want 7 and the order unchanged", aws.ToInt32(q.Priority), q.ComputeEnvironmentOrder)
		}
	})
	t.Run("order by ARN", func(t *testing.T) {
		q := update(t, &batch.UpdateJobQueueInput{JobQueue: aws.String(jqARN("uq")), ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{
			{Order: aws.Int32(1), ComputeEnvironment: aws.String(ceARN("c"))},
			{Order: aws.Int32(2), ComputeEnvironment: aws.String("b")},
		}})
		var got []string
		for _, o := range q.ComputeEnvironmentOrder {
			got = append(got, aws.ToString(o.ComputeEnvironment))
		}
		if !slices.Equal(got, []string{ceARN("c"), ceARN("b")}) || aws.ToInt32(q.Priority) != 7 {
			t.Errorf("order %v, priority %d, want c then b as ARNs and priority 7", got, aws.ToInt32(q.Priority))
		}
	})
	t.Run("state", func(t *testing.T) {
		q := update(t, &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), State: types.JQStateDisabled})
		if q.State != types.JQStateDisabled {
			t.Errorf("state = %s, want DISABLED", q.State)
		}
		q = update(t, &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), State: types.JQStateEnabled})
		if q.State != types.JQStateEnabled {
			t.Errorf("state = %s, want ENABLED", q.State)
		}
	})
	t.Run("time-limit actions", func(t *testing.T) {
		q := update(t, &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), JobStateTimeLimitActions: []types.JobStateTimeLimitAction{
			{Reason: aws.String("no capacity"), State: types.JobStateTimeLimitActionsStateRunnable, MaxTimeSeconds: aws.Int32(900), Action: types.JobStateTimeLimitActionsActionCancel},
		}})
		if len(q.JobStateTimeLimitActions) != 1 || aws.ToInt32(q.JobStateTimeLimitActions[0].MaxTimeSeconds) != 900 {
			t.Errorf("jobStateTimeLimitActions = %+v, want the 900-second action", q.JobStateTimeLimitActions)
		}
	})

	rejected := []struct {
		name      string
		in        *batch.UpdateJobQueueInput
		fragments []string
	}{
		{"four compute environments", &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{
			{Order: aws.Int32(1), ComputeEnvironment: aws.String("a")}, {Order: aws.Int32(2), ComputeEnvironment: aws.String("b")},
			{Order: aws.Int32(3), ComputeEnvironment: aws.String("c")}, {Order: aws.Int32(4), ComputeEnvironment: aws.String("d")},
		}}, []string{"at most 3"}},
		{"unknown compute environment", &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{
			{Order: aws.Int32(1), ComputeEnvironment: aws.String("phantom")},
		}}, []string{"phantom"}},
		{"duplicate order", &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{
			{Order: aws.Int32(1), ComputeEnvironment: aws.String("a")}, {Order: aws.Int32(1), ComputeEnvironment: aws.String("b")},
		}}, []string{"order 1", "twice"}},
		{"EC2 compute environment in a Fargate queue", &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{
			{Order: aws.Int32(1), ComputeEnvironment: aws.String("a")}, {Order: aws.Int32(2), ComputeEnvironment: aws.String("ec2")},
		}}, []string{"same type", `"ec2"`}},
		{"negative priority", &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), Priority: aws.Int32(-3)}, []string{"priority", "-3"}},
		{"invalid state", &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), State: "CLOSED"}, []string{"state", "CLOSED"}},
		{"bad time-limit action", &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), JobStateTimeLimitActions: []types.JobStateTimeLimitAction{
			{Reason: aws.String("r"), State: types.JobStateTimeLimitActionsStateRunnable, MaxTimeSeconds: aws.Int32(60), Action: types.JobStateTimeLimitActionsActionCancel},
		}}, []string{"jobStateTimeLimitActions[0].maxTimeSeconds", "60"}},
		{"unknown queue", &batch.UpdateJobQueueInput{JobQueue: aws.String("nowhere"), Priority: aws.Int32(1)}, []string{"nowhere", "not found"}},
		{"FIFO queue gaining a scheduling policy", &batch.UpdateJobQueueInput{JobQueue: aws.String("uq"), SchedulingPolicyArn: aws.String(spARN("any"))}, []string{"uq", "without a scheduling policy", "cannot gain one"}},
	}
	for _, tt := range rejected {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			_, err := c.UpdateJobQueue(ctx, tt.in)
			wantClientError(t, err, tt.fragments...)
		})
	}
	q, _ := describeJQ(t, c, "uq")
	if q.Status != types.JQStatusValid || aws.ToInt32(q.Priority) != 7 || q.State != types.JQStateEnabled || len(q.ComputeEnvironmentOrder) != 2 || q.SchedulingPolicyArn != nil {
		t.Errorf("after rejected updates: %+v, want the queue unchanged", q)
	}
}

func TestDeleteJobQueue(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	validCEs(t, c, "a")
	createQueue(t, c, "dq", "a")
	del := func() error {
		_, err := c.DeleteJobQueue(ctx, &batch.DeleteJobQueueInput{JobQueue: aws.String(jqARN("dq"))})
		return err
	}
	wantClientError(t, del(), "dq", "ENABLED", "DISABLED")

	if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String("dq"), State: types.JQStateDisabled}); err != nil {
		t.Fatal(err)
	}
	if err := del(); err != nil {
		t.Fatalf("DeleteJobQueue(DISABLED) = %v", err)
	}
	waitJQGone(t, c, "dq")
	out, err := c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{})
	if err != nil || len(out.JobQueues) != 0 {
		t.Errorf("DescribeJobQueues after delete = %+v, %v, want none", out, err)
	}
	wantClientError(t, del(), "dq", "not found")

	// The name is free again.
	createQueue(t, c, "dq", "a")
}

func TestDescribeJobQueuesPages(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	validCEs(t, c, "a")
	for i := range 5 {
		createQueue(t, c, fmt.Sprint("q", i), "a")
	}
	wantPages(t, []int{2, 2, 1}, []string{"q0", "q1", "q2", "q3", "q4"}, func(token *string) ([]string, *string) {
		out, err := c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		var page []string
		for _, q := range out.JobQueues {
			page = append(page, aws.ToString(q.JobQueueName))
		}
		return page, out.NextToken
	})
	_, err := c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{JobQueues: []string{"q1"}, MaxResults: aws.Int32(1)})
	wantClientError(t, err, "JobQueues and MaxResults cannot both be set")
	_, err = c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{NextToken: aws.String("Y2U6YQ")}) // a compute environment token
	wantClientError(t, err, "nextToken")
	out, err := c.DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{JobQueues: []string{"q3", "nope", jqARN("q0")}})
	if err != nil || len(out.JobQueues) != 2 {
		t.Errorf("DescribeJobQueues(q3, nope, q0's ARN) = %+v, %v, want q3 and q0", out, err)
	}
}

// TestJobQueueQuota creates AWS's 50 job queues; the 51st is refused.
func TestJobQueueQuota(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	validCEs(t, c, "a")
	for i := range 50 {
		createQueue(t, c, fmt.Sprintf("q%02d", i), "a")
	}
	_, err := c.CreateJobQueue(context.Background(), &batch.CreateJobQueueInput{JobQueueName: aws.String("q50"), Priority: aws.Int32(1),
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("a")}}})
	wantClientError(t, err, "limit of 50 job queues")
}

func fairsharePolicy(decay, reservation int32, shares ...types.ShareAttributes) *types.FairsharePolicy {
	return &types.FairsharePolicy{ShareDecaySeconds: aws.Int32(decay), ComputeReservation: aws.Int32(reservation), ShareDistribution: shares}
}

func shareAttr(id string, weight float32) types.ShareAttributes {
	return types.ShareAttributes{ShareIdentifier: aws.String(id), WeightFactor: aws.Float32(weight)}
}

func TestSchedulingPolicies(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	validCEs(t, c, "a")
	for i := range 4 {
		if _, err := c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{Name: aws.String(fmt.Sprint("p", i))}); err != nil {
			t.Fatal(err)
		}
	}

	out, err := c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{
		Name:            aws.String("fair"),
		FairsharePolicy: fairsharePolicy(3600, 10, shareAttr("teamA", 0.5), shareAttr("teamB*", 1)),
		Tags:            map[string]string{"owner": "ops"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Arn) != spARN("fair") || aws.ToString(out.Name) != "fair" {
		t.Errorf("CreateSchedulingPolicy = %s %s, want fair and %s", aws.ToString(out.Name), aws.ToString(out.Arn), spARN("fair"))
	}
	describe := func(arns ...string) []types.SchedulingPolicyDetail {
		t.Helper()
		out, err := c.DescribeSchedulingPolicies(ctx, &batch.DescribeSchedulingPoliciesInput{Arns: arns})
		if err != nil {
			t.Fatalf("DescribeSchedulingPolicies = %v", err)
		}
		return out.SchedulingPolicies
	}

	t.Run("describe", func(t *testing.T) {
		ps := describe(spARN("fair"), spARN("unknown"))
		if len(ps) != 1 {
			t.Fatalf("described %d policies, want 1 (unknown ARNs absent)", len(ps))
		}
		p := ps[0]
		fp := p.FairsharePolicy
		if aws.ToString(p.Name) != "fair" || aws.ToString(p.Arn) != spARN("fair") || p.Tags["owner"] != "ops" || fp == nil {
			t.Fatalf("policy = %+v, want fair with its ARN, tag and fair-share policy", p)
		}
		if aws.ToInt32(fp.ShareDecaySeconds) != 3600 || aws.ToInt32(fp.ComputeReservation) != 10 || len(fp.ShareDistribution) != 2 ||
			aws.ToString(fp.ShareDistribution[1].ShareIdentifier) != "teamB*" || aws.ToFloat32(fp.ShareDistribution[0].WeightFactor) != 0.5 {
			t.Errorf("fairsharePolicy = %+v %+v, want it as created", fp, fp.ShareDistribution)
		}
	})

	t.Run("update", func(t *testing.T) {
		if _, err := c.UpdateSchedulingPolicy(ctx, &batch.UpdateSchedulingPolicyInput{Arn: aws.String(spARN("fair")),
			FairsharePolicy: fairsharePolicy(0, 0, shareAttr("teamC", 2))}); err != nil {
			t.Fatal(err)
		}
		fp := describe(spARN("fair"))[0].FairsharePolicy
		if len(fp.ShareDistribution) != 1 || aws.ToString(fp.ShareDistribution[0].ShareIdentifier) != "teamC" || aws.ToInt32(fp.ShareDecaySeconds) != 0 {
			t.Errorf("after update: %+v, want the new distribution", fp)
		}
		_, err := c.UpdateSchedulingPolicy(ctx, &batch.UpdateSchedulingPolicyInput{Arn: aws.String(spARN("ghost")), FairsharePolicy: fairsharePolicy(0, 0)})
		wantClientError(t, err, spARN("ghost"), "does not exist")
		_, err = c.UpdateSchedulingPolicy(ctx, &batch.UpdateSchedulingPolicyInput{Arn: aws.String(spARN("fair")), FairsharePolicy: fairsharePolicy(0, 100)})
		wantClientError(t, err, "fairsharePolicy.computeReservation", "100")
		_, err = c.UpdateSchedulingPolicy(ctx, &batch.UpdateSchedulingPolicyInput{Arn: aws.String(spARN("fair")),
			QuotaSharePolicy: &types.QuotaSharePolicy{IdleResourceAssignmentStrategy: "FIFO"}})
		wantClientError(t, err, "fair", "cannot change between fairsharePolicy and quotaSharePolicy")
	})

	t.Run("list pages", func(t *testing.T) {
		want := []string{spARN("fair"), spARN("p0"), spARN("p1"), spARN("p2"), spARN("p3")}
		wantPages(t, []int{2, 2, 1}, want, func(token *string) ([]string, *string) {
			out, err := c.ListSchedulingPolicies(ctx, &batch.ListSchedulingPoliciesInput{MaxResults: aws.Int32(2), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			var page []string
			for _, p := range out.SchedulingPolicies {
				page = append(page, aws.ToString(p.Arn))
			}
			return page, out.NextToken
		})
		_, err := c.ListSchedulingPolicies(ctx, &batch.ListSchedulingPoliciesInput{NextToken: aws.String("garbage")})
		wantClientError(t, err, "nextToken")
	})

	t.Run("delete refused while a queue uses it", func(t *testing.T) {
		_, err := c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("fsq"), Priority: aws.Int32(1),
			SchedulingPolicyArn:     aws.String(spARN("fair")),
			ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("a")}}})
		if err != nil {
			t.Fatal(err)
		}
		q, _ := describeJQ(t, c, "fsq")
		if got := aws.ToString(q.SchedulingPolicyArn); got != spARN("fair") {
			t.Errorf("queue schedulingPolicyArn = %s, want %s", got, spARN("fair"))
		}
		_, err = c.DeleteSchedulingPolicy(ctx, &batch.DeleteSchedulingPolicyInput{Arn: aws.String(spARN("fair"))})
		wantClientError(t, err, "fair", "fsq")

		// A queue with a policy can swap it for another.
		if _, err := c.UpdateJobQueue(ctx, &batch.UpdateJobQueueInput{JobQueue: aws.String("fsq"), SchedulingPolicyArn: aws.String(spARN("p0"))}); err != nil {
			t.Fatalf("UpdateJobQueue(swap policy) = %v", err)
		}
		if q, _ := describeJQ(t, c, "fsq"); aws.ToString(q.SchedulingPolicyArn) != spARN("p0") {
			t.Errorf("queue schedulingPolicyArn = %s after the swap, want %s", aws.ToString(q.SchedulingPolicyArn), spARN("p0"))
		}
		_, err = c.DeleteSchedulingPolicy(ctx, &batch.DeleteSchedulingPolicyInput{Arn: aws.String(spARN("p0"))})
		wantClientError(t, err, "p0", "fsq")
		if _, err := c.DeleteSchedulingPolicy(ctx, &batch.DeleteSchedulingPolicyInput{Arn: aws.String(spARN("fair"))}); err != nil {
			t.Errorf("DeleteSchedulingPolicy(fair) once no queue uses it = %v", err)
		}
		if ps := describe(spARN("fair")); len(ps) != 0 {
			t.Errorf("deleted policy is still described: %+v", ps)
		}

		disableAndDeleteQueue(t, c, "fsq")
		if _, err := c.DeleteSchedulingPolicy(ctx, &batch.DeleteSchedulingPolicyInput{Arn: aws.String(spARN("p0"))}); err != nil {
			t.Errorf("DeleteSchedulingPolicy(p0) after its queue is gone = %v", err)
		}
		_, err = c.DeleteSchedulingPolicy(ctx, &batch.DeleteSchedulingPolicyInput{Arn: aws.String(spARN("p0"))})
		wantClientError(t, err, "p0", "does not exist")
	})

	t.Run("policy given by name", func(t *testing.T) {
		// The member is an ARN; a bare name is accepted, stored as the
		// ARN, and protects the policy from deletion like the ARN does.
		_, err := c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("byname"), Priority: aws.Int32(1),
			SchedulingPolicyArn:     aws.String("p1"),
			ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("a")}}})
		if err != nil {
			t.Fatal(err)
		}
		if q, _ := describeJQ(t, c, "byname"); aws.ToString(q.SchedulingPolicyArn) != spARN("p1") {
			t.Errorf("schedulingPolicyArn = %s, want %s", aws.ToString(q.SchedulingPolicyArn), spARN("p1"))
		}
		_, err = c.DeleteSchedulingPolicy(ctx, &batch.DeleteSchedulingPolicyInput{Arn: aws.String(spARN("p1"))})
		wantClientError(t, err, "p1", "byname")
	})

	t.Run("duplicate name", func(t *testing.T) {
		_, err := c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{Name: aws.String("p2")})
		wantClientError(t, err, "p2", "already exists")
	})
}

func TestSchedulingPolicyValidation(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	tests := []struct {
		name      string
		in        *batch.CreateSchedulingPolicyInput
		fragments []string
	}{
		{"weightFactor 0", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("a", 0))}, []string{"fairsharePolicy.shareDistribution[0].weightFactor", "0.0001", "999.9999"}},
		{"weightFactor below 0.0001", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("a", 0.00005))}, []string{"weightFactor"}},
		{"weightFactor 1000", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("a", 1), shareAttr("b", 1000))}, []string{"fairsharePolicy.shareDistribution[1].weightFactor", "1000"}},
		{"negative shareDecaySeconds", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(-1, 0)}, []string{"fairsharePolicy.shareDecaySeconds", "-1"}},
		{"shareDecaySeconds over a week", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(604801, 0)}, []string{"fairsharePolicy.shareDecaySeconds", "604800"}},
		{"computeReservation 100", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 100)}, []string{"fairsharePolicy.computeReservation", "99"}},
		{"negative computeReservation", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, -1)}, []string{"fairsharePolicy.computeReservation"}},
		{"prefix overlapping an identifier", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("abc", 1), shareAttr("ab*", 1))}, []string{"shareDistribution[1].shareIdentifier", `"ab*"`, `"abc"`, "overlaps"}},
		{"overlapping prefixes", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("team*", 1), shareAttr("teamA*", 1))}, []string{"overlaps"}},
		{"identifier twice", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("x", 1), shareAttr("x", 2))}, []string{"overlaps"}},
		{"identifier with a hyphen", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("team-a", 1))}, []string{"shareIdentifier", "team-a", "letters and numbers"}},
		{"bare star", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("*", 1))}, []string{"shareIdentifier"}},
		{"empty identifier", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0, shareAttr("", 1))}, []string{"shareIdentifier is required"}},
		{"fair-share and quota-share", &batch.CreateSchedulingPolicyInput{FairsharePolicy: fairsharePolicy(0, 0),
			QuotaSharePolicy: &types.QuotaSharePolicy{IdleResourceAssignmentStrategy: "FIFO"}}, []string{"fairsharePolicy and quotaSharePolicy"}},
		{"invalid name", &batch.CreateSchedulingPolicyInput{Name: aws.String("fair share")}, []string{"name", "fair share"}},
		{"51 tags", &batch.CreateSchedulingPolicyInput{Tags: func() map[string]string {
			m := map[string]string{}
			for i := range 51 {
				m[fmt.Sprint(i)] = ""
			}
			return m
		}()}, []string{"tags", "50"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in.Name == nil {
				tt.in.Name = aws.String("rejected")
			}
			_, err := c.CreateSchedulingPolicy(ctx, tt.in)
			wantClientError(t, err, tt.fragments...)
		})
	}
	out, err := c.ListSchedulingPolicies(ctx, &batch.ListSchedulingPoliciesInput{})
	if err != nil || len(out.SchedulingPolicies) != 0 {
		t.Fatalf("after rejected creates: ListSchedulingPolicies = %+v, %v, want none", out, err)
	}

	// The bounds themselves are allowed.
	if _, err := c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{Name: aws.String("bounds"),
		FairsharePolicy: fairsharePolicy(604800, 99, shareAttr("a", 0.0001), shareAttr("b", 999.9999), shareAttr("c*", 1), shareAttr("d", 1))}); err != nil {
		t.Errorf("CreateSchedulingPolicy at the bounds = %v, want success", err)
	}
	_, err = c.DescribeSchedulingPolicies(ctx, &batch.DescribeSchedulingPoliciesInput{Arns: []string{}})
	wantClientError(t, err, "arns is required")
}

// TestTags tags and untags every taggable kind of resource through the SDK,
// which percent-encodes the ARN into the path.
func TestTags(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	queue, _ := seed(t, c)
	created := map[string]string{"created": "yes"}

	ceIn := fargateCEInput("tagged-ce")
	ceIn.Tags = created
	ceOut, err := c.CreateComputeEnvironment(ctx, ceIn)
	if err != nil {
		t.Fatal(err)
	}
	jqOut, err := c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("tagged-queue"), Priority: aws.Int32(1), Tags: created,
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("spot-ce")}}})
	if err != nil {
		t.Fatal(err)
	}
	spOut, err := c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{Name: aws.String("tagged-policy"), Tags: created})
	if err != nil {
		t.Fatal(err)
	}
	jdOut, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{
		JobDefinitionName: aws.String("tagged-def"), Type: types.JobDefinitionTypeContainer, Tags: created,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: fargateContainer("0.25", "512"),
	})
	if err != nil {
		t.Fatal(err)
	}
	jobOut, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String("tagged-job"), JobQueue: aws.String(queue),
		JobDefinition: aws.String("tagged-def"), Tags: created})
	if err != nil {
		t.Fatal(err)
	}

	// describedTags reads the tags as the resource's Describe call shows them.
	resources := []struct {
		name          string
		arn           string
		describedTags func() map[string]string
	}{
		{"compute environment", aws.ToString(ceOut.ComputeEnvironmentArn), func() map[string]string {
			ce, _ := describeCE(t, c, "tagged-ce")
			return ce.Tags
		}},
		{"job queue", aws.ToString(jqOut.JobQueueArn), func() map[string]string {
			q, _ := describeJQ(t, c, "tagged-queue")
			return q.Tags
		}},
		{"scheduling policy", aws.ToString(spOut.Arn), func() map[string]string {
			out, err := c.DescribeSchedulingPolicies(ctx, &batch.DescribeSchedulingPoliciesInput{Arns: []string{aws.ToString(spOut.Arn)}})
			if err != nil || len(out.SchedulingPolicies) != 1 {
				t.Fatalf("DescribeSchedulingPolicies = %+v, %v", out, err)
			}
			return out.SchedulingPolicies[0].Tags
		}},
		{"job definition revision", aws.ToString(jdOut.JobDefinitionArn), func() map[string]string {
			out, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{JobDefinitions: []string{aws.ToString(jdOut.JobDefinitionArn)}})
			if err != nil || len(out.JobDefinitions) != 1 {
				t.Fatalf("DescribeJobDefinitions = %+v, %v", out, err)
			}
			return out.JobDefinitions[0].Tags
		}},
		{"job", aws.ToString(jobOut.JobArn), func() map[string]string { return describeJob(t, c, aws.ToString(jobOut.JobId)).Tags }},
	}
	for _, r := range resources {
		t.Run(r.name, func(t *testing.T) {
			list := func() map[string]string {
				t.Helper()
				out, err := c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: aws.String(r.arn)})
				if err != nil {
					t.Fatalf("ListTagsForResource(%s) = %v", r.arn, err)
				}
				return out.Tags
			}
			check := func(step string, want map[string]string) {
				t.Helper()
				if got := list(); !maps.Equal(got, want) {
					t.Errorf("%s: ListTagsForResource = %v, want %v", step, got, want)
				}
				if got := r.describedTags(); !maps.Equal(got, want) {
					t.Errorf("%s: described tags = %v, want %v", step, got, want)
				}
			}
			check("at create", created)

			if _, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(r.arn), Tags: map[string]string{"env": "prod", "created": "replaced"}}); err != nil {
				t.Fatalf("TagResource = %v", err)
			}
			check("after TagResource", map[string]string{"created": "replaced", "env": "prod"})

			if _, err := c.UntagResource(ctx, &batch.UntagResourceInput{ResourceArn: aws.String(r.arn), TagKeys: []string{"created", "never-set"}}); err != nil {
				t.Fatalf("UntagResource = %v", err)
			}
			check("after UntagResource", map[string]string{"env": "prod"})

			// 49 more make 50, the most a resource can have; one more is refused.
			more := map[string]string{}
			for i := range 49 {
				more[fmt.Sprintf("k%02d", i)] = "v"
			}
			if _, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(r.arn), Tags: more}); err != nil {
				t.Fatalf("TagResource(up to 50 tags) = %v", err)
			}
			_, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(r.arn), Tags: map[string]string{"straw": "camel"}})
			wantClientError(t, err, "at most 50 tags", "51")
			if got := list(); len(got) != 50 {
				t.Errorf("after the refused tag: %d tags, want 50", len(got))
			}
		})
	}

	t.Run("keys with special characters", func(t *testing.T) {
		// The SDK puts UntagResource's keys in the query, percent-encoded;
		// the signature covers them.
		arn := ceARN("ondemand-ce")
		odd := map[string]string{"cost center": "1", "a/b=c+d@e:f": "2", "ünïcode": "3", "keep": "4"}
		if _, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(arn), Tags: odd}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UntagResource(ctx, &batch.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"cost center", "a/b=c+d@e:f", "ünïcode"}}); err != nil {
			t.Fatalf("UntagResource(odd keys) = %v", err)
		}
		out, err := c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		for k := range odd {
			if _, ok := out.Tags[k]; ok != (k == "keep") {
				t.Errorf("tag %q present = %v after untagging the others, want only keep", k, ok)
			}
		}
	})

	job := aws.ToString(jobOut.JobId)
	arrayID := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("array"), JobQueue: aws.String(queue), JobDefinition: aws.String("tagged-def"),
		ArrayProperties: &types.ArrayProperties{Size: aws.Int32(2)}})
	fiftyOne := map[string]string{}
	for i := range 51 {
		fiftyOne[fmt.Sprint("k", i)] = ""
	}
	rejected := []struct {
		name      string
		call      func() error
		fragments []string
	}{
		{"array child", func() error {
			_, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(batchARNPrefix + "job/" + arrayID + ":1"), Tags: map[string]string{"a": "b"}})
			return err
		}, []string{"Array child", arrayID + ":1"}},
		{"51 tags at once", func() error {
			_, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(ceARN("spot-ce")), Tags: fiftyOne})
			return err
		}, []string{"tags", "51", "50"}},
		{"aws: key", func() error {
			_, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(ceARN("spot-ce")), Tags: map[string]string{"aws:x": "y"}})
			return err
		}, []string{"aws:"}},
		{"unknown compute environment", func() error {
			_, err := c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: aws.String(ceARN("ghost"))})
			return err
		}, []string{ceARN("ghost"), "does not exist"}},
		{"unknown job", func() error {
			_, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(batchARNPrefix + "job/00000000-0000-4000-8000-000000000000"), Tags: map[string]string{"a": "b"}})
			return err
		}, []string{"does not exist"}},
		{"unknown job definition revision", func() error {
			_, err := c.UntagResource(ctx, &batch.UntagResourceInput{ResourceArn: aws.String(batchARNPrefix + "job-definition/tagged-def:9"), TagKeys: []string{"a"}})
			return err
		}, []string{"tagged-def:9", "does not exist"}},
		{"job definition without revision", func() error {
			_, err := c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: aws.String(batchARNPrefix + "job-definition/tagged-def")})
			return err
		}, []string{"revision"}},
		{"ARN of another region", func() error {
			_, err := c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:batch:eu-west-1:" + scopeAccount + ":job/" + job)})
			return err
		}, []string{"eu-west-1", "us-east-1"}},
		{"not an ARN", func() error {
			_, err := c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: aws.String("spot-ce")})
			return err
		}, []string{"spot-ce", "not an AWS Batch ARN"}},
		{"untaggable kind", func() error {
			_, err := c.ListTagsForResource(ctx, &batch.ListTagsForResourceInput{ResourceArn: aws.String(batchARNPrefix + "consumable-resource/gpu")})
			return err
		}, []string{"not a taggable"}},
		{"no tags", func() error {
			_, err := c.TagResource(ctx, &batch.TagResourceInput{ResourceArn: aws.String(ceARN("spot-ce")), Tags: map[string]string{}})
			return err
		}, []string{"tags is required"}},
		{"51 tag keys", func() error {
			keys := make([]string, 51)
			for i := range keys {
				keys[i] = fmt.Sprint("k", i)
			}
			_, err := c.UntagResource(ctx, &batch.UntagResourceInput{ResourceArn: aws.String(ceARN("spot-ce")), TagKeys: keys})
			return err
		}, []string{"tagKeys", "51", "50"}},
		{"no tag keys", func() error {
			_, err := c.UntagResource(ctx, &batch.UntagResourceInput{ResourceArn: aws.String(ceARN("spot-ce")), TagKeys: []string{}})
			return err
		}, []string{"tagKeys is required"}},
	}
	for _, tt := range rejected {
		t.Run("rejects "+tt.name, func(t *testing.T) {
			wantClientError(t, tt.call(), tt.fragments...)
		})
	}
}

// TestGetJobQueueSnapshot checks that the snapshot lists a queue's RUNNABLE
// jobs, array children included, oldest first, and nothing else.
func TestGetJobQueueSnapshot(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	queue, jobDef := seed(t, c)

	snapshot := func() []string {
		t.Helper()
		out, err := c.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String(queue)})
		if err != nil {
			t.Fatalf("GetJobQueueSnapshot = %v", err)
		}
		if out.FrontOfQueue == nil || aws.ToInt64(out.FrontOfQueue.LastUpdatedAt) < 1_600_000_000_000 {
			t.Fatalf("frontOfQueue = %+v, want lastUpdatedAt in epoch milliseconds", out.FrontOfQueue)
		}
		var arns []string
		var last int64
		for _, j := range out.FrontOfQueue.Jobs {
			at := aws.ToInt64(j.EarliestTimeAtPosition)
			if at < last || at < 1_600_000_000_000 {
				t.Errorf("earliestTimeAtPosition %d after %d, want epoch milliseconds, oldest first", at, last)
			}
			last = at
			arns = append(arns, aws.ToString(j.JobArn))
		}
		return arns
	}
	if got := snapshot(); len(got) != 0 {
		t.Errorf("snapshot of an empty queue = %v, want no jobs", got)
	}

	job := func(name string) *batch.SubmitJobInput {
		return &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String(queue), JobDefinition: aws.String(jobDef)}
	}
	first := submit(t, c, job("first"))
	second := submit(t, c, job("second"))
	waiting := job("waiting")
	waiting.DependsOn = []types.JobDependency{{JobId: aws.String(first)}}
	submit(t, c, waiting) // PENDING until first succeeds
	arrayIn := job("array")
	arrayIn.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(2)}
	array := submit(t, c, arrayIn) // the parent stays PENDING; its children are RUNNABLE
	third := submit(t, c, job("third"))

	jobARN := func(id string) string { return batchARNPrefix + "job/" + id }
	want := []string{jobARN(first), jobARN(second), jobARN(array + ":0"), jobARN(array + ":1"), jobARN(third)}
	if got := snapshot(); !slices.Equal(got, want) {
		t.Errorf("snapshot = %v, want %v", got, want)
	}

	// A cancelled job leaves the front of the queue.
	if _, err := c.CancelJob(ctx, &batch.CancelJobInput{JobId: aws.String(second), Reason: aws.String("not needed")}); err != nil {
		t.Fatal(err)
	}
	want = slices.Delete(want, 1, 2)
	if got := snapshot(); !slices.Equal(got, want) {
		t.Errorf("snapshot after cancelling second = %v, want %v", got, want)
	}

	// The queue can be named by ARN; an unknown queue is a client error.
	if _, err := c.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String(jqARN(queue))}); err != nil {
		t.Errorf("GetJobQueueSnapshot(ARN) = %v", err)
	}
	_, err := c.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String("no-such-queue")})
	wantClientError(t, err, "no-such-queue", "not found")
}
