package runner_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/runner"
	"github.com/bargehq/barge/internal/store"
)

// fakeExecutor runs no process: each task prints its lines and exits with
// the code its job's command asks for ("exit N", or "exits A B ..." for the
// code of each attempt), or fails to start on "nostart". Stopped, it ends
// with 143 at once when its command has "trap" (it handles SIGTERM), and
// with 137 after the grace period otherwise. It is a fake inside this
// package's unit test; the real executors pass the shared conformance
// suite.
type fakeExecutor struct {
	mu      sync.Mutex
	tasks   map[string]*fakeTask
	removed []string
	started map[string]*barge.TaskSpec // every task started, removed or not
	stops   []fakeStop
	hold    chan struct{} // when set, tasks run until it is closed (or they are stopped)
	down    error         // what Ping answers
	// waitFailures is how many Wait calls fail, as when the engine
	// restarts, before Wait answers again.
	waitFailures int
	// stopFailures is how many Stop calls fail, as while the engine is
	// down, before Stop is delivered.
	stopFailures int
	gate         chan struct{} // when set, Start returns once it is closed
}

type fakeStop struct {
	taskID string
	grace  time.Duration
}

type fakeTask struct {
	spec *barge.TaskSpec
	code int
	once sync.Once
	done chan struct{}
}

// end ends the task with code, unless it has ended.
func (t *fakeTask) end(code int) {
	t.once.Do(func() {
		t.code = code
		close(t.done)
	})
}

func newFake() *fakeExecutor { return &fakeExecutor{tasks: map[string]*fakeTask{}} }

func (f *fakeExecutor) Name() string       { return "fake" }
func (f *fakeExecutor) Limitation() string { return "" }

func (f *fakeExecutor) Ping(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.down
}

func (f *fakeExecutor) Start(ctx context.Context, spec *barge.TaskSpec) error {
	cmd := strings.Join(spec.Command, " ")
	if cmd == "nostart" {
		return barge.TaskFailed(barge.CannotPullContainerError, "pull access denied for nostart")
	}
	if cmd == "noengine" {
		return barge.InfrastructureFailed(barge.ContainerRuntimeError, errors.New("dial unix: connection refused"), "the container engine does not answer")
	}
	if f.gate != nil {
		<-f.gate
	}
	t := &fakeTask{spec: spec, done: make(chan struct{})}
	code := 0
	if rest, ok := strings.CutPrefix(cmd, "exit "); ok {
		code, _ = strconv.Atoi(strings.Fields(rest)[0])
	} else if rest, ok := strings.CutPrefix(cmd, "exits "); ok {
		codes := strings.Fields(rest)
		code, _ = strconv.Atoi(codes[min(spec.Attempt, len(codes))-1])
	}
	f.mu.Lock()
	f.tasks[spec.TaskID] = t
	if f.started == nil {
		f.started = map[string]*barge.TaskSpec{}
	}
	f.started[spec.TaskID] = spec
	hold := f.hold
	f.mu.Unlock()
	go func() {
		if hold != nil {
			select {
			case <-hold:
			case <-t.done:
				return
			}
		}
		t.end(code)
	}()
	return nil
}

func (f *fakeExecutor) task(id string) *fakeTask {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tasks[id]
}

func (f *fakeExecutor) Logs(ctx context.Context, id string, since time.Time, out func(barge.LogLine)) error {
	t := f.task(id)
	if t == nil {
		return barge.Errorf(barge.ENotFound, "no task %s", id)
	}
	out(barge.LogLine{Time: time.Now(), Message: "job " + t.spec.Environment["AWS_BATCH_JOB_ID"] + " attempt " + t.spec.Environment["AWS_BATCH_JOB_ATTEMPT"]})
	<-t.done
	out(barge.LogLine{Time: time.Now(), Stderr: true, Message: "bye"})
	return nil
}

