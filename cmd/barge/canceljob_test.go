package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// End-to-end tests of dependencies and of stopping jobs: CancelJob,
// TerminateJob and their bulk forms.

func TestJobDependencies(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)

	a := submit(t, c, jobInput("a"))
	depIn := func(name string, deps ...string) *batch.SubmitJobInput {
		in := jobInput(name)
		for _, d := range deps {
			in.DependsOn = append(in.DependsOn, types.JobDependency{JobId: aws.String(d)})
		}
		return in
	}

	b := describeJob(t, c, submit(t, c, depIn("b", a)))
	if b.Status != types.JobStatusPending || aws.ToString(b.StatusReason) != "" {
		t.Errorf("job depending on a RUNNABLE job = %s %q, want PENDING", b.Status, aws.ToString(b.StatusReason))
	}
	if len(b.DependsOn) != 1 || aws.ToString(b.DependsOn[0].JobId) != a {
		t.Errorf("dependsOn = %+v, want [%s]", b.DependsOn, a)
	}

	arrayIn := jobInput("array")
	arrayIn.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
	array := submit(t, c, arrayIn)
	onChild := describeJob(t, c, submit(t, c, depIn("on-child", array+":1")))
	if onChild.Status != types.JobStatusPending {
		t.Errorf("job depending on an array child = %s, want PENDING", onChild.Status)
	}
	nToN := jobInput("n-to-n")
	nToN.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
	nToN.DependsOn = []types.JobDependency{{JobId: aws.String(array), Type: types.ArrayJobDependencyNToN}}
	n := describeJob(t, c, submit(t, c, nToN))
	if n.Status != types.JobStatusPending || n.ArrayProperties.StatusSummary["PENDING"] != 3 {
		t.Errorf("N_TO_N array = %s %v, want PENDING with 3 PENDING children", n.Status, n.ArrayProperties.StatusSummary)
	}

	cancelJob(t, c, a, "no longer needed")
	other := submit(t, c, jobInput("other"))
	for _, deps := range [][]string{{a}, {other, a}} {
		before := time.Now().UnixMilli()
		j := describeJob(t, c, submit(t, c, depIn("on-failed", deps...)))
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Dependent Job failed" {
			t.Errorf("job depending on %v (one FAILED) = %s %q, want FAILED \"Dependent Job failed\"", deps, j.Status, aws.ToString(j.StatusReason))
		}
		if aws.ToInt64(j.StoppedAt) < before || aws.ToBool(j.IsCancelled) {
			t.Errorf("stoppedAt, isCancelled = %d, %v, want stoppedAt set and not cancelled", aws.ToInt64(j.StoppedAt), aws.ToBool(j.IsCancelled))
		}
	}

	failedArrayIn := depIn("array-on-failed", a)
	failedArrayIn.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(4)}
	fa := describeJob(t, c, submit(t, c, failedArrayIn))
	if fa.Status != types.JobStatusFailed || aws.ToString(fa.StatusReason) != "Dependent Job failed" || fa.ArrayProperties.StatusSummary["FAILED"] != 4 {
		t.Errorf("array depending on a FAILED job = %s %q %v, want FAILED with 4 FAILED children", fa.Status, aws.ToString(fa.StatusReason), fa.ArrayProperties.StatusSummary)
	}
}

