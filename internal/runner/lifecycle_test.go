package runner_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/runner"
)

const execRole = "arn:aws:iam::123456789012:role/exec"

// waitStatus polls until job id is in status.
func (e *env) waitStatus(t *testing.T, id string, status barge.JobStatus) *barge.Job {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		j := e.job(t, id)
		if j.Status == status {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s = %s %q, want %s", id, j.Status, j.StatusReason, status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) job(t *testing.T, id string) *barge.Job {
	t.Helper()
	got, err := e.st.GetJobs(context.Background(), []string{id})
	if err != nil || len(got) != 1 {
		t.Fatalf("GetJobs(%s) = %v, %v", id, got, err)
	}
	return got[0]
}

// placeAgain places a RUNNABLE job's next attempt, as the scheduler does.
func (e *env) placeAgain(t *testing.T, id string, spec *barge.JobSpec, taskID string) {
	t.Helper()
	j := e.job(t, id)
	j.Status, j.StatusReason = barge.JobStarting, ""
	j.Runtime = &barge.ContainerRuntime{ComputeEnvironment: "ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce-x/" + taskID}
	if err := e.st.UpdateJob(context.Background(), j, barge.JobRunnable); err != nil {
		t.Fatal(err)
	}
	e.r.Place(e.ctx, []barge.Placement{{Job: j, Spec: spec, ComputeEnvironment: "ce", VCPU: 1}})
}

// createCE stores compute environment "ce" of type crType with tags.
func (e *env) createCE(t *testing.T, crType barge.CRType, tags map[string]string) {
	t.Helper()
	max := 16
	ce := &barge.ComputeEnvironment{Name: "ce", Type: barge.CEManaged, State: barge.StateEnabled, Status: barge.StatusValid,
		ComputeResources: &barge.ComputeResource{Type: crType, MaxvCpus: &max}, Tags: tags}
	if err := e.st.CreateComputeEnvironment(context.Background(), ce); err != nil {
		t.Fatal(err)
	}
}

func retrying(s *barge.JobSpec, attempts int, rules ...barge.EvaluateOnExit) *barge.JobSpec {
	s.RetryStrategy = &barge.RetryStrategy{Attempts: &attempts, EvaluateOnExit: rules}
	return s
}

func withTimeout(s *barge.JobSpec, seconds int) *barge.JobSpec {
	s.Timeout = &barge.JobTimeout{AttemptDurationSeconds: &seconds}
	return s
}

func task(c byte) string { return strings.Repeat(string(c), 32) }

// TestRetries takes a job through failed attempts: each goes back to
// RUNNABLE with the attempt recorded and its capacity released, until an
// attempt succeeds, an EXIT rule matches or the attempts are used up.
func TestRetries(t *testing.T) {
	rules := []barge.EvaluateOnExit{{OnExitCode: "3", Action: "RETRY"}, {OnExitCode: "4", Action: "EXIT"}}
	tests := []struct {
		name       string
		command    string
		attempts   int
		wantStatus barge.JobStatus
		wantCodes  []int
	}{
		{"retried until it succeeds", "exits 3 3 0", 3, barge.JobSucceeded, []int{3, 3, 0}},
		{"EXIT rule", "exits 3 4 0", 3, barge.JobFailed, []int{3, 4}},
		{"no rule matches: retried", "exits 5 0", 3, barge.JobSucceeded, []int{5, 0}},
		{"attempts used up", "exits 3 3 3", 2, barge.JobFailed, []int{3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil, newFake())
			s := retrying(spec(tt.command, nil, execRole), tt.attempts, rules...)
			e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q", CreatedAt: 1}, s, task('a'))
			for i := 1; i < len(tt.wantCodes); i++ {
				j := e.waitStatus(t, "j", barge.JobRunnable)
				if len(j.Attempts) != i || j.StatusReason != "Essential container in task exited" || j.StoppedAt != 0 {
					t.Fatalf("between attempts: %d attempts, %q, stoppedAt %d; want %d attempts, the attempt's reason, no stoppedAt", len(j.Attempts), j.StatusReason, j.StoppedAt, i)
				}
				if ce := <-e.released; ce != "ce" {
					t.Errorf("released %q, want ce", ce)
				}
				<-e.woke
				e.placeAgain(t, "j", s, task(byte('a'+i)))
			}
			j := e.waitDone(t, "j")
			if j.Status != tt.wantStatus || len(j.Attempts) != len(tt.wantCodes) {
				t.Fatalf("job = %s with %d attempts, want %s with %d", j.Status, len(j.Attempts), tt.wantStatus, len(tt.wantCodes))
			}
			for i, a := range j.Attempts {
				stream := "def/default/" + task(byte('a'+i))
				if *a.Container.ExitCode != tt.wantCodes[i] || !strings.HasSuffix(a.Container.TaskArn, task(byte('a'+i))) ||
					a.Container.LogStreamName != stream || a.StatusReason != "Essential container in task exited" || a.StartedAt == 0 || a.StoppedAt < a.StartedAt {
					t.Errorf("attempt %d = %+v, want exit %d in task %s, stream %s", i+1, a, tt.wantCodes[i], task(byte('a'+i)), stream)
				}
				e.logs.mu.Lock()
				lines := e.logs.lines["/aws/batch/job "+stream]
				e.logs.mu.Unlock()
				if want := "job j attempt " + string(rune('1'+i)); len(lines) == 0 || lines[0] != want {
					t.Errorf("attempt %d logged %q, want %q first", i+1, lines, want)
				}
			}
		})
	}
}

