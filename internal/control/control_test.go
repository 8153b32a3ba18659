package control_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/store"
)

// The control plane runs here against the real SQLite store, without HTTP:
// typed inputs in, barge's types out. What the runner and the scheduler do
// to a job is done through the same jobstate.Lifecycle they use.

var scope = barge.Scope{Region: "us-east-1", Account: "123456789012"}

type env struct {
	ctl  *control.Service
	jobs *jobstate.Lifecycle
	st   *store.Store

	mu      sync.Mutex
	now     time.Time
	stopped []string // jobs whose task TerminateJob stopped
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, now: time.UnixMilli(1_700_000_000_000)}
	e.jobs = jobstate.New(jobstate.Config{Store: st, Now: e.clock, StopTask: func(_ context.Context, id string) {
		e.mu.Lock()
		e.stopped = append(e.stopped, id)
		e.mu.Unlock()
	}})
	e.ctl = control.New(control.Config{Store: st, Jobs: e.jobs, Scope: scope, Now: e.clock})
	ctx := context.Background()
	if _, err := e.ctl.CreateComputeEnvironment(ctx, decode[control.CreateComputeEnvironmentInput](t,
		`{"computeEnvironmentName":"ce","type":"MANAGED","computeResources":{"type":"FARGATE","maxvCpus":4,"subnets":["s"],"securityGroupIds":["g"]}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ctl.CreateJobQueue(ctx, decode[control.CreateJobQueueInput](t,
		`{"jobQueueName":"q","priority":1,"computeEnvironmentOrder":[{"order":1,"computeEnvironment":"ce"}]}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ctl.RegisterJobDefinition(ctx, decode[control.RegisterJobDefinitionInput](t,
		`{"jobDefinitionName":"d","type":"container","platformCapabilities":["FARGATE"],"containerProperties":{"image":"busybox","executionRoleArn":"arn:aws:iam::123456789012:role/r","resourceRequirements":[{"type":"VCPU","value":"0.25"},{"type":"MEMORY","value":"512"}]}}`)); err != nil {
		t.Fatal(err)
	}
	return e
}

func decode[T any](t *testing.T, body string) *T {
	t.Helper()
	v := new(T)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatal(err)
	}
	return v
}

func (e *env) submit(t *testing.T, in *control.SubmitJobInput) *barge.Job {
	t.Helper()
	if in.JobQueue == "" {
		in.JobQueue, in.JobDefinition = "q", "d"
	}
	j, err := e.ctl.SubmitJob(context.Background(), in)
	if err != nil {
		t.Fatalf("SubmitJob(%s) = %v", in.JobName, err)
	}
	return j
}

func (e *env) describe(t *testing.T, id string) control.JobDescription {
	t.Helper()
	descs, err := e.ctl.DescribeJobs(context.Background(), &control.DescribeJobsInput{Jobs: []string{id}})
	if err != nil || len(descs) != 1 {
		t.Fatalf("DescribeJobs(%s) = %v, %v; want the job", id, descs, err)
	}
	return descs[0]
}

func (e *env) wantStatus(t *testing.T, id string, want barge.JobStatus) control.JobDescription {
	t.Helper()
	d := e.describe(t, id)
	if d.Job.Status != want {
		t.Fatalf("job %s is %s (%q), want %s", id, d.Job.Status, d.StatusReason, want)
	}
	return d
}

// place moves RUNNABLE job id to STARTING, as the scheduler's commit does,
// and returns it as placed.
func (e *env) place(t *testing.T, id string) *barge.Job {
	t.Helper()
	d := e.wantStatus(t, id, barge.JobRunnable)
	p := barge.Placement{Job: d.Job, Spec: d.Spec, ComputeEnvironment: "ce", VCPU: 0.25}
	conflicts, err := e.jobs.Place(context.Background(), []barge.Placement{p}, func(string) string {
		return "arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce/" + strings.Repeat("a", 31) + string(rune('a'+len(d.Job.Attempts)))
	})
	if err != nil || len(conflicts) > 0 {
		t.Fatalf("Place(%s) = %v, %v", id, conflicts, err)
	}
	return p.Job
}

