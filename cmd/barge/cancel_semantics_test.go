package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// End-to-end tests of what CancelJob and TerminateJob do to jobs in each
// status, as AWS documents them: "A PENDING job is canceled after all
// dependency jobs are completed"; STARTING and RUNNING jobs "aren't
// canceled" but terminated by TerminateJob; an array parent passes the
// request to its children and "is canceled when all child jobs are
// completed".

func terminateJob(t *testing.T, c *batch.Client, id, reason string) {
	t.Helper()
	if _, err := c.TerminateJob(context.Background(), &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String(reason)}); err != nil {
		t.Fatalf("TerminateJob(%s) = %v", id, err)
	}
}

// wantStopped fails unless j ended FAILED by a request with reason.
func wantStopped(t *testing.T, j types.JobDetail, reason string, terminated bool) {
	t.Helper()
	if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != reason || aws.ToBool(j.IsTerminated) != terminated ||
		aws.ToBool(j.IsCancelled) == terminated || j.StoppedAt == nil {
		t.Errorf("%s = %s %q isCancelled %v isTerminated %v stoppedAt %v, want FAILED %q, terminated %v",
			aws.ToString(j.JobId), j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsCancelled), aws.ToBool(j.IsTerminated), j.StoppedAt, reason, terminated)
	}
}

// TestCancelPendingJob: a PENDING job is cancelled once what it waits for
// has ended, whatever the outcome, and never runs.
func TestCancelPendingJob(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)

	for _, terminate := range []bool{false, true} {
		t.Run(fmt.Sprint("terminate=", terminate), func(t *testing.T) {
			first, second := submit(t, c, jobInput("first")), submit(t, c, jobInput("second"))
			in := jobInput("waiting")
			in.DependsOn = dependsOn(first, second)
			id := submit(t, c, in)
			in.DependsOn = dependsOn(id)
			next := submit(t, c, in)
			if terminate {
				terminateJob(t, c, id, "stop waiting")
			} else {
				cancelJob(t, c, id, "stop waiting")
			}
			j := describeJob(t, c, id)
			if j.Status != types.JobStatusPending || aws.ToString(j.StatusReason) != "stop waiting" ||
				aws.ToBool(j.IsCancelled) == terminate || aws.ToBool(j.IsTerminated) != terminate || j.StoppedAt != nil {
				t.Errorf("PENDING job after the request = %s %q isCancelled %v isTerminated %v, want still PENDING, the request recorded",
					j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsCancelled), aws.ToBool(j.IsTerminated))
			}
			// A second request changes nothing.
			cancelJob(t, c, id, "again")
			if j := describeJob(t, c, id); aws.ToString(j.StatusReason) != "stop waiting" {
				t.Errorf("statusReason after a second cancel = %q, want the first request's", aws.ToString(j.StatusReason))
			}

			cancelJob(t, c, first, "first goes")
			wantStopped(t, describeJob(t, c, id), "stop waiting", terminate)
			if j := describeJob(t, c, next); j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" {
				t.Errorf("job after the cancelled one = %s %q, want FAILED \"Dependent Job failed\"", j.Status, aws.ToString(j.StatusReason))
			}
		})
	}
}

// TestCancelPendingJobRuns: a cancelled PENDING job whose dependency then
// succeeds fails with the cancel's reason instead of running.
func TestCancelPendingJobRuns(t *testing.T) {
	p := startProcServer(t)
	gate := p.gate("go")
	first := submit(t, p.c, p.job("first", waitFor(gate)))
	in := p.job("waiting", "echo ran")
	in.DependsOn = dependsOn(first)
	id := submit(t, p.c, in)
	cancelJob(t, p.c, id, "not after all")
	if j := describeJob(t, p.c, id); j.Status != types.JobStatusPending {
		t.Fatalf("cancelled job while its dependency runs = %s, want PENDING", j.Status)
	}
	p.release(t, gate)
	if j := waitJob(t, p.c, first, time.Minute); j.Status != types.JobStatusSucceeded {
		t.Fatalf("dependency = %s, want SUCCEEDED", j.Status)
	}
	j := waitJob(t, p.c, id, time.Minute)
	wantStopped(t, j, "not after all", false)
	if len(j.Attempts) != 0 || j.StartedAt != nil {
		t.Errorf("cancelled job has %d attempts, startedAt %v; want it never run", len(j.Attempts), j.StartedAt)
	}
}

