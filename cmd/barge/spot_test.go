package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// TestSpotInterruption interrupts Fargate Spot tasks on Docker, with
// barge's InterruptSpotTask and with the compute environment tags that
// interrupt at random: the container gets SIGTERM, the attempt fails with
// AWS's "Your Spot Task was interrupted.", and a retry rule on that
// statusReason runs the job again.
func TestSpotInterruption(t *testing.T) {
	ts, c, role, image := startLifecycleDocker(t, map[types.CRType]map[string]string{
		types.CRTypeFargateSpot: {"barge:spot-grace-seconds": "50"},
		types.CRTypeFargate:     nil,
	})
	// The first attempt handles SIGTERM and waits to be interrupted; the
	// second ends at once.
	registerScript(t, c, "spot", image, role,
		`trap 'echo got SIGTERM; exit 143' TERM; echo "attempt $AWS_BATCH_JOB_ATTEMPT"; if [ "$AWS_BATCH_JOB_ATTEMPT" = 1 ]; then sleep 300 & wait; fi`,
		func(in *batch.RegisterJobDefinitionInput) {
			in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(2), EvaluateOnExit: []types.EvaluateOnExit{
				{OnStatusReason: aws.String("Your Spot Task was interrupted*"), Action: types.RetryActionRetry},
				{OnReason: aws.String("*"), Action: types.RetryActionExit},
			}}
		})
	interrupt := func(id string) rawResponse {
		return rawCall(t, ts, http.MethodPost, "/v1/barge/interruptspottask", fmt.Sprintf(`{"jobId":%q}`, id))
	}

	t.Run("InterruptSpotTask", func(t *testing.T) {
		id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("spot"), JobQueue: aws.String("fargate_spot"), JobDefinition: aws.String("spot")})
		waitLogLine(t, ts, c, id, "attempt 1") // the trap is set
		running := describeJob(t, c, id)
		r := interrupt(id)
		var out struct{ JobID, TaskArn string }
		if err := json.Unmarshal(r.Body, &out); r.Status != http.StatusOK || err != nil || out.JobID != id || out.TaskArn != aws.ToString(running.Container.TaskArn) {
			t.Fatalf("InterruptSpotTask = %d %s, want 200 naming the job and its task", r.Status, r.Body)
		}
		j := waitAttempts(t, c, id, 2)
		if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 2 {
			t.Fatalf("job = %s %q with %d attempts, want SUCCEEDED on its second attempt", j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
		}
		first := j.Attempts[0]
		if aws.ToString(first.StatusReason) != "Your Spot Task was interrupted." || aws.ToInt32(first.Container.ExitCode) != 143 {
			t.Errorf("interrupted attempt = %q exit %d, want AWS's reason and 143 (the container handled SIGTERM)", aws.ToString(first.StatusReason), aws.ToInt32(first.Container.ExitCode))
		}
		if lines := logLines(t, ts, "/aws/batch/job", aws.ToString(first.Container.LogStreamName)); !slices.Equal(lines, []string{"attempt 1", "got SIGTERM"}) {
			t.Errorf("first attempt logged %q, want it to see SIGTERM", lines)
		}
		if lines := logLines(t, ts, "/aws/batch/job", aws.ToString(j.Attempts[1].Container.LogStreamName)); !slices.Equal(lines, []string{"attempt 2"}) {
			t.Errorf("second attempt logged %q", lines)
		}
	})

	t.Run("errors", func(t *testing.T) {
		onDemand := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("ondemand"), JobQueue: aws.String("fargate"), JobDefinition: aws.String("spot")})
		waitLogLine(t, ts, c, onDemand, "attempt 1")
		wantRawClientError(t, interrupt(onDemand), "not FARGATE_SPOT")
		wantRawClientError(t, interrupt("00000000-0000-4000-8000-000000000000"), "does not exist")
		wantRawClientError(t, rawCall(t, ts, http.MethodPost, "/v1/barge/interruptspottask", `{}`), "jobId is required")
		wantRawClientError(t, rawCall(t, ts, http.MethodGet, "/v1/barge/interruptspottask", ""), "POST")
		if _, err := c.TerminateJob(t.Context(), &batch.TerminateJobInput{JobId: aws.String(onDemand), Reason: aws.String("done")}); err != nil {
			t.Fatal(err)
		}
		waitAttempts(t, c, onDemand, 1)
		wantRawClientError(t, interrupt(onDemand), "is FAILED", "STARTING or RUNNING")
	})

	t.Run("tagged probability", func(t *testing.T) {
		// Every attempt on this compute environment is interrupted as soon
		// as it runs, and killed at once.
		in := fargateCEInput("always")
		in.ComputeResources.Type = types.CRTypeFargateSpot
		in.Tags = map[string]string{"barge:spot-interruption-probability": "1", "barge:spot-grace-seconds": "0"}
		if _, err := c.CreateComputeEnvironment(t.Context(), in); err != nil {
			t.Fatal(err)
		}
		waitCEStatus(t, c, "always", types.CEStatusValid)
		createQueue(t, c, "always", "always")
		id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("doomed"), JobQueue: aws.String("always"), JobDefinition: aws.String("spot"),
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"sleep", "300"}}})
		j := waitAttempts(t, c, id, 2)
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Your Spot Task was interrupted." || len(j.Attempts) != 2 {
			t.Fatalf("job = %s %q with %d attempts, want FAILED after 2 interrupted attempts", j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
		}
		for i, a := range j.Attempts {
			if aws.ToString(a.StatusReason) != "Your Spot Task was interrupted." || aws.ToInt32(a.Container.ExitCode) != 137 {
				t.Errorf("attempt %d = %q exit %d, want interrupted and killed", i+1, aws.ToString(a.StatusReason), aws.ToInt32(a.Container.ExitCode))
			}
		}
	})
}
