package main

import (
	"context"
	"fmt"
	"slices"
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

// uuidPattern matches the UUIDs barge makes for jobs and compute
// environments: canonical, version 7 (time-ordered; AWS's are version 4,
// and clients treat both as opaque strings).
var uuidPattern = `[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