// TestCancelAndTerminateRunningJob: CancelJob leaves a RUNNING job alone
// (and still succeeds); TerminateJob fails it with the caller's reason, and
// its process is stopped.
func TestCancelAndTerminateRunningJob(t *testing.T) {
	p := startProcServer(t)
	id := submit(t, p.c, p.job("runs", "sleep 600"))
	p.waitStatus(t, id, types.JobStatusRunning)
	cancelJob(t, p.c, id, "cancel")
	if j := describeJob(t, p.c, id); j.Status != types.JobStatusRunning || aws.ToBool(j.IsCancelled) || aws.ToString(j.StatusReason) != "" {
		t.Errorf("RUNNING job after CancelJob = %s %q isCancelled %v, want RUNNING, untouched", j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsCancelled))
	}
	terminateJob(t, p.c, id, "enough")
	// As on AWS, the job shows the request at once and stays RUNNING until
	// its process has stopped; it is FAILED only with its attempt recorded.
	deadline := time.Now().Add(time.Minute)
	for {
		j := describeJob(t, p.c, id)
		if !aws.ToBool(j.IsTerminated) || aws.ToString(j.StatusReason) != "enough" {
			t.Fatalf("terminated job = %s %q isTerminated %v, want the request shown at once", j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsTerminated))
		}
		if j.Status == types.JobStatusFailed {
			wantStopped(t, j, "enough", true)
			if len(j.Attempts) != 1 || aws.ToString(j.Attempts[0].StatusReason) != "enough" {
				t.Fatalf("FAILED terminated job has attempts %+v, want its one attempt, with the caller's reason", j.Attempts)
			}
			break
		}
		if j.Status != types.JobStatusRunning || len(j.Attempts) != 0 {
			t.Fatalf("terminated job = %s with %d attempts while its process stops, want RUNNING with none", j.Status, len(j.Attempts))
		}
		if time.Now().After(deadline) {
			t.Fatalf("terminated job still %s a minute later, want FAILED", j.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCancelArrayWithRunningChildren: cancelling an array fails its
// children that have not started at once; running ones go on, and the
// parent fails with the caller's reason when the last one ends.
func TestCancelArrayWithRunningChildren(t *testing.T) {
	p := startProcServer(t)
	gate := p.gate("go")
	// Two children of 8 vCPUs fill the compute environment's 16; the
	// other two wait in RUNNABLE.
	in := p.job("array", waitFor(gate))
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(4)}
	in.ContainerOverrides.ResourceRequirements = []types.ResourceRequirement{
		{Type: types.ResourceTypeVcpu, Value: aws.String("8")}, {Type: types.ResourceTypeMemory, Value: aws.String("16384")}}
	array := submit(t, p.c, in)
	var running, runnable []string
	deadline := time.Now().Add(time.Minute)
	for len(running) < 2 {
		running, runnable = nil, nil
		for _, j := range describeJobs(t, p.c, array+":0", array+":1", array+":2", array+":3") {
			switch j.Status {
			case types.JobStatusRunning:
				running = append(running, aws.ToString(j.JobId))
			case types.JobStatusRunnable:
				runnable = append(runnable, aws.ToString(j.JobId))
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("children running %v, runnable %v a minute later; want 2 of each", running, runnable)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(runnable) != 2 {
		t.Fatalf("children running %v, runnable %v; want 2 of each", running, runnable)
	}

	cancelJob(t, p.c, array, "cancel the array")
	parent := describeJob(t, p.c, array)
	if parent.Status != types.JobStatusPending || !aws.ToBool(parent.IsCancelled) || aws.ToString(parent.StatusReason) != "cancel the array" {
		t.Errorf("cancelled parent with running children = %s %q isCancelled %v, want PENDING, the request recorded",
			parent.Status, aws.ToString(parent.StatusReason), aws.ToBool(parent.IsCancelled))
	}
	for _, id := range runnable {
		wantStopped(t, describeJob(t, p.c, id), "cancel the array", false)
	}
	for _, id := range running {
		if j := describeJob(t, p.c, id); j.Status != types.JobStatusRunning || aws.ToBool(j.IsCancelled) {
			t.Errorf("running child %s after CancelJob = %s isCancelled %v, want RUNNING, untouched", id, j.Status, aws.ToBool(j.IsCancelled))
		}
	}

	p.release(t, gate)
	for _, id := range running {
		if j := waitJob(t, p.c, id, time.Minute); j.Status != types.JobStatusSucceeded {
			t.Errorf("running child %s = %s, want SUCCEEDED: CancelJob does not stop it", id, j.Status)
		}
	}
	wantStopped(t, waitJob(t, p.c, array, time.Minute), "cancel the array", false)
}

// TestStopArrays: terminating an array stops every child, running ones
// included; cancelling an array that waits for a dependency fails it and
// its children, unrun, once the dependency has ended; a cancelled array
// fails even when every child of it ran and succeeded.
func TestStopArrays(t *testing.T) {
	p := startProcServer(t)
	gate := p.gate("go")
	blocker := submit(t, p.c, p.job("blocker", waitFor(gate)))
	all := p.job("all-run", waitFor(gate))
	all.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(2)}
	allRun := submit(t, p.c, all)
	p.waitStatus(t, allRun+":0", types.JobStatusRunning)
	p.waitStatus(t, allRun+":1", types.JobStatusRunning)
	cancelJob(t, p.c, allRun, "too late")
	seq := p.job("seq", "sleep 600")
	seq.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(4)}
	seq.DependsOn = []types.JobDependency{{Type: types.ArrayJobDependencySequential}}
	sequential := submit(t, p.c, seq)
	p.waitStatus(t, sequential+":0", types.JobStatusRunning)
	onBlocker := p.job("on-blocker", "true")
	onBlocker.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(2)}
	onBlocker.DependsOn = dependsOn(blocker)
	waiting := submit(t, p.c, onBlocker)

	terminateJob(t, p.c, sequential, "terminate the array")
	cancelJob(t, p.c, waiting, "cancel the waiting array")

	// The running child fails once its process has stopped, and the
	// children after it, which wait for it, with it; then the parent.
	for i := range 4 {
		wantStopped(t, waitJob(t, p.c, fmt.Sprintf("%s:%d", sequential, i), time.Minute), "terminate the array", true)
	}
	wantStopped(t, waitJob(t, p.c, sequential, time.Minute), "terminate the array", true)
	for _, id := range []string{waiting, waiting + ":0", waiting + ":1"} {
		if j := describeJob(t, p.c, id); j.Status != types.JobStatusPending || !aws.ToBool(j.IsCancelled) {
			t.Errorf("%s of the cancelled array waiting for a dependency = %s isCancelled %v, want PENDING, cancelled", id, j.Status, aws.ToBool(j.IsCancelled))
		}
	}

	p.release(t, gate)
	if j := waitJob(t, p.c, blocker, time.Minute); j.Status != types.JobStatusSucceeded {
		t.Fatalf("blocker = %s, want SUCCEEDED", j.Status)
	}
	for _, id := range []string{allRun + ":0", allRun + ":1"} {
		if j := waitJob(t, p.c, id, time.Minute); j.Status != types.JobStatusSucceeded {
			t.Errorf("%s = %s, want SUCCEEDED: CancelJob does not stop it", id, j.Status)
		}
	}
	wantStopped(t, waitJob(t, p.c, allRun, time.Minute), "too late", false)
	for _, id := range []string{waiting, waiting + ":0", waiting + ":1"} {
		j := waitJob(t, p.c, id, time.Minute)
		wantStopped(t, j, "cancel the waiting array", false)
		if len(j.Attempts) != 0 {
			t.Errorf("%s ran %d attempts, want none", id, len(j.Attempts))
		}
	}
}

// TestCancelLargeSequentialArray: cancelling a SEQUENTIAL array of 2,000
// children that has not started fails every child at once, each with the
// caller's reason.
func TestCancelLargeSequentialArray(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)
	in := jobInput("seq")
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(2000)}
	in.DependsOn = []types.JobDependency{{Type: types.ArrayJobDependencySequential}}
	id := submit(t, c, in)
	cancelJob(t, c, id, "all of it")
	p := describeJob(t, c, id)
	wantStopped(t, p, "all of it", false)
	if p.ArrayProperties.StatusSummary["FAILED"] != 2000 {
		t.Errorf("statusSummary = %v, want 2000 FAILED", p.ArrayProperties.StatusSummary)
	}
	for _, j := range describeJobs(t, c, id+":0", id+":1", id+":1999") {
		wantStopped(t, j, "all of it", false)
	}
}