// TestTimeout: an attempt is stopped attemptDurationSeconds after its
// startedAt (SIGTERM, then SIGKILL after 30 s), fails with AWS's reason and
// is not retried, however many attempts its retry strategy allows.
func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		exec := newFake()
		exec.hold = make(chan struct{})
		e := newEnv(t, nil, exec)
		s := withTimeout(retrying(spec("sleep", nil, execRole), 3), 60)
		e.place(t, &barge.Job{ID: "slow", Name: "slow", Queue: "q", CreatedAt: 1}, s, task('a'))
		synctest.Wait()
		j := e.job(t, "slow")
		if j.Status != barge.JobRunning {
			t.Fatalf("job = %s, want RUNNING", j.Status)
		}
		started := time.Now()

		time.Sleep(60*time.Second - time.Millisecond)
		synctest.Wait()
		if stops := exec.stopCalls(); len(stops) != 0 {
			t.Fatalf("stopped %v before the timeout", stops)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if stops := exec.stopCalls(); len(stops) != 1 || stops[0].grace != 30*time.Second {
			t.Fatalf("stops at the timeout = %v, want one with 30 s of grace", stops)
		}
		if j := e.job(t, "slow"); j.Status != barge.JobRunning {
			t.Errorf("during the grace period the job is %s, want RUNNING", j.Status)
		}

		time.Sleep(30 * time.Second)
		synctest.Wait()
		j = e.job(t, "slow")
		if j.Status != barge.JobFailed || j.StatusReason != "Job attempt duration exceeded timeout" || len(j.Attempts) != 1 {
			t.Fatalf("job = %s %q with %d attempts, want FAILED, Job attempt duration exceeded timeout, 1 attempt", j.Status, j.StatusReason, len(j.Attempts))
		}
		a := j.Attempts[0]
		if a.StatusReason != "Job attempt duration exceeded timeout" || *a.Container.ExitCode != 137 ||
			a.StartedAt != started.UnixMilli() || a.StoppedAt != started.Add(90*time.Second).UnixMilli() {
			t.Errorf("attempt = %+v, want the timeout's reason, exit 137 (SIGKILL), 90 s long", a)
		}
	})
}

