package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// End-to-end tests of what a submission changes in what runs: parameters
// substituted into the command (and nowhere else), container overrides, and
// the scheduling priority.

// TestParametersAndOverridesReachTheTask runs jobs whose command takes
// Ref:: placeholders: the definition's parameters, overridden by the
// submission's, are substituted in the command the process gets, and not
// in its environment; environment overrides add and replace variables.
func TestParametersAndOverridesReachTheTask(t *testing.T) {
	p := startProcServer(t)
	ctx := context.Background()
	cp := fargateContainer("0.25", "512")
	cp.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:role/exec")
	cp.Command = []string{"sh", "-c", `echo "$0|$1|$2|$KEPT|$LITERAL|$ADDED"`, "Ref::input", "Ref::mode", "Ref::unknown"}
	cp.Environment = []types.KeyValuePair{
		{Name: aws.String("KEPT"), Value: aws.String("from-definition")},
		{Name: aws.String("LITERAL"), Value: aws.String("Ref::input")},
		{Name: aws.String("ADDED"), Value: aws.String("replaced")},
	}
	if _, err := p.c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("params"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp,
		Parameters: map[string]string{"input": "s3://in/default", "mode": "slow"}}); err != nil {
		t.Fatal(err)
	}
	submitParams := func(name string, in func(*batch.SubmitJobInput)) string {
		sub := &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String("params")}
		in(sub)
		return submit(t, p.c, sub)
	}

	tests := []struct {
		name string
		in   func(*batch.SubmitJobInput)
		want string
	}{
		{"definition's parameters", func(*batch.SubmitJobInput) {},
			"s3://in/default|slow|Ref::unknown|from-definition|Ref::input|replaced"},
		{"submission's parameters win", func(in *batch.SubmitJobInput) {
			in.Parameters = map[string]string{"mode": "fast", "unknown": "now known"}
		}, "s3://in/default|fast|now known|from-definition|Ref::input|replaced"},
		{"environment override", func(in *batch.SubmitJobInput) {
			in.ContainerOverrides = &types.ContainerOverrides{Environment: []types.KeyValuePair{
				{Name: aws.String("ADDED"), Value: aws.String("by the submission")}, {Name: aws.String("LITERAL"), Value: aws.String("Ref::mode")}}}
		}, "s3://in/default|slow|Ref::unknown|from-definition|Ref::mode|by the submission"},
		{"command override takes placeholders too", func(in *batch.SubmitJobInput) {
			in.Parameters = map[string]string{"input": "s3://in/other"}
			in.ContainerOverrides = &types.ContainerOverrides{Command: []string{"sh", "-c", `echo "override $0 $1"`, "Ref::mode", "Ref::input"}}
		}, "override slow s3://in/other"},
		{"array children", func(in *batch.SubmitJobInput) {
			in.Parameters = map[string]string{"mode": "child"}
			in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(2)}
		}, "s3://in/default|child|Ref::unknown|from-definition|Ref::input|replaced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := submitParams("params", tt.in)
			j := waitJob(t, p.c, id, time.Minute)
			if j.Status != types.JobStatusSucceeded {
				t.Fatalf("job = %s %q", j.Status, aws.ToString(j.StatusReason))
			}
			run := id
			if j.ArrayProperties != nil {
				run = id + ":1"
			}
			if got := p.output(t, run); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("the task wrote %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSchedulingPriority: a job's schedulingPriority is its definition's,
// or the submission's schedulingPriorityOverride, on its array children
// too.
func TestSchedulingPriority(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)
	pol, err := c.CreateSchedulingPolicy(ctx, &batch.CreateSchedulingPolicyInput{Name: aws.String("fair"),
		FairsharePolicy: &types.FairsharePolicy{ShareDistribution: []types.ShareAttributes{{ShareIdentifier: aws.String("team")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("fair"), Priority: aws.Int32(1), SchedulingPolicyArn: pol.Arn,
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{Order: aws.Int32(1), ComputeEnvironment: aws.String("ondemand-ce")}}}); err != nil {
		t.Fatal(err)
	}
	def := fargateDefInput("prioritised")
	def.SchedulingPriority = aws.Int32(5)
	registerDef(t, c, def)

	for _, tt := range []struct {
		name     string
		override *int32
		want     int32
	}{{"definition's", nil, 5}, {"override", aws.Int32(9999), 9999}, {"override to 0", aws.Int32(0), 0}} {
		t.Run(tt.name, func(t *testing.T) {
			in := &batch.SubmitJobInput{JobName: aws.String("j"), JobQueue: aws.String("fair"), JobDefinition: aws.String("prioritised"),
				ShareIdentifier: aws.String("team"), SchedulingPriorityOverride: tt.override, ArrayProperties: &types.ArrayProperties{Size: aws.Int32(2)}}
			id := submit(t, c, in)
			for _, j := range describeJobs(t, c, id, id+":1") {
				if j.SchedulingPriority == nil || *j.SchedulingPriority != tt.want || aws.ToString(j.ShareIdentifier) != "team" {
					t.Errorf("%s: schedulingPriority %v shareIdentifier %q, want %d, team", aws.ToString(j.JobId), j.SchedulingPriority, aws.ToString(j.ShareIdentifier), tt.want)
				}
			}
		})
	}
}