func (f *fakeExecutor) Wait(ctx context.Context, id string) (barge.TaskResult, error) {
	t := f.task(id)
	if t == nil {
		return barge.TaskResult{}, barge.Errorf(barge.ENotFound, "no task %s", id)
	}
	f.mu.Lock()
	fail := f.waitFailures > 0
	if fail {
		f.waitFailures--
	}
	f.mu.Unlock()
	if fail {
		return barge.TaskResult{}, errors.New("docker: task " + id + ": unexpected EOF")
	}
	select {
	case <-t.done:
	case <-ctx.Done():
		return barge.TaskResult{}, ctx.Err()
	}
	code := t.code
	res := barge.TaskResult{ExitCode: &code, StartedAt: time.Now(), StoppedAt: time.Now()}
	if strings.Join(t.spec.Command, " ") == "evicted" {
		// The platform ended it, as Kubernetes evicts a Pod.
		code = 137
		res.Reason = "Evicted: Pod ephemeral local storage usage exceeds the total limit of containers 21Gi."
		res.StoppedReason = res.Reason
	}
	return res, nil
}

func (f *fakeExecutor) Stop(ctx context.Context, id string, grace time.Duration) error {
	t := f.task(id)
	if t == nil {
		return barge.Errorf(barge.ENotFound, "no task %s", id)
	}
	f.mu.Lock()
	if f.stopFailures > 0 {
		f.stopFailures--
		f.mu.Unlock()
		return errors.New("docker: task " + id + ": the container engine does not answer")
	}
	f.stops = append(f.stops, fakeStop{id, grace})
	f.mu.Unlock()
	if slices.Contains(t.spec.Command, "trap") {
		t.end(143)
		return nil
	}
	select {
	case <-t.done:
	case <-time.After(grace):
		t.end(137)
	}
	return nil
}

// stopCalls returns the Stop calls so far.
func (f *fakeExecutor) stopCalls() []fakeStop {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeStop(nil), f.stops...)
}

func (f *fakeExecutor) Remove(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.tasks, id)
	f.removed = append(f.removed, id)
	return nil
}

func (f *fakeExecutor) List(ctx context.Context) ([]barge.TaskInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down != nil {
		return nil, f.down
	}
	var out []barge.TaskInfo
	for id, t := range f.tasks {
		out = append(out, barge.TaskInfo{TaskID: id, JobID: t.spec.JobID, Attempt: t.spec.Attempt})
	}
	return out, nil
}

// memLogs stores lines per group/stream; "/missing" does not exist.
type memLogs struct {
	mu    sync.Mutex
	lines map[string][]string
}

func (m *memLogs) EnsureStream(ctx context.Context, group, stream string, createGroup bool) error {
	if (group == "/missing" || group == "/aws/batch/job") && !createGroup {
		return barge.Errorf(barge.ENotFound, "The specified log group does not exist.")
	}
	return nil
}

func (m *memLogs) Append(ctx context.Context, group, stream string, lines []barge.LogLine) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, l := range lines {
		m.lines[group+" "+stream] = append(m.lines[group+" "+stream], l.Message)
	}
	return nil
}

func (m *memLogs) LastEvents(ctx context.Context, group, stream string) (time.Time, []string, error) {
	return time.Time{}, nil, nil
}

type roles struct{}

func (roles) CheckExecutionRole(ctx context.Context, arn string) (string, error) {
	if strings.HasSuffix(arn, "/missing") {
		return "ResourceInitializationError: role " + arn + " does not exist", nil
	}
	return "", nil
}

type env struct {
	st       *store.Store
	exec     *fakeExecutor
	logs     *memLogs
	released chan string
	woke     chan struct{} // a job went back to RUNNABLE (or one waiting was released)
	r        *runner.Runner
	// ctx is the runner's; cancelling it is barge stopping.
	ctx    context.Context
	cancel context.CancelFunc
}

func newEnv(t *testing.T, st *store.Store, exec *fakeExecutor) *env {
	t.Helper()
	return newEnvWith(t, st, exec, nil)
}