// TestTimeoutScaled: Config.Second shortens the seconds of timeouts and of
// the grace period alike.
func TestTimeoutScaled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		exec := newFake()
		exec.hold = make(chan struct{})
		e := newEnvWith(t, nil, exec, func(c *runner.Config) { c.Second = time.Millisecond })
		e.place(t, &barge.Job{ID: "slow", Name: "slow", Queue: "q", CreatedAt: 1}, withTimeout(spec("sleep", nil, execRole), 60), task('a'))
		synctest.Wait()
		time.Sleep(61 * time.Millisecond)
		synctest.Wait()
		if stops := exec.stopCalls(); len(stops) != 1 || stops[0].grace != 30*time.Millisecond {
			t.Fatalf("stops = %v, want one after 60 ms, with 30 ms of grace", stops)
		}
		time.Sleep(30 * time.Millisecond)
		synctest.Wait()
		if j := e.job(t, "slow"); j.Status != barge.JobFailed || *j.Attempts[0].Container.ExitCode != 137 {
			t.Errorf("job = %s %+v, want FAILED, killed after the grace", j.Status, j.Attempts)
		}
	})
}

// TestTimeoutAfterRestart: the timeout counts from the attempt's startedAt,
// so an attempt adopted after a restart keeps only what was left of it.
func TestTimeoutAfterRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		exec := newFake()
		exec.hold = make(chan struct{})
		e := newEnv(t, nil, exec)
		s := withTimeout(spec("sleep", nil, execRole), 100)
		e.place(t, &barge.Job{ID: "slow", Name: "slow", Queue: "q", CreatedAt: 1}, s, task('a'))
		synctest.Wait()
		time.Sleep(70 * time.Second)

		// barge stops (its runner stops following the task) and a new
		// runner takes over the same store and engine.
		e.cancel()
		synctest.Wait()
		e2 := newEnv(t, e.st, exec)
		if err := e2.r.Recover(e2.ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(30*time.Second - time.Millisecond)
		synctest.Wait()
		if stops := exec.stopCalls(); len(stops) != 0 {
			t.Fatalf("stopped %v before the timeout", stops)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if stops := exec.stopCalls(); len(stops) != 1 {
			t.Fatalf("stops = %v, want one 100 s after it started", stops)
		}
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if j := e.job(t, "slow"); j.Status != barge.JobFailed || j.StatusReason != "Job attempt duration exceeded timeout" {
			t.Errorf("job = %s %q, want FAILED by its timeout", j.Status, j.StatusReason)
		}
	})
}

// TestTerminateRunning: TerminateJob fails the job (as the Batch API does)
// and stops its task; the attempt is recorded with the caller's reason and
// the job is not retried.
func TestTerminateRunning(t *testing.T) {
	for _, early := range []bool{false, true} {
		name := "running"
		if early {
			name = "before its task starts"
		}
		t.Run(name, func(t *testing.T) {
			exec := newFake()
			exec.hold = make(chan struct{})
			defer close(exec.hold)
			if early {
				exec.gate = make(chan struct{})
			}
			e := newEnv(t, nil, exec)
			s := retrying(spec("trap", nil, execRole), 3)
			e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q", CreatedAt: 1}, s, task('a'))
			from := barge.JobStarting
			if !early {
				e.waitStatus(t, "j", barge.JobRunning)
				from = barge.JobRunning
			}
			j := e.job(t, "j")
			// As TerminateJob does: the request is recorded, the status
			// kept until the task has stopped.
			j.StatusReason, j.IsTerminated = "Terminated by the test", true
			if err := e.st.UpdateJob(context.Background(), j, from); err != nil {
				t.Fatal(err)
			}
			e.r.StopJob(context.Background(), "j")
			if early {
				close(exec.gate) // the task starts only now, and is stopped then
			}
			deadline := time.Now().Add(5 * time.Second)
			for len(e.job(t, "j").Attempts) == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the attempt was not recorded")
				}
				time.Sleep(5 * time.Millisecond)
			}
			j = e.job(t, "j")
			if j.Status != barge.JobFailed || j.StatusReason != "Terminated by the test" || len(j.Attempts) != 1 || j.StoppedAt == 0 {
				t.Fatalf("job = %s %q with %d attempts, want FAILED with the caller's reason, 1 attempt", j.Status, j.StatusReason, len(j.Attempts))
			}
			if a := j.Attempts[0]; a.StatusReason != "Terminated by the test" || *a.Container.ExitCode != 143 {
				t.Errorf("attempt = %+v, want the caller's reason and exit 143", a)
			}
			if stops := exec.stopCalls(); len(stops) != 1 || stops[0].grace != 30*time.Second {
				t.Errorf("stops = %v, want one with ECS's 30 s", stops)
			}
		})
	}
}

