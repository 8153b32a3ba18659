package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

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
