package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

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