// TestSpotInterruption interrupts a task on a FARGATE_SPOT compute
// environment: SIGTERM with the tagged grace, the attempt fails with AWS's
// reason and is retried by an onStatusReason rule.
func TestSpotInterruption(t *testing.T) {
	ctx := context.Background()
	exec := newFake()
	exec.hold = make(chan struct{})
	defer close(exec.hold)
	e := newEnv(t, nil, exec)
	e.createCE(t, barge.CRFargateSpot, map[string]string{runner.TagSpotGrace: "5"})
	s := retrying(spec("trap", nil, execRole), 2,
		barge.EvaluateOnExit{OnStatusReason: "Your Spot Task was interrupted*", Action: "RETRY"},
		barge.EvaluateOnExit{OnReason: "*", Action: "EXIT"})
	if err := e.r.InterruptSpot(ctx, "j"); barge.ErrorCodeOf(err) != barge.EConflict {
		t.Errorf("InterruptSpot(unknown job) = %v, want a conflict", err)
	}
	e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q", CreatedAt: 1}, s, task('a'))
	e.waitStatus(t, "j", barge.JobRunning)
	if err := e.r.InterruptSpot(ctx, "j"); err != nil {
		t.Fatalf("InterruptSpot = %v", err)
	}
	j := e.waitStatus(t, "j", barge.JobRunnable)
	if len(j.Attempts) != 1 || j.Attempts[0].StatusReason != "Your Spot Task was interrupted." || *j.Attempts[0].Container.ExitCode != 143 {
		t.Errorf("attempts = %+v, want one interrupted, exit 143", j.Attempts)
	}
	if stops := exec.stopCalls(); len(stops) != 1 || stops[0].grace != 5*time.Second {
		t.Errorf("stops = %v, want one with the tagged 5 s of grace", stops)
	}
}

// TestSpotInterruptionOnDemand: only Fargate Spot tasks are interrupted.
func TestSpotInterruptionOnDemand(t *testing.T) {
	exec := newFake()
	exec.hold = make(chan struct{})
	defer close(exec.hold)
	e := newEnv(t, nil, exec)
	e.createCE(t, barge.CRFargate, map[string]string{runner.TagSpotProbability: "1"})
	e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q", CreatedAt: 1}, spec("trap", nil, execRole), task('a'))
	e.waitStatus(t, "j", barge.JobRunning)
	if err := e.r.InterruptSpot(context.Background(), "j"); barge.ErrorCodeOf(err) != barge.EInvalid || !strings.Contains(err.Error(), "not FARGATE_SPOT") {
		t.Errorf("InterruptSpot(FARGATE job) = %v, want EInvalid saying the compute environment is not FARGATE_SPOT", err)
	}
	if stops := exec.stopCalls(); len(stops) != 0 {
		t.Errorf("stops = %v: a FARGATE task was interrupted", stops)
	}
}

