package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/scheduler"
)

func TestWaitReasons(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	spot := ce("spot", 4, barge.StateEnabled)
	spot.ComputeResources.Type = barge.CRFargateSpot
	invalid := ce("bad", 4, barge.StateEnabled)
	invalid.Status = barge.StatusInvalid
	for _, c := range []*barge.ComputeEnvironment{ce("small", 2, barge.StateEnabled), ce("off", 8, barge.StateDisabled), spot, invalid} {
		if err := st.CreateComputeEnvironment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	disabled := queue("disabled", 1, "small")
	disabled.State = barge.StateDisabled
	for _, q := range []*barge.JobQueue{queue("q", 1, "small", "off"), queue("offq", 1, "off"), queue("badq", 1, "bad"), queue("spotq", 1, "spot"), disabled} {
		if err := st.CreateJobQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Two 1-vCPU jobs fill small.
	if err := st.InsertJobs(ctx, []*barge.Job{job("j1", "q", "1"), job("j2", "q", "1")}); err != nil {
		t.Fatal(err)
	}
	s := runPass(t, st, &recorder{})

	arm := job("arm", "spotq", "1").Spec
	arm.Container.RuntimePlatform = &barge.RuntimePlatform{CPUArchitecture: "ARM64"}
	tests := []struct {
		name, queue string
		spec        *barge.JobSpec
		want        string
	}{
		{"fits, room", "spotq", job("x", "spotq", "1").Spec, ""},
		{"compute environment full", "q", job("x", "q", "1").Spec,
			"Waiting for capacity: the job needs 1 vCPU; compute environment small has 2 of 2 vCPUs in use."},
		{"bigger than maxvCpus", "q", job("x", "q", "4").Spec,
			"MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) associated with the job queue cannot meet the CPU requirement of the job."},
		{"ARM64 on Fargate Spot", "spotq", arm,
			"MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue."},
		{"compute environments invalid", "badq", job("x", "badq", "1").Spec,
			"ACTION_REQUIRED - CE(s) associated with the job queue are invalid."},
		{"compute environment disabled", "offq", job("x", "offq", "1").Spec,
			"No compute environment of job queue offq can run jobs now: off is DISABLED. Enable one with update-compute-environment --state ENABLED."},
		{"queue disabled", "disabled", job("x", "disabled", "1").Spec,
			"Job queue disabled is DISABLED: its jobs wait until it is enabled (update-job-queue --job-queue disabled --state ENABLED)."},
		{"unknown queue", "nope", job("x", "nope", "1").Spec, ""},
	}
	for _, tt := range tests {
		if got := s.WaitReason(tt.queue, tt.spec); got != tt.want {
			t.Errorf("%s: WaitReason(%s) = %q, want %q", tt.name, tt.queue, got, tt.want)
		}
	}
}

// TestTimeLimitAction: a job at the head of its queue blocked for the
// reason of a CANCEL action is cancelled maxTimeSeconds after it was first
// seen there, and its dependents fail; jobs behind it are not touched.
func TestTimeLimitAction(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if err := st.CreateComputeEnvironment(ctx, ce("ce", 2, barge.StateEnabled)); err != nil {
		t.Fatal(err)
	}
	q := queue("q", 1, "ce")
	q.JobStateTimeLimitActions = []barge.JobStateTimeLimitAction{
		{Reason: "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", State: "RUNNABLE", MaxTimeSeconds: 600, Action: "CANCEL"},
		{Reason: "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", State: "RUNNABLE", MaxTimeSeconds: 900, Action: "CANCEL"},
	}
	if err := st.CreateJobQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
	dependent := job("dependent", "q", "1")
	dependent.Status, dependent.WaitsFor = barge.JobPending, []string{"big1"}
	jobs := []*barge.Job{job("big1", "q", "4"), job("big2", "q", "4"), dependent, job("small", "q", "1")}
	if err := st.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	start := clk.Now()
	seq := startSequencer(t, st, clk.Now)
	if p := seq.next(); p.Job.ID != "small" {
		t.Fatalf("placed %s, want small, behind the big jobs", p.Job.ID)
	}
	status := func(id string) *barge.Job {
		got, err := st.GetJobs(ctx, []string{id})
		if err != nil || len(got) != 1 {
			t.Fatalf("GetJobs(%s) = %v, %v", id, got, err)
		}
		return got[0]
	}
	// Advance a minute at a time until big1 is cancelled.
	deadline := time.Now().Add(10 * time.Second)
	for status("big1").Status == barge.JobRunnable {
		if time.Now().After(deadline) {
			t.Fatalf("big1 still RUNNABLE at %v, 15 minutes after it blocked the queue", clk.Now().Sub(start))
		}
		clk.advance(time.Minute)
		seq.s.Kick()
		time.Sleep(20 * time.Millisecond) // a few look-ups at the heads, 10 ms apart
	}
	big1 := status("big1")
	want := "Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
	if big1.Status != barge.JobFailed || big1.StatusReason != want || !big1.IsCancelled {
		t.Errorf("big1 = %s %q cancelled %v, want FAILED %q, cancelled", big1.Status, big1.StatusReason, big1.IsCancelled, want)
	}
	if waited := time.UnixMilli(big1.StoppedAt).Sub(start); waited < 15*time.Minute {
		t.Errorf("big1 cancelled %v after it blocked the queue, want at least maxTimeSeconds (15m)", waited)
	}
	// The cancel is carried on to the dependents right after it is stored.
	for d := status("dependent"); d.Status != barge.JobFailed || d.StatusReason != barge.ReasonDependentFailed; d = status("dependent") {
		if time.Now().After(deadline) {
			t.Fatalf("dependent = %s %q, want FAILED %q", d.Status, d.StatusReason, barge.ReasonDependentFailed)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// big2, now at the head, starts its own 15 minutes.
	if b := status("big2"); b.Status != barge.JobRunnable {
		t.Errorf("big2 = %s right after big1's cancel, want RUNNABLE (its clock starts now)", b.Status)
	}
	cancelled := clk.Now()
	for status("big2").Status == barge.JobRunnable && time.Now().Before(deadline) {
		clk.advance(time.Minute)
		seq.s.Kick()
		time.Sleep(20 * time.Millisecond)
	}
	if b := status("big2"); b.Status != barge.JobFailed || time.UnixMilli(b.StoppedAt).Sub(cancelled) < 15*time.Minute {
		t.Errorf("big2 = %s, stopped %v after big1; want FAILED at least 15m later", b.Status, time.UnixMilli(b.StoppedAt).Sub(cancelled))
	}
	if got := status("small"); got.Status != barge.JobStarting {
		t.Errorf("small = %s, want STARTING (placed, untouched)", got.Status)
	}
}

// TestUnavailableExecutor: nothing is placed on a compute environment whose
// executor cannot start tasks; a queue with another compute environment
// uses that one, and the jobs of a queue with none wait, saying why.
func TestUnavailableExecutor(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	for _, c := range []*barge.ComputeEnvironment{ce("down", 4, barge.StateEnabled), ce("up", 4, barge.StateEnabled)} {
		if err := st.CreateComputeEnvironment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []*barge.JobQueue{queue("both", 2, "down", "up"), queue("downq", 1, "down")} {
		if err := st.CreateJobQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.InsertJobs(ctx, []*barge.Job{job("j1", "both", "1"), job("j2", "downq", "1")}); err != nil {
		t.Fatal(err)
	}
	why := "the container engine at unix:///x.sock does not answer"
	rec := &recorder{}
	s := runPassWith(t, st, rec, func(c *scheduler.Config) {
		c.Unavailable = func(ce *barge.ComputeEnvironment) string {
			if ce.Name == "down" {
				return why
			}
			return ""
		}
	})
	if got, want := rec.ids(), []string{"j1@up"}; !equal(got, want) {
		t.Errorf("placed %v, want %v", got, want)
	}
	for _, p := range rec.placed {
		if p.CE == nil || p.CE.Name != p.ComputeEnvironment {
			t.Errorf("placement of %s on %s carries compute environment %+v, want it", p.Job.ID, p.ComputeEnvironment, p.CE)
		}
	}
	want := "Waiting for an executor that answers: compute environment down: " + why + "."
	if got := s.WaitReason("downq", job("x", "downq", "1").Spec); got != want {
		t.Errorf("WaitReason(downq) = %q, want %q", got, want)
	}
}

// TestConnectingExecutor: while barge connects to the executor of a
// compute environment for the first time, the jobs it could take wait for
// it rather than go to the compute environment after it in their queue's
// order; a job too big for its maxvCpus goes on; once it is connected, it
// takes its jobs first.
func TestConnectingExecutor(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	for _, c := range []*barge.ComputeEnvironment{ce("cluster", 2, barge.StateEnabled), ce("next", 16, barge.StateEnabled)} {
		if err := st.CreateComputeEnvironment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateJobQueue(ctx, queue("q", 1, "cluster", "next")); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertJobs(ctx, []*barge.Job{job("small", "q", "1"), job("big", "q", "4")}); err != nil {
		t.Fatal(err)
	}
	why := "barge cannot run tasks on its Kubernetes cluster: connecting to the default cluster"
	rec := &recorder{}
	s := runPassWith(t, st, rec, func(c *scheduler.Config) {
		c.Unavailable = func(ce *barge.ComputeEnvironment) string {
			if ce.Name == "cluster" {
				return why
			}
			return ""
		}
		c.Connecting = func(ce *barge.ComputeEnvironment) bool { return ce.Name == "cluster" }
	})
	if got, want := rec.ids(), []string{"big@next"}; !equal(got, want) {
		t.Errorf("while the first compute environment connects, placed %v, want %v", got, want)
	}
	want := "Waiting for an executor that answers: compute environment cluster: " + why + "."
	if got := s.WaitReason("q", job("x", "q", "1").Spec); got != want {
		t.Errorf("WaitReason(q) = %q, want %q", got, want)
	}

	// Connected: the small job goes to the first compute environment.
	rec = &recorder{}
	runPass(t, st, rec)
	if got, want := rec.ids(), []string{"small@cluster"}; !equal(got, want) {
		t.Errorf("once connected, placed %v, want %v", got, want)
	}
}
