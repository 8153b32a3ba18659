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

// End-to-end tests of dependsOn: on whole arrays, N_TO_N between arrays,
// SEQUENTIAL arrays, and failures down chains.

func dependsOn(ids ...string) []types.JobDependency {
	deps := make([]types.JobDependency, len(ids))
	for i, id := range ids {
		deps[i] = types.JobDependency{JobId: aws.String(id)}
	}
	return deps
}

// TestDependentFailsDownTheChain: a dependency that fails after its
// dependents were submitted fails them, and theirs, with "Dependent Job
// failed"; an array depending on it fails as a whole, its parent with the
// same reason (it is the parent that has the dependency).
func TestDependentFailsDownTheChain(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)
	a := submit(t, c, jobInput("a"))
	in := jobInput("b")
	in.DependsOn = dependsOn(a)
	b := submit(t, c, in)
	in = jobInput("c")
	in.DependsOn = dependsOn(b)
	cj := submit(t, c, in)
	in = jobInput("array")
	in.DependsOn = dependsOn(cj)
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
	array := submit(t, c, in)
	if j := describeJob(t, c, array); j.Status != types.JobStatusPending || j.ArrayProperties.StatusSummary["PENDING"] != 3 {
		t.Fatalf("array = %s %v, want PENDING with 3 PENDING children", j.Status, j.ArrayProperties.StatusSummary)
	}

	cancelJob(t, c, a, "not needed")
	for _, j := range describeJobs(t, c, b, cj, array, array+":0", array+":2") {
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" || aws.ToBool(j.IsCancelled) || j.StoppedAt == nil {
			t.Errorf("%s = %s %q isCancelled %v, want FAILED \"Dependent Job failed\"", aws.ToString(j.JobName), j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsCancelled))
		}
	}
}

// TestSequentialDependencyOfASingleJob: dependsOn with type SEQUENTIAL and
// a jobId, on a job that is not an array, is an ordinary dependency, as on
// AWS (which documents SEQUENTIAL without a jobId only for arrays): the job
// waits PENDING, and fails when what it waits for fails.
func TestSequentialDependencyOfASingleJob(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)
	a := submit(t, c, jobInput("a"))
	in := jobInput("b")
	in.DependsOn = []types.JobDependency{{JobId: aws.String(a), Type: types.ArrayJobDependencySequential}}
	b := submit(t, c, in)
	j := describeJob(t, c, b)
	if j.Status != types.JobStatusPending || len(j.DependsOn) != 1 || aws.ToString(j.DependsOn[0].JobId) != a || j.DependsOn[0].Type != types.ArrayJobDependencySequential {
		t.Fatalf("job with a SEQUENTIAL dependency = %s dependsOn %+v, want PENDING on %s", j.Status, j.DependsOn, a)
	}
	cancelJob(t, c, a, "not needed")
	if j := describeJob(t, c, b); j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" {
		t.Errorf("after its dependency failed: %s %q, want FAILED \"Dependent Job failed\"", j.Status, aws.ToString(j.StatusReason))
	}
}

// TestDependenciesOnArrays runs jobs that depend on arrays: on the whole
// array, on one child, and N_TO_N, child by child, including on an array
// that has already failed: a child whose partner succeeded still runs.
func TestDependenciesOnArrays(t *testing.T) {
	p := startProcServer(t)
	// Child 1 of "first" fails; the others succeed.
	first := p.job("first", `[ "$AWS_BATCH_JOB_ARRAY_INDEX" != 1 ]`)
	first.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
	a := submit(t, p.c, first)

	whole := p.job("whole", "true")
	whole.DependsOn = dependsOn(a)
	onWhole := submit(t, p.c, whole)
	one := p.job("one", "true")
	one.DependsOn = dependsOn(a + ":2")
	onChild := submit(t, p.c, one)
	nToN := func(name string) *batch.SubmitJobInput {
		in := p.job(name, "echo $AWS_BATCH_JOB_ARRAY_INDEX")
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
		in.DependsOn = []types.JobDependency{{JobId: aws.String(a), Type: types.ArrayJobDependencyNToN}}
		return in
	}
	early := submit(t, p.c, nToN("early"))

	if j := waitJob(t, p.c, a, time.Minute); j.Status != types.JobStatusFailed {
		t.Fatalf("first = %s, want FAILED (child 1 failed)", j.Status)
	}
	late := submit(t, p.c, nToN("late"))

	if j := waitJob(t, p.c, onWhole, time.Minute); j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" {
		t.Errorf("job on the whole array = %s %q, want FAILED \"Dependent Job failed\"", j.Status, aws.ToString(j.StatusReason))
	}
	if j := waitJob(t, p.c, onChild, time.Minute); j.Status != types.JobStatusSucceeded {
		t.Errorf("job on child 2, which succeeded = %s %q, want SUCCEEDED", j.Status, aws.ToString(j.StatusReason))
	}
	for _, array := range []string{early, late} {
		parent := waitJob(t, p.c, array, time.Minute)
		if parent.Status != types.JobStatusFailed || aws.ToString(parent.StatusReason) != "Array Child Job failed" {
			t.Errorf("N_TO_N array = %s %q, want FAILED \"Array Child Job failed\"", parent.Status, aws.ToString(parent.StatusReason))
		}
		for i, want := range []types.JobStatus{types.JobStatusSucceeded, types.JobStatusFailed, types.JobStatusSucceeded} {
			j := describeJob(t, p.c, fmt.Sprintf("%s:%d", array, i))
			if j.Status != want {
				t.Errorf("%s child %d = %s %q, want %s (its partner's outcome)", aws.ToString(parent.JobName), i, j.Status, aws.ToString(j.StatusReason), want)
			}
			if want == types.JobStatusFailed && (aws.ToString(j.StatusReason) != "Dependent Job failed" || len(j.Attempts) != 0) {
				t.Errorf("%s child %d = %q with %d attempts, want \"Dependent Job failed\", never run", aws.ToString(parent.JobName), i, aws.ToString(j.StatusReason), len(j.Attempts))
			}
		}
	}
}