// TestSpotInterruptionModel: the tags' random interruptions, with a
// deterministic random source.
func TestSpotInterruptionModel(t *testing.T) {
	tests := []struct {
		name      string
		tags      map[string]string
		rand      []float64
		wantAfter time.Duration // 0: never
	}{
		{"off by default", nil, []float64{0}, 0},
		{"picked, within the window", map[string]string{runner.TagSpotProbability: "0.5", runner.TagSpotWindow: "10"}, []float64{0.4, 0.25}, 2500 * time.Millisecond},
		{"not picked", map[string]string{runner.TagSpotProbability: "0.5", runner.TagSpotWindow: "10"}, []float64{0.5, 0.25}, 0},
		{"picked, no window: at once", map[string]string{runner.TagSpotProbability: "1"}, []float64{0.9, 0.9}, time.Nanosecond},
		// 1 - e^-1 gives an exponential draw of one mean: an hour at one
		// per hour.
		{"rate", map[string]string{runner.TagSpotRate: "1"}, []float64{0.6321205588285577}, time.Hour},
		{"bad value ignored", map[string]string{runner.TagSpotProbability: "often"}, []float64{0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				exec := newFake()
				exec.hold = make(chan struct{})
				draws := tt.rand
				e := newEnvWith(t, nil, exec, func(c *runner.Config) {
					c.Rand = func() float64 {
						v := draws[0]
						draws = draws[1:]
						return v
					}
				})
				e.createCE(t, barge.CRFargateSpot, tt.tags)
				e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q", CreatedAt: 1}, spec("trap", nil, execRole), task('a'))
				synctest.Wait()
				if tt.wantAfter > time.Nanosecond {
					time.Sleep(tt.wantAfter - time.Millisecond)
					synctest.Wait()
					if stops := exec.stopCalls(); len(stops) != 0 {
						t.Fatalf("interrupted before %s", tt.wantAfter)
					}
				}
				time.Sleep(time.Millisecond)
				synctest.Wait()
				stops := exec.stopCalls()
				if tt.wantAfter == 0 {
					if len(stops) != 0 {
						t.Errorf("stops = %v, want none", stops)
					}
					close(exec.hold)
					synctest.Wait()
					return
				}
				if len(stops) != 1 || stops[0].grace != 120*time.Second {
					t.Fatalf("stops = %v, want one with the default 120 s of grace", stops)
				}
				synctest.Wait()
				if j := e.job(t, "j"); j.Status != barge.JobFailed || j.StatusReason != "Your Spot Task was interrupted." {
					t.Errorf("job = %s %q, want FAILED by the interruption", j.Status, j.StatusReason)
				}
			})
		})
	}
}

// TestTerminateBeforeRestart: a TerminateJob recorded on a running job
// whose task barge had not stopped when it went down is carried out when the
// next runner adopts the task: the task is stopped and the job fails with
// the caller's reason, not retried.
func TestTerminateBeforeRestart(t *testing.T) {
	exec := newFake()
	exec.hold = make(chan struct{})
	defer close(exec.hold)
	e := newEnv(t, nil, exec)
	e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q", CreatedAt: 1}, retrying(spec("trap", nil, execRole), 3), task('t'))
	e.waitStatus(t, "j", barge.JobRunning)
	e.cancel() // barge goes down with the task running

	j := e.job(t, "j")
	j.StatusReason, j.IsTerminated = "Terminated before the restart", true
	if err := e.st.UpdateJob(context.Background(), j, barge.JobRunning); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, e.st, exec)
	if err := e2.r.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	j = e2.waitStatus(t, "j", barge.JobFailed)
	if j.StatusReason != "Terminated before the restart" || len(j.Attempts) != 1 || j.Attempts[0].StatusReason != j.StatusReason {
		t.Errorf("job = %s %q with attempts %+v, want FAILED with the caller's reason and one attempt", j.Status, j.StatusReason, j.Attempts)
	}
	if len(exec.stopCalls()) != 1 {
		t.Errorf("Stop calls = %+v, want the adopted task stopped once", exec.stopCalls())
	}
}
