package main

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge"
)

// TestHostCapacity: on a host of 4 GiB (the process executor's capacity set
// small), an array of 2 GiB children runs two at a time although its
// compute environment's maxvCpus has room for all; the others wait in
// RUNNABLE and say that the host's memory is short, and one starts when
// one ends. A job bigger than the whole host says so, and neither fails
// nor keeps the smaller jobs behind it from starting.
func TestHostCapacity(t *testing.T) {
	t.Parallel()
	ts := startProcessServer(t, func(c *Config) { c.HostCapacity = barge.HostCapacity{VCPU: 100, MemoryMiB: 4096} })
	c := ts.batch()
	ctx := context.Background()
	createFargateCE(t, c, "ce", types.CRTypeFargate, 256)
	waitCEStatus(t, c, "ce", types.CEStatusValid)
	createQueue(t, c, "q", "ce")
	registerSized(t, c, "twogig", "1", "2048")
	registerSized(t, c, "huge", "4", "16384")

	huge := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("huge"), JobQueue: aws.String("q"), JobDefinition: aws.String("huge")})
	arr := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("arr"), JobQueue: aws.String("q"), JobDefinition: aws.String("twogig"),
		ArrayProperties: &types.ArrayProperties{Size: aws.Int32(5)}})
	children := make([]string, 5)
	for i := range children {
		children[i] = arr + ":" + strconv.Itoa(i)
	}
	// statuses returns the children's IDs by status, and checks that no
	// more than fit the host hold it.
	statuses := func() map[types.JobStatus][]string {
		out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: children})
		if err != nil {
			t.Fatal(err)
		}
		by := map[types.JobStatus][]string{}
		for _, j := range out.Jobs {
			by[j.Status] = append(by[j.Status], aws.ToString(j.JobId))
		}
		if n := len(by[types.JobStatusStarting]) + len(by[types.JobStatusRunning]); n > 2 {
			t.Fatalf("%d children of 2 GiB hold a 4 GiB host at once: %v", n, by)
		}
		return by
	}
	var by map[types.JobStatus][]string
	pollUntil(t, func() string { return "two children RUNNING" }, func() bool {
		by = statuses()
		return len(by[types.JobStatusRunning]) == 2
	})
	short := "Waiting for host capacity: the job needs 2 GiB of memory; the host has 0 GiB of 4 GiB free (barge --memory-overcommit 1)."
	for _, id := range by[types.JobStatusRunnable] {
		childReason(t, c, id, short)
	}
	if n := len(by[types.JobStatusRunnable]); n != 3 {
		t.Fatalf("RUNNABLE children = %d, want 3: %v", n, by)
	}
	waitReason(t, c, "q", huge, "Waiting for a bigger host: the job needs 16 GiB of memory, more than this host gives all its jobs (4 GiB, barge --memory-overcommit 1), so it waits here until cancelled; AWS would run it.")

	// One ends: one waiting child takes its place, and no more.
	ended := by[types.JobStatusRunning][0]
	if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(ended), Reason: aws.String("done")}); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, func() string { return "a third child RUNNING after " + ended + " ended" }, func() bool {
		by = statuses()
		return len(by[types.JobStatusRunning]) == 2 && len(by[types.JobStatusRunnable]) == 2
	})
	for _, id := range by[types.JobStatusRunnable] {
		childReason(t, c, id, short)
	}
	if j := describeJob(t, c, huge); j.Status != types.JobStatusRunnable {
		t.Errorf("job bigger than the host = %s, want RUNNABLE", j.Status)
	}
	for _, id := range append([]string{huge, arr}, children...) {
		if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String("done")}); err != nil {
			t.Fatal(err)
		}
	}
}

// childReason polls until array child id is RUNNABLE with statusReason
// want (ListJobs lists children only by their array, so DescribeJobs is
// asked).
func childReason(t *testing.T, c *batch.Client, id, want string) {
	t.Helper()
	var j types.JobDetail
	pollUntil(t, func() string {
		return "child " + id + " = " + string(j.Status) + " " + aws.ToString(j.StatusReason) + ", want RUNNABLE " + want
	}, func() bool {
		j = describeJob(t, c, id)
		return j.Status == types.JobStatusRunnable && aws.ToString(j.StatusReason) == want
	})
}
