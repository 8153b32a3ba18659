package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

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