// run places job id, starts it and ends its attempt with exit code, as the
// runner does.
func (e *env) run(t *testing.T, id string, code int, stop jobstate.Stop) {
	t.Helper()
	j := e.place(t, id)
	ctx := context.Background()
	if err := e.jobs.Running(ctx, j, "d/default/task"); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Second)
	spec := e.describe(t, id).Spec
	end := jobstate.AttemptEnd{ExitCode: &code, StatusReason: "Essential container in task exited", LogStream: "d/default/task", StartedAt: j.StartedAt, Stop: stop}
	if err := e.jobs.AttemptEnded(ctx, j, spec, end); err != nil {
		t.Fatal(err)
	}
}

// TestSubmitJob: a job that waits for nothing is RUNNABLE, described with
// its definition's spec; bad input is refused with AWS's message and
// stores nothing.
func TestSubmitJob(t *testing.T) {
	e := newEnv(t)
	j := e.submit(t, &control.SubmitJobInput{JobName: "hello"})
	d := e.wantStatus(t, j.ID, barge.JobRunnable)
	if d.Job.Name != "hello" || d.Spec.JobDefinitionArn != scope.JobDefinitionARN("d", 1) || d.Spec.Container.Image != "busybox" {
		t.Errorf("described %+v with spec %+v, want hello running d:1's busybox", d.Job, d.Spec)
	}
	e.run(t, j.ID, 0, jobstate.StopNone)
	d = e.wantStatus(t, j.ID, barge.JobSucceeded)
	if len(d.Job.Attempts) != 1 || !d.Costed || d.Cost.Capacity != "FARGATE" {
		t.Errorf("attempts %d, cost %+v (%v); want 1 attempt and a cost on FARGATE", len(d.Job.Attempts), d.Cost, d.Costed)
	}

	ctx := context.Background()
	for _, tt := range []struct {
		in   control.SubmitJobInput
		want string
	}{
		{control.SubmitJobInput{JobQueue: "q", JobDefinition: "d"}, "jobName is required."},
		{control.SubmitJobInput{JobName: "x", JobQueue: "nope", JobDefinition: "d"}, "JobQueue nope not found."},
		{control.SubmitJobInput{JobName: "x", JobQueue: "q", JobDefinition: "d", DependsOn: []barge.JobDependency{{JobID: "ghost"}}},
			"dependsOn names job ghost, which does not exist. A job can depend only on jobs already submitted."},
	} {
		_, err := e.ctl.SubmitJob(ctx, &tt.in)
		if barge.ErrorMessage(err) != tt.want {
			t.Errorf("SubmitJob(%+v) = %v, want %q", tt.in, err, tt.want)
		}
	}
	page, err := e.ctl.ListJobs(ctx, &control.ListJobsInput{JobQueue: "q", JobStatus: barge.JobRunnable})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("RUNNABLE jobs after refused submissions: %d, %v; want none", len(page.Items), err)
	}
}

// TestSubmitArray: an array parent is PENDING while its children run and
// ends when they all have: FAILED with "Array Child Job failed" if one did.
func TestSubmitArray(t *testing.T) {
	e := newEnv(t)
	size := 3
	p := e.submit(t, &control.SubmitJobInput{JobName: "arr", ArrayProperties: &control.ArrayProperties{Size: &size}})
	d := e.wantStatus(t, p.ID, barge.JobPending)
	if d.StatusSummary[barge.JobRunnable] != 3 {
		t.Fatalf("status summary %v, want 3 RUNNABLE children", d.StatusSummary)
	}
	e.run(t, barge.ChildID(p.ID, 0), 0, jobstate.StopNone)
	e.run(t, barge.ChildID(p.ID, 1), 1, jobstate.StopNone)
	e.wantStatus(t, p.ID, barge.JobPending)
	e.run(t, barge.ChildID(p.ID, 2), 0, jobstate.StopNone)
	d = e.wantStatus(t, p.ID, barge.JobFailed)
	if d.StatusReason != barge.ReasonArrayChildFailed || d.StatusSummary[barge.JobSucceeded] != 2 || d.StatusSummary[barge.JobFailed] != 1 {
		t.Errorf("parent %q with summary %v, want %q, 2 SUCCEEDED and 1 FAILED", d.StatusReason, d.StatusSummary, barge.ReasonArrayChildFailed)
	}
}