// newEnvWith is newEnv with the runner's configuration changed by edit.
func newEnvWith(t *testing.T, st *store.Store, exec *fakeExecutor, edit func(*runner.Config)) *env {
	t.Helper()
	if st == nil {
		var err error
		st, err = store.Open(context.Background(), filepath.Join(t.TempDir(), "barge.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.CreateJobQueue(context.Background(), &barge.JobQueue{Name: "q", State: barge.StateEnabled, Status: barge.StatusValid}); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{st: st, exec: exec, logs: &memLogs{lines: map[string][]string{}}, released: make(chan string, 100), woke: make(chan struct{}, 100)}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	t.Cleanup(e.cancel)
	jobs := jobstate.New(jobstate.Config{Store: st, Wake: func() {
		select {
		case e.woke <- struct{}{}:
		default:
		}
	}, StopTask: func(ctx context.Context, id string) { e.r.StopJob(ctx, id) }})
	cfg := runner.Config{Store: st, Jobs: jobs, Executor: exec, Logs: e.logs, Roles: roles{},
		Scope:    barge.Scope{Region: "us-east-1", Account: "123456789012"},
		Released: func(ce string, vcpu float64, _ int) { e.released <- ce }}
	if edit != nil {
		edit(&cfg)
	}
	e.r = runner.New(cfg)
	return e
}

// place stores job as STARTING on compute environment "ce" and hands it to
// the runner, as the scheduler does.
func (e *env) place(t *testing.T, j *barge.Job, spec *barge.JobSpec, taskID string) {
	t.Helper()
	if j.ArrayParent == "" {
		j.Spec = spec
	}
	j.Status = barge.JobStarting
	j.Runtime = &barge.ContainerRuntime{ComputeEnvironment: "ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce-x/" + taskID}
	if err := e.st.InsertJobs(context.Background(), []*barge.Job{j}); err != nil {
		t.Fatal(err)
	}
	e.r.Place(e.ctx, []barge.Placement{{Job: j, Spec: spec, ComputeEnvironment: "ce", VCPU: 1}})
}

func (e *env) waitDone(t *testing.T, id string) *barge.Job {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := e.st.GetJobs(context.Background(), []string{id})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].Status.Done() {
			return got[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s did not finish: %+v", id, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func spec(command string, logOpts map[string]string, role string) *barge.JobSpec {
	s := &barge.JobSpec{JobDefinitionName: "def", PlatformCapabilities: []string{barge.PlatformFargate},
		Container: &barge.ContainerProperties{Image: "busybox", Command: strings.Fields(command), ExecutionRoleArn: role,
			ResourceRequirements: []barge.ResourceRequirement{{Type: barge.ResourceVCPU, Value: "1"}, {Type: barge.ResourceMemory, Value: "2048"}}}}
	if logOpts != nil {
		s.Container.LogConfiguration = &barge.LogConfiguration{LogDriver: "awslogs", Options: logOpts}
	}
	return s
}

func TestAttemptOutcomes(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/exec"
	tests := []struct {
		name          string
		spec          *barge.JobSpec
		wantStatus    barge.JobStatus
		wantReason    string // attempt statusReason
		wantContainer string // fragment of container reason
		wantExit      int
		wantStream    string // group + " " + stream prefix, "" = no logs
	}{
		{"exit 0", spec("exit 0", nil, role), barge.JobSucceeded, "Essential container in task exited", "", 0, "/aws/batch/job def/default/"},
		{"exit 3", spec("exit 3", nil, role), barge.JobFailed, "Essential container in task exited", "", 3, "/aws/batch/job def/default/"},
		{"stream prefix and group", spec("exit 0", map[string]string{"awslogs-group": "/mine", "awslogs-stream-prefix": "pre", "awslogs-create-group": "true"}, role), barge.JobSucceeded, "Essential container in task exited", "", 0, "/mine pre/default/"},
		{"missing log group", spec("exit 0", map[string]string{"awslogs-group": "/missing"}, role), barge.JobFailed, "Task failed to start", "ResourceInitializationError", -1, ""},
		{"Batch's group named", spec("exit 0", map[string]string{"awslogs-group": "/aws/batch/job", "awslogs-stream-prefix": "p"}, role), barge.JobSucceeded, "Essential container in task exited", "", 0, "/aws/batch/job p/default/"},
		{"missing role", spec("exit 0", nil, "arn:aws:iam::123456789012:role/missing"), barge.JobFailed, "Task failed to start", "does not exist", -1, ""},
		{"pull fails", spec("nostart", nil, role), barge.JobFailed, "Task failed to start", "CannotPullContainerError", -1, ""},
		{"stopped by the platform", spec("evicted", nil, role), barge.JobFailed, "Evicted: Pod ephemeral local storage usage exceeds the total limit of containers 21Gi.",
			"Evicted: Pod ephemeral", 137, "/aws/batch/job def/default/"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil, newFake())
			id := "job-" + string(rune('a'+i))
			taskID := strings.Repeat(string(rune('a'+i)), 32)
			e.place(t, &barge.Job{ID: id, Name: id, Queue: "q", CreatedAt: 1}, tt.spec, taskID)
			j := e.waitDone(t, id)
			if j.Status != tt.wantStatus || j.StatusReason != tt.wantReason || len(j.Attempts) != 1 {
				t.Fatalf("job = %s %q with %d attempts, want %s %q with 1", j.Status, j.StatusReason, len(j.Attempts), tt.wantStatus, tt.wantReason)
			}
			a := j.Attempts[0]
			if a.StatusReason != tt.wantReason || !strings.Contains(a.Container.Reason, tt.wantContainer) || !strings.HasSuffix(a.Container.TaskArn, taskID) {
				t.Errorf("attempt = %+v, want reason %q, container reason with %q, task %s", a, tt.wantReason, tt.wantContainer, taskID)
			}
			if tt.wantExit >= 0 && (a.Container.ExitCode == nil || *a.Container.ExitCode != tt.wantExit) {
				t.Errorf("exit code = %v, want %d", a.Container.ExitCode, tt.wantExit)
			}
			if ce := <-e.released; ce != "ce" {
				t.Errorf("released %q, want ce", ce)
			}
			if tt.wantStream != "" {
				group, prefix, _ := strings.Cut(tt.wantStream, " ")
				key := group + " " + prefix + taskID
				e.logs.mu.Lock()
				lines := e.logs.lines[key]
				e.logs.mu.Unlock()
				if len(lines) != 2 || lines[0] != "job "+id+" attempt 1" {
					t.Errorf("log lines in %q = %q, want the task's two lines", key, lines)
				}
				if j.Runtime.LogStreamName != prefix+taskID || a.Container.LogStreamName != prefix+taskID {
					t.Errorf("logStreamName = %q / %q, want %s", j.Runtime.LogStreamName, a.Container.LogStreamName, prefix+taskID)
				}
			}
		})
	}
}

func TestArrayParentSettles(t *testing.T) {
	e := newEnv(t, nil, newFake())
	ctx := context.Background()
	parent := &barge.Job{ID: "arr", Name: "arr", Queue: "q", Status: barge.JobPending, CreatedAt: 1, Spec: spec("exit 0", nil, "arn:aws:iam::123456789012:role/exec")}
	parent.Spec.ArraySize = 2
	if err := e.st.InsertJobs(ctx, []*barge.Job{parent}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		e.place(t, &barge.Job{ID: barge.ChildID("arr", i), Name: "arr", Queue: "q", CreatedAt: 1, ArrayParent: "arr", ArrayIndex: i}, parent.Spec, strings.Repeat(string(rune('0'+i)), 32))
	}
	if p := e.waitDone(t, "arr"); p.Status != barge.JobSucceeded {
		t.Errorf("array parent = %s %q, want SUCCEEDED", p.Status, p.StatusReason)
	}
}

// TestRecover restarts the runner over running, ended and vanished tasks.
func TestRecover(t *testing.T) {
	ctx := context.Background()
	exec := newFake()
	exec.hold = make(chan struct{})
	e := newEnv(t, nil, exec)
	s := spec("exit 0", nil, "arn:aws:iam::123456789012:role/exec")
	e.place(t, &barge.Job{ID: "running", Name: "running", Queue: "q", CreatedAt: 1}, s, strings.Repeat("a", 32))
	e.place(t, &barge.Job{ID: "vanished", Name: "vanished", Queue: "q", CreatedAt: 1}, s, strings.Repeat("b", 32))
	// Both reach RUNNING; then "barge dies": a new runner over the same
	// store and engine, and one task vanished with the host.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _ := e.st.GetJobs(ctx, []string{"running", "vanished"})
		if len(got) == 2 && got[0].Status == barge.JobRunning && got[1].Status == barge.JobRunning {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs did not reach RUNNING: %+v", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.cancel()
	exec.mu.Lock()
	delete(exec.tasks, strings.Repeat("b", 32))
	exec.tasks[strings.Repeat("c", 32)] = &fakeTask{spec: &barge.TaskSpec{JobID: "old"}, done: make(chan struct{})}
	exec.mu.Unlock()

	e2 := newEnv(t, e.st, exec)
	if err := e2.r.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if j := e2.waitDone(t, "vanished"); j.Status != barge.JobFailed || !strings.Contains(j.Attempts[0].Container.Reason, "gone") {
		t.Errorf("vanished job = %s %+v, want FAILED saying its container was gone", j.Status, j.Attempts)
	}
	close(exec.hold)
	if j := e2.waitDone(t, "running"); j.Status != barge.JobSucceeded || len(j.Attempts) != 1 {
		t.Errorf("adopted job = %s with %d attempts, want SUCCEEDED with 1", j.Status, len(j.Attempts))
	}
	exec.mu.Lock()
	defer exec.mu.Unlock()
	if _, left := exec.tasks[strings.Repeat("c", 32)]; left {
		t.Errorf("leftover task not removed: %v", exec.removed)
	}
}

// TestTaskTags hands the task the job's tags and its definition's when the
// job propagates tags, and none when it does not.
func TestTaskTags(t *testing.T) {
	exec := newFake()
	e := newEnv(t, nil, exec)
	yes := true
	for i, propagate := range []*bool{&yes, nil} {
		s := spec("exit 0", nil, "arn:aws:iam::123456789012:role/exec")
		s.Tags, s.DefinitionTags, s.PropagateTags = map[string]string{"team": "data"}, map[string]string{"def": "etl", "team": "x"}, propagate
		id, taskID := fmt.Sprintf("tags-%d", i), strings.Repeat(strconv.Itoa(i+1), 32)
		e.place(t, &barge.Job{ID: id, Name: id, Queue: "q", CreatedAt: 1}, s, taskID)
		e.waitDone(t, id)
		var want map[string]string
		if propagate != nil {
			want = map[string]string{"team": "data", "def": "etl"}
		}
		exec.mu.Lock()
		got := exec.started[taskID]
		exec.mu.Unlock()
		if got == nil || !maps.Equal(got.Tags, want) {
			t.Errorf("propagateTags %v: task = %+v, want tags %v", propagate != nil, got, want)
		}
	}
}

// TestInfrastructureFailureUsesNoAttempt: a task that cannot start for a
// failure of the infrastructure (the engine does not answer) sends its job
// back to RUNNABLE, with no attempt used and its capacity released, while
// the task's own failure ends the attempt.
func TestInfrastructureFailureUsesNoAttempt(t *testing.T) {
	e := newEnv(t, nil, newFake())
	e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q"}, spec("noengine", nil, ""), strings.Repeat("a", 32))
	if ce := <-e.released; ce != "ce" {
		t.Fatalf("released %q, want ce", ce)
	}
	var j *barge.Job
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, err := e.st.GetJobs(context.Background(), []string{"j"})
		if err != nil {
			t.Fatal(err)
		}
		if j = got[0]; j.Status != barge.JobStarting || time.Now().After(deadline) {
			break
		}
	}
	if j.Status != barge.JobRunnable || len(j.Attempts) != 0 || j.Runtime != nil {
		t.Errorf("job after an infrastructure failure = %s with %d attempts, runtime %+v; want RUNNABLE with none", j.Status, len(j.Attempts), j.Runtime)
	}
	if want := "ContainerRuntimeError: the container engine does not answer"; !strings.Contains(j.StatusReason, want) {
		t.Errorf("statusReason = %q, want it to say %q", j.StatusReason, want)
	}

	e.place(t, &barge.Job{ID: "k", Name: "k", Queue: "q"}, spec("nostart", nil, ""), strings.Repeat("b", 32))
	k := e.waitDone(t, "k")
	if k.Status != barge.JobFailed || len(k.Attempts) != 1 || k.Attempts[0].Container.Reason != "CannotPullContainerError: pull access denied for nostart" {
		t.Errorf("job after the task's own failure = %s, attempts %+v; want FAILED after one, CannotPullContainerError", k.Status, k.Attempts)
	}
}

// TestWaitFailuresAreRetried: when waiting for a task fails (its engine
// restarts), the runner waits again, with backoff, and records the task's
// real end once the executor answers.
func TestWaitFailuresAreRetried(t *testing.T) {
	f := newFake()
	f.waitFailures = 2
	e := newEnv(t, nil, f)
	e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q"}, spec("exit 3", nil, ""), strings.Repeat("c", 32))
	j := e.waitDone(t, "j")
	if j.Status != barge.JobFailed || len(j.Attempts) != 1 || j.Attempts[0].Container.ExitCode == nil || *j.Attempts[0].Container.ExitCode != 3 {
		t.Errorf("job = %s, attempts %+v; want FAILED after one attempt with exit code 3", j.Status, j.Attempts)
	}
}

// TestStopFailuresAreRetried: a stop the executor could not deliver (its
// engine does not answer) is asked again until it is, and the job ends as
// TerminateJob asked.
func TestStopFailuresAreRetried(t *testing.T) {
	f := newFake()
	f.hold = make(chan struct{})
	defer close(f.hold)
	f.stopFailures = 1 // asked again after stopRetryFirst
	e := newEnv(t, nil, f)
	e.place(t, &barge.Job{ID: "j", Name: "j", Queue: "q"}, spec("trap", nil, ""), strings.Repeat("d", 32))
	e.waitStatus(t, "j", barge.JobRunning)
	j := e.job(t, "j")
	j.StatusReason, j.IsTerminated = "Terminated by the test", true
	if err := e.st.UpdateJob(context.Background(), j, barge.JobRunning); err != nil {
		t.Fatal(err)
	}
	e.r.StopJob(context.Background(), "j")
	j = e.waitDone(t, "j")
	if j.Status != barge.JobFailed || j.StatusReason != "Terminated by the test" || len(j.Attempts) != 1 || *j.Attempts[0].Container.ExitCode != 143 {
		t.Errorf("job = %s %q, attempts %+v; want FAILED with the caller's reason after one attempt, exit 143", j.Status, j.StatusReason, j.Attempts)
	}
	if stops := f.stopCalls(); len(stops) != 1 {
		t.Errorf("stops delivered = %v, want one, after one that failed", stops)
	}
}

// TestRecoverWhileExecutorDown restarts the runner while its executor does
// not answer: Recover succeeds, nothing can be placed, the jobs stay as
// they were, and once the executor answers they are taken over as Recover
// does (adopted, or failed when their task is gone) and leftovers removed.
func TestRecoverWhileExecutorDown(t *testing.T) {
	ctx := context.Background()
	exec := newFake()
	exec.hold = make(chan struct{})
	e := newEnv(t, nil, exec)
	s := spec("exit 0", nil, "arn:aws:iam::123456789012:role/exec")
	e.place(t, &barge.Job{ID: "running", Name: "running", Queue: "q", CreatedAt: 1}, s, strings.Repeat("a", 32))
	e.place(t, &barge.Job{ID: "vanished", Name: "vanished", Queue: "q", CreatedAt: 1}, s, strings.Repeat("b", 32))
	e.waitStatus(t, "running", barge.JobRunning)
	e.waitStatus(t, "vanished", barge.JobRunning)
	e.cancel()
	exec.mu.Lock()
	exec.down = errors.New("the container engine does not answer")
	delete(exec.tasks, strings.Repeat("b", 32))
	exec.tasks[strings.Repeat("c", 32)] = &fakeTask{spec: &barge.TaskSpec{JobID: "old"}, done: make(chan struct{})}
	exec.mu.Unlock()

	e2 := newEnv(t, e.st, exec)
	if err := e2.r.Recover(ctx); err != nil {
		t.Fatalf("Recover with the executor down = %v, want nil", err)
	}
	if why := e2.r.Unavailable(nil); !strings.Contains(why, "does not answer") {
		t.Errorf("Unavailable while the executor is down = %q, want it to say why", why)
	}
	time.Sleep(100 * time.Millisecond)
	for _, id := range []string{"running", "vanished"} {
		if j := e2.job(t, id); j.Status != barge.JobRunning {
			t.Errorf("job %s while its executor is down = %s, want RUNNING until it answers", id, j.Status)
		}
	}
	go e2.r.Watch(e2.ctx)
	exec.mu.Lock()
	exec.down = nil
	exec.mu.Unlock()
	if j := e2.waitDone(t, "vanished"); j.Status != barge.JobFailed || !strings.Contains(j.Attempts[0].Container.Reason, "gone") {
		t.Errorf("vanished job = %s %+v, want FAILED saying its container was gone", j.Status, j.Attempts)
	}
	close(exec.hold)
	if j := e2.waitDone(t, "running"); j.Status != barge.JobSucceeded || len(j.Attempts) != 1 {
		t.Errorf("adopted job = %s with %d attempts, want SUCCEEDED with 1", j.Status, len(j.Attempts))
	}
	exec.mu.Lock()
	defer exec.mu.Unlock()
	if _, left := exec.tasks[strings.Repeat("c", 32)]; left {
		t.Errorf("leftover task not removed: %v", exec.removed)
	}
}