func TestCancelAndTerminateJob(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	seed(t, c)

	t.Run("cancel a RUNNABLE job", func(t *testing.T) {
		id := submit(t, c, jobInput("doomed"))
		before := time.Now().UnixMilli()
		cancelJob(t, c, id, "Cancelled by the test")
		j := describeJob(t, c, id)
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Cancelled by the test" || !aws.ToBool(j.IsCancelled) || aws.ToBool(j.IsTerminated) {
			t.Errorf("cancelled job = %s %q isCancelled %v isTerminated %v, want FAILED with the reason, cancelled", j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsCancelled), aws.ToBool(j.IsTerminated))
		}
		if ms := aws.ToInt64(j.StoppedAt); ms < before || ms > time.Now().UnixMilli() {
			t.Errorf("stoppedAt = %d, want the time of the cancel", ms)
		}
		if j.StartedAt != nil {
			t.Errorf("startedAt = %d, want none: the job never ran", aws.ToInt64(j.StartedAt))
		}

		// A finished job is left as it is, and the call still succeeds.
		cancelJob(t, c, id, "again")
		if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String("terminate too")}); err != nil {
			t.Errorf("TerminateJob(finished) = %v, want success", err)
		}
		again := describeJob(t, c, id)
		if aws.ToString(again.StatusReason) != "Cancelled by the test" || aws.ToBool(again.IsTerminated) || aws.ToInt64(again.StoppedAt) != aws.ToInt64(j.StoppedAt) {
			t.Errorf("after cancelling again: reason %q isTerminated %v stoppedAt %d, want unchanged", aws.ToString(again.StatusReason), aws.ToBool(again.IsTerminated), aws.ToInt64(again.StoppedAt))
		}
	})

	t.Run("terminate a RUNNABLE job", func(t *testing.T) {
		id := submit(t, c, jobInput("terminated"))
		if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String("Terminated by the test")}); err != nil {
			t.Fatalf("TerminateJob = %v", err)
		}
		j := describeJob(t, c, id)
		if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "Terminated by the test" || !aws.ToBool(j.IsTerminated) || aws.ToBool(j.IsCancelled) || j.StoppedAt == nil {
			t.Errorf("terminated job = %s %q isTerminated %v isCancelled %v stoppedAt %v, want FAILED with the reason, terminated",
				j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsTerminated), aws.ToBool(j.IsCancelled), j.StoppedAt)
		}
	})

	// A PENDING job waits for its dependencies to end: see
	// TestCancelPendingJob.

	t.Run("errors", func(t *testing.T) {
		id := submit(t, c, jobInput("kept"))
		tests := []struct {
			name, id, reason string
			want             []string
		}{
			{"no reason", id, "", []string{"reason is required"}},
			{"reason of 1025 characters", id, strings.Repeat("r", 1025), []string{"reason is 1025 characters long", "limit is 1024"}},
			{"no job ID", "", "r", []string{"jobId is required"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := c.CancelJob(ctx, &batch.CancelJobInput{JobId: aws.String(tt.id), Reason: aws.String(tt.reason)})
				wantClientError(t, err, tt.want...)
				_, err = c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(tt.id), Reason: aws.String(tt.reason)})
				wantClientError(t, err, tt.want...)
			})
		}
		// AWS Batch answers 200 with {} for a job ID it does not know.
		for _, unknown := range []string{"00000000-0000-4000-8000-000000000000", id + ":0"} {
			if _, err := c.CancelJob(ctx, &batch.CancelJobInput{JobId: aws.String(unknown), Reason: aws.String("r")}); err != nil {
				t.Errorf("CancelJob(unknown %s) = %v, want success", unknown, err)
			}
			if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(unknown), Reason: aws.String("r")}); err != nil {
				t.Errorf("TerminateJob(unknown %s) = %v, want success", unknown, err)
			}
		}
		if j := describeJob(t, c, id); j.Status != types.JobStatusRunnable {
			t.Errorf("job after rejected cancels = %s, want RUNNABLE", j.Status)
		}
		cancelJob(t, c, id, strings.Repeat("r", 1024))
		if j := describeJob(t, c, id); len(aws.ToString(j.StatusReason)) != 1024 {
			t.Errorf("statusReason is %d characters, want the 1024 given", len(aws.ToString(j.StatusReason)))
		}
	})

	t.Run("cancel an array", func(t *testing.T) {
		in := jobInput("array")
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(50)}
		id := submit(t, c, in)
		cancelJob(t, c, id, "whole array")
		p := describeJob(t, c, id)
		if p.Status != types.JobStatusFailed || aws.ToString(p.StatusReason) != "whole array" || !aws.ToBool(p.IsCancelled) || p.StoppedAt == nil {
			t.Errorf("parent = %s %q isCancelled %v stoppedAt %v, want FAILED with the reason", p.Status, aws.ToString(p.StatusReason), aws.ToBool(p.IsCancelled), p.StoppedAt)
		}
		if got := p.ArrayProperties.StatusSummary; got["FAILED"] != 50 || got["RUNNABLE"] != 0 {
			t.Errorf("statusSummary = %v, want 50 FAILED", got)
		}
		children := make([]string, 50)
		for i := range children {
			children[i] = fmt.Sprintf("%s:%d", id, i)
		}
		for _, j := range describeJobs(t, c, children...) {
			if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "whole array" || !aws.ToBool(j.IsCancelled) {
				t.Errorf("child %s = %s %q isCancelled %v, want FAILED with the parent's reason", aws.ToString(j.JobId), j.Status, aws.ToString(j.StatusReason), aws.ToBool(j.IsCancelled))
			}
		}
		if got := listJobIDs(t, c, &batch.ListJobsInput{ArrayJobId: aws.String(id), JobStatus: types.JobStatusFailed}); len(got) != 50 {
			t.Errorf("ListJobs(arrayJobId, FAILED) = %d children, want 50", len(got))
		}
	})

	t.Run("terminate an array", func(t *testing.T) {
		in := jobInput("array")
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(4)}
		id := submit(t, c, in)
		if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(id), Reason: aws.String("stop all")}); err != nil {
			t.Fatal(err)
		}
		for _, j := range describeJobs(t, c, id, id+":0", id+":3") {
			if j.Status != types.JobStatusFailed || !aws.ToBool(j.IsTerminated) || aws.ToString(j.StatusReason) != "stop all" {
				t.Errorf("%s = %s isTerminated %v %q, want FAILED, terminated", aws.ToString(j.JobId), j.Status, aws.ToBool(j.IsTerminated), aws.ToString(j.StatusReason))
			}
		}
	})

	t.Run("cancel one child", func(t *testing.T) {
		in := jobInput("array")
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(50)}
		id := submit(t, c, in)
		cancelJob(t, c, id+":7", "just this one")
		if j := describeJob(t, c, id+":7"); j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "just this one" || !aws.ToBool(j.IsCancelled) {
			t.Errorf("cancelled child = %s %q, want FAILED with the reason", j.Status, aws.ToString(j.StatusReason))
		}
		p := describeJob(t, c, id)
		if p.Status != types.JobStatusPending || p.ArrayProperties.StatusSummary["RUNNABLE"] != 49 || p.ArrayProperties.StatusSummary["FAILED"] != 1 {
			t.Errorf("parent = %s %v, want PENDING with 49 RUNNABLE and 1 FAILED", p.Status, p.ArrayProperties.StatusSummary)
		}
		if got := listJobIDs(t, c, &batch.ListJobsInput{ArrayJobId: aws.String(id), JobStatus: types.JobStatusRunnable}); len(got) != 49 || slices.Contains(got, id+":7") {
			t.Errorf("RUNNABLE children = %d, want the other 49", len(got))
		}
	})
}