// TestSubmitNToN: child i of an array that depends N_TO_N on another waits
// for child i of that one only; arrays of different sizes are refused.
func TestSubmitNToN(t *testing.T) {
	e := newEnv(t)
	size := 2
	a := e.submit(t, &control.SubmitJobInput{JobName: "a", ArrayProperties: &control.ArrayProperties{Size: &size}})
	b := e.submit(t, &control.SubmitJobInput{JobName: "b", ArrayProperties: &control.ArrayProperties{Size: &size},
		DependsOn: []barge.JobDependency{{JobID: a.ID, Type: barge.DependencyNToN}}})
	e.wantStatus(t, barge.ChildID(b.ID, 0), barge.JobPending)
	e.run(t, barge.ChildID(a.ID, 0), 0, jobstate.StopNone)
	e.wantStatus(t, barge.ChildID(b.ID, 0), barge.JobRunnable)
	e.wantStatus(t, barge.ChildID(b.ID, 1), barge.JobPending)
	e.run(t, barge.ChildID(a.ID, 1), 2, jobstate.StopNone)
	d := e.wantStatus(t, barge.ChildID(b.ID, 1), barge.JobFailed)
	if d.StatusReason != barge.ReasonDependentFailed {
		t.Errorf("b:1 failed with %q, want %q", d.StatusReason, barge.ReasonDependentFailed)
	}

	three := 3
	_, err := e.ctl.SubmitJob(context.Background(), &control.SubmitJobInput{JobName: "c", JobQueue: "q", JobDefinition: "d",
		ArrayProperties: &control.ArrayProperties{Size: &three}, DependsOn: []barge.JobDependency{{JobID: a.ID, Type: barge.DependencyNToN}}})
	if barge.ErrorCodeOf(err) != barge.EInvalid || !strings.Contains(barge.ErrorMessage(err), "both arrays must have one size") {
		t.Errorf("N_TO_N on an array of another size = %v, want refused", err)
	}
}

// TestCancelPending: a PENDING job is cancelled only once what it waits for
// has ended, as on AWS; until then it carries the request.
func TestCancelPending(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.submit(t, &control.SubmitJobInput{JobName: "a"})
	b := e.submit(t, &control.SubmitJobInput{JobName: "b", DependsOn: []barge.JobDependency{{JobID: a.ID}}})
	e.wantStatus(t, b.ID, barge.JobPending)
	if err := e.ctl.CancelJob(ctx, &control.JobActionInput{JobID: b.ID, Reason: "not needed"}); err != nil {
		t.Fatal(err)
	}
	d := e.wantStatus(t, b.ID, barge.JobPending)
	if !d.Job.IsCancelled || d.StatusReason != "not needed" {
		t.Errorf("cancelled PENDING job: isCancelled %v, %q; want the request recorded", d.Job.IsCancelled, d.StatusReason)
	}
	e.run(t, a.ID, 0, jobstate.StopNone)
	d = e.wantStatus(t, b.ID, barge.JobFailed)
	if d.StatusReason != "not needed" {
		t.Errorf("statusReason %q, want the caller's", d.StatusReason)
	}
	err := e.ctl.CancelJob(ctx, &control.JobActionInput{JobID: "ghost", Reason: "r"})
	if err != nil {
		t.Errorf("CancelJob(ghost) = %v, want success, as on AWS", err)
	}
	res, err := e.ctl.CancelJobs(ctx, &control.BulkJobActionInput{Jobs: []string{"ghost"}, Reason: "r"})
	if err != nil || len(res.Successful) != 1 {
		t.Errorf("CancelJobs(ghost) = %+v, %v; want it counted as successful", res, err)
	}
}

