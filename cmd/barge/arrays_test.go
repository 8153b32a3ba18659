package main

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// End-to-end tests of array jobs that run, with the process executor: what
// each child sees, and how the parent follows its children.

// TestArrayChildrenRun: each child runs with its index and the array's size
// in its environment, and the parent succeeds once every child has.
func TestArrayChildrenRun(t *testing.T) {
	p := startProcServer(t)
	in := p.job("array", `echo "$AWS_BATCH_JOB_ARRAY_INDEX of $AWS_BATCH_JOB_ARRAY_SIZE as $AWS_BATCH_JOB_ID"`)
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(5)}
	id := submit(t, p.c, in)
	parent := waitJob(t, p.c, id, time.Minute)
	if parent.Status != types.JobStatusSucceeded || aws.ToString(parent.StatusReason) != "" || parent.StoppedAt == nil {
		t.Errorf("parent = %s %q stoppedAt %v, want SUCCEEDED", parent.Status, aws.ToString(parent.StatusReason), parent.StoppedAt)
	}
	want := map[string]int32{"SUBMITTED": 0, "PENDING": 0, "RUNNABLE": 0, "STARTING": 0, "RUNNING": 0, "SUCCEEDED": 5, "FAILED": 0}
	if fmt.Sprint(parent.ArrayProperties.StatusSummary) != fmt.Sprint(want) {
		t.Errorf("statusSummary = %v, want %v", parent.ArrayProperties.StatusSummary, want)
	}
	for i := range 5 {
		child := fmt.Sprintf("%s:%d", id, i)
		if got, want := p.output(t, child), []string{fmt.Sprintf("%d of 5 as %s", i, child)}; !slices.Equal(got, want) {
			t.Errorf("child %d wrote %q, want %q", i, got, want)
		}
	}
	if got := listJobIDs(t, p.c, &batch.ListJobsInput{ArrayJobId: aws.String(id), JobStatus: types.JobStatusSucceeded, MaxResults: aws.Int32(2)}); len(got) != 5 {
		t.Errorf("ListJobs(arrayJobId, SUCCEEDED) in pages of 2 = %v, want the 5 children", got)
	}
}

// TestArrayParentFailsWhenAllChildrenEnd: a failed child fails the parent
// with "Array Child Job failed", but only once every child has ended: the
// parent's end is the array's end, which jobs depending on the array wait
// for, and AWS cancels an array "when all child jobs are completed".
func TestArrayParentFailsWhenAllChildrenEnd(t *testing.T) {
	p := startProcServer(t)
	gate := p.gate("go")
	in := p.job("array", `[ "$AWS_BATCH_JOB_ARRAY_INDEX" = 1 ] && exit 3; `+waitFor(gate))
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
	id := submit(t, p.c, in)
	after := submit(t, p.c, &batch.SubmitJobInput{JobName: aws.String("after"), JobQueue: aws.String("q"), JobDefinition: aws.String("sh"),
		DependsOn: []types.JobDependency{{JobId: aws.String(id)}}})

	failed := waitJob(t, p.c, id+":1", time.Minute)
	if failed.Status != types.JobStatusFailed || aws.ToInt32(failed.Container.ExitCode) != 3 {
		t.Fatalf("child 1 = %s exit %d, want FAILED with exit code 3", failed.Status, aws.ToInt32(failed.Container.ExitCode))
	}
	p.waitStatus(t, id+":0", types.JobStatusRunning)
	p.waitStatus(t, id+":2", types.JobStatusRunning)
	parent := describeJob(t, p.c, id)
	if parent.Status != types.JobStatusPending || parent.ArrayProperties.StatusSummary["FAILED"] != 1 || parent.ArrayProperties.StatusSummary["RUNNING"] != 2 {
		t.Errorf("parent while 2 children run = %s %v, want PENDING with 1 FAILED and 2 RUNNING", parent.Status, parent.ArrayProperties.StatusSummary)
	}
	if j := describeJob(t, p.c, after); j.Status != types.JobStatusPending {
		t.Errorf("job depending on the array while children run = %s, want PENDING", j.Status)
	}

	p.release(t, gate)
	parent = waitJob(t, p.c, id, time.Minute)
	if parent.Status != types.JobStatusFailed || aws.ToString(parent.StatusReason) != "Array Child Job failed" {
		t.Errorf("parent = %s %q, want FAILED \"Array Child Job failed\"", parent.Status, aws.ToString(parent.StatusReason))
	}
	if got := parent.ArrayProperties.StatusSummary; got["SUCCEEDED"] != 2 || got["FAILED"] != 1 {
		t.Errorf("statusSummary = %v, want 2 SUCCEEDED and 1 FAILED", got)
	}
	for _, i := range []int{0, 2} {
		if j := describeJob(t, p.c, fmt.Sprintf("%s:%d", id, i)); j.Status != types.JobStatusSucceeded {
			t.Errorf("child %d = %s, want SUCCEEDED: a sibling's failure does not stop it", i, j.Status)
		}
	}
	if aws.ToInt64(parent.StoppedAt) < aws.ToInt64(describeJob(t, p.c, id+":0").StoppedAt) {
		t.Errorf("parent stopped at %d, before its last child", aws.ToInt64(parent.StoppedAt))
	}
	if j := waitJob(t, p.c, after, time.Minute); j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" {
		t.Errorf("job depending on the array = %s %q, want FAILED \"Dependent Job failed\"", j.Status, aws.ToString(j.StatusReason))
	}
}