// TestArrayChildFailures cancels every child of an array one by one: the
// parent fails with AWS's reason once the last one is done.
func TestArrayChildFailures(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)
	in := jobInput("array")
	in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(3)}
	id := submit(t, c, in)
	for i := range 3 {
		if p := describeJob(t, c, id); p.Status != types.JobStatusPending {
			t.Fatalf("parent with %d of 3 children cancelled = %s, want PENDING", i, p.Status)
		}
		cancelJob(t, c, fmt.Sprintf("%s:%d", id, i), fmt.Sprint("child ", i))
	}
	p := describeJob(t, c, id)
	if p.Status != types.JobStatusFailed || aws.ToString(p.StatusReason) != "Array Child Job failed" || aws.ToBool(p.IsCancelled) || p.StoppedAt == nil {
		t.Errorf("parent = %s %q isCancelled %v stoppedAt %v, want FAILED \"Array Child Job failed\", not itself cancelled",
			p.Status, aws.ToString(p.StatusReason), aws.ToBool(p.IsCancelled), p.StoppedAt)
	}
	if p.ArrayProperties.StatusSummary["FAILED"] != 3 || p.ArrayProperties.StatusSummaryLastUpdatedAt == nil {
		t.Errorf("arrayProperties = %v updated %v, want 3 FAILED and a time", p.ArrayProperties.StatusSummary, p.ArrayProperties.StatusSummaryLastUpdatedAt)
	}
}