// TestTerminateStarting: TerminateJob on a STARTING job records the request
// and stops its task; the job fails with the caller's reason when the task
// has stopped, whatever its exit, and is not retried.
func TestTerminateStarting(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	attempts := 3
	j := e.submit(t, &control.SubmitJobInput{JobName: "t", RetryStrategy: &barge.RetryStrategy{Attempts: &attempts}})
	placed := e.place(t, j.ID)
	if err := e.ctl.TerminateJob(ctx, &control.JobActionInput{JobID: j.ID, Reason: "stop it"}); err != nil {
		t.Fatal(err)
	}
	d := e.wantStatus(t, j.ID, barge.JobStarting)
	if !d.Job.IsTerminated || len(e.stopped) != 1 || e.stopped[0] != j.ID {
		t.Fatalf("after TerminateJob: isTerminated %v, tasks stopped %v; want the request recorded and %s's task stopped", d.Job.IsTerminated, e.stopped, j.ID)
	}
	code := 0
	if err := e.jobs.AttemptEnded(ctx, placed, d.Spec, jobstate.AttemptEnd{ExitCode: &code, StatusReason: "Essential container in task exited", Stop: jobstate.StopTerminate}); err != nil {
		t.Fatal(err)
	}
	d = e.wantStatus(t, j.ID, barge.JobFailed)
	if d.StatusReason != "stop it" || len(d.Job.Attempts) != 1 {
		t.Errorf("terminated job: %q, %d attempts; want the caller's reason and 1 attempt", d.StatusReason, len(d.Job.Attempts))
	}
}

// TestRetries: a failed attempt sends the job back to RUNNABLE while its
// retry strategy allows, then it fails.
func TestRetries(t *testing.T) {
	e := newEnv(t)
	attempts := 2
	j := e.submit(t, &control.SubmitJobInput{JobName: "r", RetryStrategy: &barge.RetryStrategy{Attempts: &attempts}})
	e.run(t, j.ID, 3, jobstate.StopNone)
	d := e.wantStatus(t, j.ID, barge.JobRunnable)
	if len(d.Job.Attempts) != 1 || d.Job.StoppedAt != 0 {
		t.Errorf("between attempts: %d attempts, stoppedAt %d; want 1 and none", len(d.Job.Attempts), d.Job.StoppedAt)
	}
	e.run(t, j.ID, 3, jobstate.StopNone)
	d = e.wantStatus(t, j.ID, barge.JobFailed)
	if len(d.Job.Attempts) != 2 || d.Job.StoppedAt != e.clock().UnixMilli() {
		t.Errorf("after the last attempt: %d attempts, stoppedAt %d; want 2 and now", len(d.Job.Attempts), d.Job.StoppedAt)
	}
}

// TestTimeouts: an attempt stopped for its timeout fails the job, retry
// strategy or not, as on AWS; a RUNNABLE job a queue's time-limit action
// cancels fails with the action's reason, and one placed meanwhile is left
// alone.
func TestTimeouts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	attempts := 3
	j := e.submit(t, &control.SubmitJobInput{JobName: "slow", RetryStrategy: &barge.RetryStrategy{Attempts: &attempts}})
	e.run(t, j.ID, 137, jobstate.StopTimeout)
	if d := e.wantStatus(t, j.ID, barge.JobFailed); len(d.Job.Attempts) != 1 {
		t.Errorf("timed-out job has %d attempts, want 1", len(d.Job.Attempts))
	}

	blocked := e.submit(t, &control.SubmitJobInput{JobName: "blocked"})
	after := e.submit(t, &control.SubmitJobInput{JobName: "after", DependsOn: []barge.JobDependency{{JobID: blocked.ID}}})
	d := e.wantStatus(t, blocked.ID, barge.JobRunnable)
	e.advance(time.Hour)
	ok, err := e.jobs.CancelBlocked(ctx, d.Job, "Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")
	if err != nil || !ok {
		t.Fatalf("CancelBlocked = %v, %v", ok, err)
	}
	d = e.wantStatus(t, blocked.ID, barge.JobFailed)
	if !d.Job.IsCancelled || d.Job.StoppedAt != e.clock().UnixMilli() {
		t.Errorf("cancelled by its time limit: isCancelled %v, stoppedAt %d; want true, now", d.Job.IsCancelled, d.Job.StoppedAt)
	}
	e.wantStatus(t, after.ID, barge.JobFailed)

	placed := e.submit(t, &control.SubmitJobInput{JobName: "placed"})
	stale := e.wantStatus(t, placed.ID, barge.JobRunnable).Job
	e.place(t, placed.ID)
	if ok, err := e.jobs.CancelBlocked(ctx, stale, "late"); ok || err != nil {
		t.Errorf("CancelBlocked of a job placed meanwhile = %v, %v; want false, nil", ok, err)
	}
	e.wantStatus(t, placed.ID, barge.JobStarting)
}