// TestBulkStopFollowsTheSameRules: CancelJobs and TerminateJobs stop each
// job as CancelJob and TerminateJob do: an array's children too, and a
// PENDING job once its dependencies end.
func TestBulkStopFollowsTheSameRules(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)
	for _, op := range []struct{ path, flag string }{{"/v1/canceljobs", "isCancelled"}, {"/v1/terminatejobs", "isTerminated"}} {
		t.Run(op.path, func(t *testing.T) {
			in := jobInput("array")
			in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
			array := submit(t, c, in)
			dep := submit(t, c, jobInput("dep"))
			in = jobInput("pending")
			in.DependsOn = dependsOn(dep)
			pending := submit(t, c, in)
			status, _, out := rawBatch(t, ts, op.path, map[string]any{"jobs": []string{array, pending}, "reason": "bulk"})
			if status != 200 || len(out["successful"].([]any)) != 2 {
				t.Fatalf("POST %s = %d %v, want both successful", op.path, status, out)
			}
			terminated := op.flag == "isTerminated"
			for _, id := range []string{array, array + ":0", array + ":2"} {
				wantStopped(t, describeJob(t, c, id), "bulk", terminated)
			}
			if j := describeJob(t, c, pending); j.Status != types.JobStatusPending || aws.ToString(j.StatusReason) != "bulk" {
				t.Errorf("PENDING job = %s %q, want PENDING until its dependency ends", j.Status, aws.ToString(j.StatusReason))
			}
			cancelJob(t, c, dep, "dep")
			wantStopped(t, describeJob(t, c, pending), "bulk", terminated)
		})
	}
}