// TestCancelJobsBulk calls CancelJobs and TerminateJobs, which SDK v1.65
// lacks, as signed requests.
func TestCancelJobsBulk(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	seed(t, c)

	for _, op := range []struct{ path, flag string }{{"/v1/canceljobs", "isCancelled"}, {"/v1/terminatejobs", "isTerminated"}} {
		t.Run(op.path, func(t *testing.T) {
			a, b := submit(t, c, jobInput("a")), submit(t, c, jobInput("b"))
			kept := submit(t, c, jobInput("kept"))
			unknown := "00000000-0000-4000-8000-000000000000"
			status, _, out := rawBatch(t, ts, op.path, map[string]any{"jobs": []string{a, unknown, b}, "reason": "bulk stop"})
			if status != http.StatusOK {
				t.Fatalf("POST %s = %d %v", op.path, status, out)
			}
			if got := fmt.Sprint(out["successful"]); got != fmt.Sprint([]any{a, unknown, b}) {
				t.Errorf("successful = %s, want every job, the unknown one included", got)
			}
			if errs, ok := out["errors"].([]any); !ok || len(errs) != 0 {
				t.Errorf("errors = %#v, want []", out["errors"])
			}
			for _, j := range describeJobs(t, c, a, b) {
				detail := map[string]bool{"isCancelled": aws.ToBool(j.IsCancelled), "isTerminated": aws.ToBool(j.IsTerminated)}
				if j.Status != types.JobStatusFailed || aws.ToString(j.StatusReason) != "bulk stop" || !detail[op.flag] {
					t.Errorf("%s = %s %q %v, want FAILED, %s", aws.ToString(j.JobId), j.Status, aws.ToString(j.StatusReason), detail, op.flag)
				}
			}
			if j := describeJob(t, c, kept); j.Status != types.JobStatusRunnable {
				t.Errorf("job not listed = %s, want RUNNABLE", j.Status)
			}

			many := make([]string, 51)
			for i := range many {
				many[i] = kept
			}
			errorCases := []struct {
				name string
				body map[string]any
				want string
			}{
				{"51 jobs", map[string]any{"jobs": many, "reason": "r"}, "jobs must list 1 to 50 job IDs; got 51"},
				{"no jobs", map[string]any{"jobs": []string{}, "reason": "r"}, "jobs must list 1 to 50 job IDs; got 0"},
				{"no reason", map[string]any{"jobs": []string{kept}}, "reason is required"},
				{"long reason", map[string]any{"jobs": []string{kept}, "reason": strings.Repeat("r", 1025)}, "limit is 1024"},
			}
			for _, tt := range errorCases {
				t.Run(tt.name, func(t *testing.T) {
					status, errType, out := rawBatch(t, ts, op.path, tt.body)
					if status != http.StatusBadRequest || errType != "ClientException" || !strings.Contains(fmt.Sprint(out["message"]), tt.want) {
						t.Errorf("POST %s = %d %s %v, want 400 ClientException mentioning %q", op.path, status, errType, out, tt.want)
					}
				})
			}
			if j := describeJob(t, c, kept); j.Status != types.JobStatusRunnable {
				t.Errorf("job after rejected calls = %s, want RUNNABLE", j.Status)
			}
			status, _, out = rawBatch(t, ts, op.path, map[string]any{"jobs": many[:50], "reason": "fifty"})
			if status != http.StatusOK || len(out["successful"].([]any)) != 50 {
				t.Errorf("POST %s with 50 IDs = %d %v, want 50 successful", op.path, status, out)
			}
		})
	}
	// The single forms agree with AWS, and with the bulk forms: an unknown
	// job ID is 200 with {}.
	for _, path := range []string{"/v1/canceljob", "/v1/terminatejob"} {
		status, errType, out := rawBatch(t, ts, path, map[string]any{"jobId": "00000000-0000-4000-8000-000000000000", "reason": "r"})
		if status != http.StatusOK || errType != "" || len(out) != 0 {
			t.Errorf("POST %s(unknown job) = %d %s %v, want 200 {}", path, status, errType, out)
		}
	}
}