// TestNToNArraysOfOneSize: N_TO_N pairs children by index, so the arrays
// must have one size; from or on a job that is no array, it is a plain
// dependency.
func TestNToNArraysOfOneSize(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)
	in := jobInput("three")
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
	three := submit(t, c, in)
	single := submit(t, c, jobInput("single"))

	in = jobInput("four")
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(4)}
	in.DependsOn = []types.JobDependency{{JobId: aws.String(three), Type: types.ArrayJobDependencyNToN}}
	_, err := c.SubmitJob(context.Background(), in)
	wantClientError(t, err, "both arrays must have one size", "has 3 children and this job 4")

	in.DependsOn = []types.JobDependency{{JobId: aws.String(single), Type: types.ArrayJobDependencyNToN}}
	onSingle := submit(t, c, in)
	for i := range 4 {
		if j := describeJob(t, c, fmt.Sprintf("%s:%d", onSingle, i)); j.Status != types.JobStatusPending {
			t.Errorf("child %d of an array N_TO_N on a single job = %s, want PENDING", i, j.Status)
		}
	}
	in = jobInput("not-an-array")
	in.DependsOn = []types.JobDependency{{JobId: aws.String(three), Type: types.ArrayJobDependencyNToN}}
	if j := describeJob(t, c, submit(t, c, in)); j.Status != types.JobStatusPending {
		t.Errorf("single job N_TO_N on an array = %s, want PENDING", j.Status)
	}
	cancelJob(t, c, single, "gone")
	if j := describeJob(t, c, onSingle); j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" {
		t.Errorf("array N_TO_N on a single job that failed = %s %q, want FAILED \"Dependent Job failed\"", j.Status, aws.ToString(j.StatusReason))
	}
}

// TestSequentialArrayStopsAtAFailure: the children of a SEQUENTIAL array run
// one after another, and a failed child fails the ones after it.
func TestSequentialArrayStopsAtAFailure(t *testing.T) {
	p := startProcServer(t)
	in := p.job("seq", `[ "$AWS_BATCH_JOB_ARRAY_INDEX" != 2 ]`)
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(5)}
	in.DependsOn = []types.JobDependency{{Type: types.ArrayJobDependencySequential}}
	id := submit(t, p.c, in)
	parent := waitJob(t, p.c, id, time.Minute)
	if parent.Status != types.JobStatusFailed || aws.ToString(parent.StatusReason) != "Array Child Job failed" {
		t.Errorf("parent = %s %q, want FAILED \"Array Child Job failed\"", parent.Status, aws.ToString(parent.StatusReason))
	}
	var prevStop int64
	for i, want := range []types.JobStatus{types.JobStatusSucceeded, types.JobStatusSucceeded, types.JobStatusFailed, types.JobStatusFailed, types.JobStatusFailed} {
		j := describeJob(t, p.c, fmt.Sprintf("%s:%d", id, i))
		if j.Status != want {
			t.Errorf("child %d = %s %q, want %s", i, j.Status, aws.ToString(j.StatusReason), want)
		}
		if i > 2 && (aws.ToString(j.StatusReason) != "Dependent Job failed" || len(j.Attempts) != 0) {
			t.Errorf("child %d = %q with %d attempts, want \"Dependent Job failed\", never run", i, aws.ToString(j.StatusReason), len(j.Attempts))
		}
		if i <= 2 {
			if aws.ToInt64(j.StartedAt) < prevStop {
				t.Errorf("child %d started at %d, before child %d stopped at %d", i, aws.ToInt64(j.StartedAt), i-1, prevStop)
			}
			prevStop = aws.ToInt64(j.StoppedAt)
		}
	}
}
