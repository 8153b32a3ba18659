// Package runner runs the attempts the scheduler placed: it checks what a
// Fargate task checks before it starts (execution role, log group), starts
// the task on the executor of its compute environment (TagExecutor),
// streams its output into CloudWatch Logs, waits for it, reports how the
// attempt ended and frees its capacity; the job's status (RUNNING, and what
// the attempt's end makes of it: SUCCEEDED, FAILED, or RUNNABLE again for a
// retry) is jobstate's to decide. A task that did not run for a failure of
// the infrastructure (a *barge.TaskError of barge.FaultInfrastructure)
// sends its job back to RUNNABLE without using an attempt. It stops tasks
// whose attemptDurationSeconds passed, whose job TerminateJob failed, or
// that a Fargate Spot interruption (barge's own, off unless asked for)
// takes. While an executor fails (its engine restarts), it follows its
// tasks again with backoff; Watch tells the scheduler which executors
// cannot start tasks. After a restart it finds the tasks it had started,
// adopts those still running, records the outcome of those that ended
// meanwhile, starts again those it was starting, and removes what is left
// over.
package runner

import (
	"context"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobstate"
)

// Store is what the runner needs from the store.
type Store interface {
	GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error)
	ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error)
	ListJobQueues(ctx context.Context, after string, limit int) ([]*barge.JobQueue, error)
	GetComputeEnvironment(ctx context.Context, name string) (*barge.ComputeEnvironment, error)
	ListComputeEnvironments(ctx context.Context, after string, limit int) ([]*barge.ComputeEnvironment, error)
}

// LogSink stores task output in CloudWatch Logs.
type LogSink interface {
	// EnsureStream creates the stream (and, with createGroup, the group);
	// a missing group without createGroup is a barge.ENotFound error.
	EnsureStream(ctx context.Context, group, stream string, createGroup bool) error
	Append(ctx context.Context, group, stream string, lines []barge.LogLine) error
	// LastEvents is the time of the newest event in the stream (zero when it
	// has none) and the messages of the events stored at that millisecond,
	// in order.
	LastEvents(ctx context.Context, group, stream string) (time.Time, []string, error)
}

// RoleChecker says why a task could not use an execution role, or "".
type RoleChecker interface {
	CheckExecutionRole(ctx context.Context, roleArn string) (reason string, err error)
}

// Config configures a Runner.
type Config struct {
	Store Store
	// Jobs changes jobs' statuses: RUNNING, and what an attempt's end
	// makes of its job.
	Jobs *jobstate.Lifecycle
	// Executor runs the tasks of every compute environment but those
	// whose TagExecutor names one of Executors.
	Executor barge.Executor
	// Executors are the others a compute environment's TagExecutor may
	// name (the simulate executor); their names differ.
	Executors []barge.Executor
	// Clusters, when set, run the tasks of compute environments on
	// Kubernetes: those tagged barge:executor=kubernetes, and untagged ones
	// when Executor is one of the clusters' (TagKubeContext,
	// TagKubeNamespace).
	Clusters Clusters
	Logs     LogSink
	Roles    RoleChecker // nil: execution roles are not checked
	Scope    barge.Scope
	Log      *slog.Logger
	Now      func() time.Time
	// Released is called when an attempt stops holding capacity.
	Released func(ce string, vcpu float64, memoryMiB int)
	// CPUOvercommit and MemoryOvercommit multiply the capacity of the
	// hosts of HostSized executors (1 when 0); HostCapacity, when
	// bounded, replaces what such an executor reports (tests).
	CPUOvercommit, MemoryOvercommit float64
	HostCapacity                    barge.HostCapacity
	// ExecutorUp, when set, is called when an executor that could not
	// start tasks can again (see Watch): the scheduler has work.
	ExecutorUp func()
	// StopGrace is how long a task that TerminateJob or a timeout stops has
	// between SIGTERM and SIGKILL (ECS's default stop timeout, 30 seconds,
	// when 0).
	StopGrace time.Duration
	// Second is how long a second lasts in attemptDurationSeconds, the
	// default StopGrace and the Spot interruption tags: time.Second when 0.
	// Tests shorten it so that AWS's 60-second minimum timeout passes
	// quickly; nothing else should set it.
	Second time.Duration
	// Rand returns random numbers in [0, 1) for Spot interruptions; a
	// fresh math/rand/v2 source when nil. Tests make it deterministic.
	Rand func() float64
	// OnTaskStarted, when set, is told how long a placed attempt took to
	// get its task started (preflight checks and Executor.Start, in real
	// time) on compute environment ce. Adopted tasks are not reported.
	OnTaskStarted func(d time.Duration, ce string)
	// OnExecutorError, when set, is told of each failed executor call by
	// its operation: "start", "wait", "stop", "remove", "logs" or "list".
	OnExecutorError func(op string)
	// Unhurried makes the writes of the attempts' goroutines unhurried
	// (barge.Unhurried): on a busy server they share commits, at the cost
	// of a few milliseconds each. Unit tests that step a fake clock leave
	// it off, so that a write is done once every goroutine waits.
	Unhurried bool
	// SweepEvery is how often Watch removes the tasks that belong to no
	// unfinished attempt (sweep.go); DefaultSweepEvery when 0.
	SweepEvery time.Duration
}

// Runner runs placed attempts. It is safe for concurrent use.
type Runner struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	active map[string]*attempt // job ID → its running attempt
	wg     sync.WaitGroup

	ces    ceCache
	health health
}

// Statuses and reasons AWS reports for attempts.
const (
	reasonExited         = "Essential container in task exited"
	reasonFailedToStart  = "Task failed to start"
	reasonTimeout        = "Job attempt duration exceeded timeout"
	reasonSpot           = "Your Spot Task was interrupted."
	defaultLogGroup      = "/aws/batch/job"
	logFlushInterval     = 200 * time.Millisecond
	logFlushLines        = 1000
	retryMin             = 250 * time.Millisecond // the first wait before following a task again after its executor failed
	retryMax             = 10 * time.Second       // the longest
	containerReasonLimit = 255
)

// New returns a runner.
func New(cfg Config) *Runner {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Second == 0 {
		cfg.Second = time.Second
	}
	if cfg.StopGrace == 0 {
		cfg.StopGrace = 30 * cfg.Second
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Released == nil {
		cfg.Released = func(string, float64, int) {}
	}
	if cfg.OnTaskStarted == nil {
		cfg.OnTaskStarted = func(time.Duration, string) {}
	}
	if cfg.OnExecutorError == nil {
		cfg.OnExecutorError = func(string) {}
	}
	r := &Runner{cfg: cfg, log: cfg.Log, active: map[string]*attempt{}}
	return r
}

// Place starts running placed attempts, each on the executor of the
// compute environment it was placed on; it returns at once.
func (r *Runner) Place(ctx context.Context, placements []barge.Placement) {
	ctx = r.unhurried(ctx)
	for _, p := range placements {
		x, err := r.executorFor(p.CE)
		a := r.track(p, x, err)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.run(ctx, p, a, false)
		}()
	}
}

// unhurried returns ctx, unhurried if Config.Unhurried says so: no client
// waits on what an attempt's goroutine writes.
func (r *Runner) unhurried(ctx context.Context) context.Context {
	if r.cfg.Unhurried {
		return barge.Unhurried(ctx)
	}
	return ctx
}

// Wait blocks until every attempt goroutine has returned (after ctx ended).
func (r *Runner) Wait() { r.wg.Wait() }

// track notes that the runner follows p's attempt, whose task runs on
// executor x, or cannot run for refused.
func (r *Runner) track(p barge.Placement, x barge.Executor, refused error) *attempt {
	a := &attempt{jobID: p.Job.ID, taskID: barge.TaskID(p.Job.Runtime.TaskArn), ce: p.ComputeEnvironment, exec: x, refused: refused,
		followed: make(chan struct{})}
	r.mu.Lock()
	r.active[a.jobID] = a
	r.mu.Unlock()
	return a
}

// untrack forgets a, unless the job's next attempt has replaced it.
func (r *Runner) untrack(a *attempt) {
	close(a.followed)
	r.mu.Lock()
	if r.active[a.jobID] == a {
		delete(r.active, a.jobID)
	}
	r.mu.Unlock()
}

// StartingReason returns why the task of STARTING job jobID waits to run,
// as its executor says (barge.PendingReasoner), "" when it does not wait or
// its executor cannot tell.
func (r *Runner) StartingReason(jobID string) string {
	a := r.attemptOf(jobID)
	if a == nil {
		return ""
	}
	if pr, ok := a.exec.(barge.PendingReasoner); ok {
		return pr.PendingReason(a.taskID)
	}
	return ""
}

// StartingReasons returns StartingReason of the STARTING jobs whose tasks
// wait to run, by job ID: of at most limit of them, those first by ID, so
// that the same state gives the same answer.
func (r *Runner) StartingReasons(limit int) map[string]string {
	var pending []*attempt
	r.mu.Lock()
	for _, a := range r.active {
		if _, ok := a.exec.(barge.PendingReasoner); ok {
			pending = append(pending, a)
		}
	}
	r.mu.Unlock()
	out := map[string]string{}
	for _, a := range pending {
		if why := a.exec.(barge.PendingReasoner).PendingReason(a.taskID); why != "" {
			out[a.jobID] = why
		}
	}
	if len(out) > limit {
		for _, id := range slices.Sorted(maps.Keys(out))[limit:] {
			delete(out, id)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (r *Runner) attemptOf(jobID string) *attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.active[jobID]
}

// logTarget is where an attempt's output goes.
type logTarget struct {
	group, stream string
	createGroup   bool
}

// logTargetOf follows the awslogs options as AWS does: group awslogs-group
// (default /aws/batch/job, which Batch creates), stream
// <prefix>/default/<taskId> with awslogs-stream-prefix, else
// <jobDefinitionName>/default/<taskId>.
func logTargetOf(spec *barge.JobSpec, taskID string) logTarget {
	t := logTarget{group: defaultLogGroup, createGroup: true}
	prefix := spec.JobDefinitionName
	if len(prefix) > 200 {
		prefix = prefix[:200]
	}
	if c := spec.Container; c != nil && c.LogConfiguration != nil && c.LogConfiguration.LogDriver == "awslogs" {
		o := c.LogConfiguration.Options
		if g := o["awslogs-group"]; g != "" {
			t.group = g
			// Batch's own group exists in every account that ran a job;
			// any other group must exist unless the job may create it.
			t.createGroup = g == defaultLogGroup || o["awslogs-create-group"] == "true"
		}
		if p := o["awslogs-stream-prefix"]; p != "" {
			prefix = p
		}
	}
	t.stream = prefix + "/default/" + taskID
	return t
}

// run takes one attempt from STARTING (or, adopted after a restart, from
// RUNNING) to its end.
func (r *Runner) run(ctx context.Context, p barge.Placement, a *attempt, adopted bool) {
	placed := time.Now() // real time: start latency is the machine's, whatever the jobs' clock
	j, spec := p.Job, p.Spec
	log := r.log.With("job_id", j.ID, "task_id", a.taskID)
	target := logTargetOf(spec, a.taskID)
	released := false
	release := func() {
		if !released {
			released = true
			r.cfg.Released(p.ComputeEnvironment, p.VCPU, p.MemoryMiB)
		}
	}
	defer release()
	defer r.untrack(a)

	if !adopted {
		if u, ok := a.refused.(unreachable); ok {
			r.waitAgain(ctx, j, spec, u)
			return
		}
		if a.refused != nil {
			r.finish(ctx, j, spec, outcome{res: barge.TaskResult{Reason: a.refused.Error()}, statusReason: reasonFailedToStart})
			return
		}
		if reason, err := r.preflight(ctx, spec, target); err != nil {
			log.Error("task preflight failed", "error", err)
			return // the job stays STARTING; a restart retries it
		} else if reason != "" {
			r.finish(ctx, j, spec, outcome{res: barge.TaskResult{Reason: reason}, statusReason: reasonFailedToStart})
			return
		}
		if _, pods := a.exec.(barge.PodLocator); spec.IsEKS() && !pods {
			err := barge.TaskFailed(barge.CannotStartContainerError, "compute environment %s runs EKS jobs, and its executor %s cannot run a Pod: configure the cluster of its eksClusterArn, or tag it %s=simulate", p.ComputeEnvironment, a.exec.Name(), TagExecutor)
			r.finish(ctx, j, spec, outcome{res: barge.TaskResult{Reason: err.Error()}, statusReason: reasonFailedToStart})
			return
		}
		ts := taskSpec(r.cfg.Scope, j, spec, p.ComputeEnvironment, a.taskID)
		if spec.IsEKS() {
			ts = eksTaskSpec(ts, spec.EksProperties, p.CE)
		}
		if err := a.exec.Start(ctx, ts); err != nil {
			if ctx.Err() != nil {
				return // the job stays STARTING; a restart starts the task again
			}
			r.cfg.OnExecutorError("start")
			r.notStarted(ctx, j, spec, a, err)
			return
		}
		r.cfg.OnTaskStarted(time.Since(placed), p.ComputeEnvironment)
	}
	r.taskStarted(ctx, a)
	if j.Status == barge.JobStarting {
		if err := r.markRunning(ctx, a.exec, j, spec, a.taskID, target.stream); err != nil {
			log.Warn("marking job RUNNING failed", "error", err)
		}
	}
	disarm := r.arm(ctx, a, j, spec, adopted)
	defer disarm()
	if j.IsTerminated {
		// TerminateJob was asked for before barge restarted, or before
		// this attempt's task was known here: stop it now.
		r.requestStop(ctx, a, stopTerminate, r.cfg.StopGrace)
	}

	// A new task's output is read from its start; an adopted one's from
	// the millisecond of the last line stored before the restart, less the
	// lines of that millisecond already stored.
	var (
		since  time.Time
		stored []string
	)
	if adopted {
		var err error
		if since, stored, err = r.cfg.Logs.LastEvents(ctx, target.group, target.stream); err != nil {
			log.Warn("reading the log stream's last events failed; its output is read again from the start", "error", err)
		}
	}
	logsDone, waited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(logsDone)
		r.pumpLogs(ctx, log, a, target, since, stored, waited)
	}()
	res, err := r.waitTask(ctx, log, a)
	close(waited)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return // adopted again after a restart
	case barge.ErrorCodeOf(err) == barge.ENotFound:
		// The task is gone (someone removed its container): its end
		// cannot be known.
		log.Warn("the task of a running job is gone", "error", err)
		res = barge.TaskResult{Reason: reasonGone}
	default: // a *barge.TaskError: the task never ran
		disarm()
		a.end()
		<-logsDone
		r.notStarted(ctx, j, spec, a, err)
		return
	}
	o := outcome{res: res, statusReason: reasonExited, stream: target.stream, startedAt: j.StartedAt, stop: a.end()}
	if res.StoppedReason != "" {
		// The platform ended the task (an eviction, say), not its
		// container; barge's own stops below say why barge did.
		o.statusReason = res.StoppedReason
	}
	disarm()
	<-logsDone
	switch o.stop {
	case stopTimeout:
		o.statusReason = reasonTimeout
	case stopSpot:
		o.statusReason = reasonSpot
	}
	if err := r.finish(ctx, j, spec, o); err != nil {
		// The end was not recorded (this server stopped leading, or the
		// store failed): the task stays, so that whoever runs the jobs
		// next adopts it and records its end, as after a restart.
		return
	}
	r.remove(ctx, a.exec, a.taskID)
}

// preflight checks what Fargate checks before a task starts: that the
// execution role can be assumed and that the log group exists (or may be
// created). A non-empty reason fails the attempt; an error is barge's own.
func (r *Runner) preflight(ctx context.Context, spec *barge.JobSpec, target logTarget) (reason string, err error) {
	if r.cfg.Roles != nil && isFargate(spec) && spec.Container != nil && spec.Container.ExecutionRoleArn != "" {
		if reason, err := r.cfg.Roles.CheckExecutionRole(ctx, spec.Container.ExecutionRoleArn); err != nil || reason != "" {
			return reason, err
		}
	}
	if err := r.cfg.Logs.EnsureStream(ctx, target.group, target.stream, target.createGroup); err != nil {
		if barge.ErrorCodeOf(err) == barge.ENotFound {
			return logGroupMissing(target.group), nil
		}
		return "", err
	}
	return "", nil
}

// logGroupMissing is the container reason of a task whose log group does
// not exist and may not be created: AWS's words, then the fix, within 255
// characters whatever the group's name.
func logGroupMissing(group string) string {
	return barge.FitReason("ResourceInitializationError: failed to validate logger args: The specified log group %s does not exist. Create it (aws logs create-log-group) or set the awslogs-create-group option to \"true\".", group)
}

func isFargate(spec *barge.JobSpec) bool {
	for _, p := range spec.PlatformCapabilities {
		if p == barge.PlatformFargate {
			return true
		}
	}
	return false
}

// taskSpec resolves an attempt to what the executor runs, with the
// environment Batch and ECS give a container.
func taskSpec(scope barge.Scope, j *barge.Job, spec *barge.JobSpec, ce, taskID string) *barge.TaskSpec {
	c := spec.Container
	if c == nil {
		c = &barge.ContainerProperties{}
	}
	env := map[string]string{}
	for _, kv := range c.Environment {
		if kv.Name != nil && kv.Value != nil {
			env[*kv.Name] = *kv.Value
		}
	}
	env["AWS_BATCH_JOB_ID"] = j.ID
	env["AWS_BATCH_JOB_ATTEMPT"] = strconv.Itoa(len(j.Attempts) + 1)
	env["AWS_BATCH_JQ_NAME"] = j.Queue
	env["AWS_BATCH_CE_NAME"] = ce
	if j.ArrayParent != "" {
		env["AWS_BATCH_JOB_ARRAY_INDEX"] = strconv.Itoa(j.ArrayIndex)
		env["AWS_BATCH_JOB_ARRAY_SIZE"] = strconv.Itoa(spec.ArraySize)
	}
	env["AWS_REGION"] = scope.Region
	env["AWS_DEFAULT_REGION"] = scope.Region
	if isFargate(spec) {
		env["AWS_EXECUTION_ENV"] = "AWS_ECS_FARGATE"
	}
	ts := &barge.TaskSpec{
		TaskID:      taskID,
		JobID:       j.ID,
		Attempt:     len(j.Attempts) + 1,
		Image:       c.Image,
		Command:     c.Command,
		Environment: env,
		VCPU:        barge.JobVCPU(spec),
		MemoryMiB:   barge.JobMemoryMiB(spec),
		User:        c.User,
		Tags:        spec.TaskTags(),
	}
	if c.EphemeralStorage != nil {
		ts.StorageGiB = c.EphemeralStorage.SizeInGiB
	}
	if c.ReadonlyRootFilesystem != nil {
		ts.ReadonlyRootFilesystem = *c.ReadonlyRootFilesystem
	}
	return ts
}

// eksTaskSpec completes ts, an EKS job's task, with its Pod: each
// container's environment gets the variables AWS Batch sets (those of ts
// whose names start with AWS_BATCH_), and the Pod gets AWS Batch's labels.
// ts's Image, Command and Environment become the first container's, for
// executors that simulate the Pod; VCPU and MemoryMiB are the Pod's size
// (barge.JobVCPU) already.
func eksTaskSpec(ts *barge.TaskSpec, pod *barge.EksPodProperties, ce *barge.ComputeEnvironment) *barge.TaskSpec {
	var batchEnv []barge.EksEnvVar
	for _, k := range slices.Sorted(maps.Keys(ts.Environment)) {
		if strings.HasPrefix(k, "AWS_BATCH_") {
			batchEnv = append(batchEnv, barge.EksEnvVar{Name: k, Value: ptrTo(ts.Environment[k])})
		}
	}
	p := *pod // shallow: only the container lists change
	withEnv := func(cs []barge.EksContainer) []barge.EksContainer {
		out := slices.Clone(cs)
		for i := range out {
			out[i].Env = append(slices.Clone(out[i].Env), batchEnv...)
		}
		return out
	}
	p.Containers, p.InitContainers = withEnv(pod.Containers), withEnv(pod.InitContainers)
	ts.Pod = &p
	ts.PodLabels = map[string]string{"batch.amazonaws.com/job-id": podLabelValue(ts.JobID)}
	if ce != nil {
		ts.PodLabels["batch.amazonaws.com/compute-environment-uuid"] = ce.UUID
	}
	first := p.Containers[0]
	ts.Image = first.Image
	ts.Command = append(slices.Clone(first.Command), first.Args...)
	ts.Environment = map[string]string{}
	for _, e := range first.Env {
		if e.Value != nil {
			ts.Environment[e.Name] = *e.Value
		}
	}
	ts.User, ts.ReadonlyRootFilesystem, ts.StorageGiB = "", false, 0
	if sc := first.SecurityContext; sc != nil && sc.ReadOnlyRootFilesystem != nil {
		ts.ReadonlyRootFilesystem = *sc.ReadOnlyRootFilesystem
	}
	return ts
}

// podLabelValue is a job ID as a label value: an array child's colon,
// which a label value cannot hold, becomes a period.
func podLabelValue(jobID string) string { return strings.ReplaceAll(jobID, ":", ".") }

func ptrTo[T any](v T) *T { return &v }

// clusterArn returns the eksClusterArn of the compute environment named
// ce, "" when it has none or is gone.
func (r *Runner) clusterArn(ctx context.Context, ce string) string {
	c, err := r.cfg.Store.GetComputeEnvironment(ctx, ce)
	if err != nil || c.EksConfiguration == nil {
		return ""
	}
	return c.EksConfiguration.EksClusterArn
}

// markRunning moves a job from STARTING to RUNNING once its task runs. A
// Fargate job gets its task's network interface, as on AWS, when the
// task's executor knows its address (barge.TaskAddresser); an EC2 job has
// none, as a container in AWS's bridge network mode.
func (r *Runner) markRunning(ctx context.Context, exec barge.Executor, j *barge.Job, spec *barge.JobSpec, taskID, stream string) error {
	if l, ok := exec.(barge.PodLocator); ok && j.Runtime != nil && spec.IsEKS() {
		if pod, err := l.PodOf(ctx, taskID); err != nil {
			r.log.Warn("reading a task's Pod failed", "job_id", j.ID, "task_id", taskID, "error", err)
		} else {
			j.Runtime.Pod = &barge.PodRuntime{Name: pod.Name, Namespace: pod.Namespace, NodeName: pod.NodeName, EksClusterArn: r.clusterArn(ctx, j.Runtime.ComputeEnvironment)}
		}
	}
	if a, ok := exec.(barge.TaskAddresser); ok && j.Runtime != nil && isFargate(spec) {
		if addr, err := a.Address(ctx, taskID); err != nil {
			r.log.Warn("reading a task's address failed", "job_id", j.ID, "task_id", taskID, "error", err)
		} else if addr != "" {
			j.Runtime.NetworkInterfaces = []barge.NetworkInterface{{AttachmentID: attachmentID(taskID), PrivateIpv4Address: addr}}
		}
	}
	return r.cfg.Jobs.Running(ctx, j, stream)
}

// attachmentID is the attachment ID of taskID's network interface: the task
// ID (32 hex digits) in a UUID's form, as ECS's attachment IDs are UUIDs.
// Derived, not drawn, so that it is the same after a restart.
func attachmentID(taskID string) string {
	if len(taskID) != 32 {
		return taskID
	}
	return taskID[:8] + "-" + taskID[8:12] + "-" + taskID[12:16] + "-" + taskID[16:20] + "-" + taskID[20:]
}

// pumpLogs copies the task's output into its log stream in batches, until
// the task ends. When the executor fails (its engine restarts), it follows
// the output again, with backoff, from the last line it kept; after waited
// is closed (the task has ended) it tries a few more times only.
func (r *Runner) pumpLogs(ctx context.Context, log *slog.Logger, a *attempt, target logTarget, since time.Time, stored []string, waited <-chan struct{}) {
	resume := &resumed{since: since, stored: stored}
	var (
		last   time.Time // of the last line kept
		atLast []string  // the messages kept at last's millisecond, in order
	)
	// Lines wait in batch at most logFlushInterval: a timer is armed when
	// the first line of a batch comes, not ticking for the whole life of
	// the task, since thousands of tasks may run at once with no output.
	// Flushes are serialised (flushing), so that batches are stored in
	// their order.
	var (
		mu       sync.Mutex
		batch    []barge.LogLine
		timer    *time.Timer // armed while batch holds lines
		flushing sync.Mutex
	)
	flush := func() {
		flushing.Lock()
		defer flushing.Unlock()
		mu.Lock()
		lines := batch
		batch = nil
		if timer != nil {
			timer.Stop()
			timer = nil
		}
		mu.Unlock()
		if len(lines) == 0 {
			return
		}
		if err := r.cfg.Logs.Append(context.WithoutCancel(ctx), target.group, target.stream, lines); err != nil {
			log.Error("storing task output failed", "error", err, "lines", len(lines))
		}
	}
	keep := func(l barge.LogLine) {
		if l.Message == "" {
			return // CloudWatch Logs holds no empty events; awslogs skips them too
		}
		if !resume.keep(l) {
			return
		}
		if l.Time.UnixMilli() == last.UnixMilli() && !last.IsZero() {
			atLast = append(atLast, l.Message)
		} else {
			last, atLast = l.Time, []string{l.Message}
		}
		mu.Lock()
		batch = append(batch, l)
		full := len(batch) >= logFlushLines
		if !full && timer == nil {
			timer = time.AfterFunc(logFlushInterval, flush)
		}
		mu.Unlock()
		if full {
			flush()
		}
	}
	backoff, afterEnd := retryMin, 0
	for {
		err := a.exec.Logs(ctx, a.taskID, since, keep)
		if err == nil || ctx.Err() != nil {
			break
		}
		r.cfg.OnExecutorError("logs")
		select {
		case <-waited:
			afterEnd++
		default:
		}
		if barge.ErrorCodeOf(err) == barge.ENotFound || afterEnd > 3 {
			log.Warn("reading task output failed", "error", err)
			break
		}
		log.Warn("reading task output failed; following it again", "error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, retryMax)
		if !last.IsZero() {
			since, resume = last, &resumed{since: last, stored: slices.Clone(atLast)}
		}
	}
	flush()
}

// waitTask waits for a's task to end. While its executor fails (its engine
// restarts), it waits again, with backoff: the task's real end is recorded
// once the engine answers. A *barge.TaskError (the task never ran), an
// ENotFound error (the task is gone) and the end of ctx are returned.
func (r *Runner) waitTask(ctx context.Context, log *slog.Logger, a *attempt) (barge.TaskResult, error) {
	backoff := retryMin
	for {
		res, err := a.exec.Wait(ctx, a.taskID)
		if err == nil || ctx.Err() != nil || barge.ErrorCodeOf(err) == barge.ENotFound {
			return res, err
		}
		if _, ok := barge.AsTaskError(err); ok {
			return res, err
		}
		r.cfg.OnExecutorError("wait")
		log.Warn("waiting for the task failed; waiting again", "error", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, retryMax)
	}
}

// resumed passes on the output of a task read again from since, the time of
// the last line stored before a restart, which the engine gives back with
// the lines stored at that millisecond: those are passed over.
type resumed struct {
	since  time.Time // zero: the output is read from its start
	stored []string  // the messages stored at since's millisecond, in order
}

// keep reports whether l is to be stored. The lines of one task come in
// order.
func (r *resumed) keep(l barge.LogLine) bool {
	if r.since.IsZero() {
		return true
	}
	switch ms := l.Time.UnixMilli(); {
	case ms < r.since.UnixMilli():
		return false
	case ms == r.since.UnixMilli() && len(r.stored) > 0 && r.stored[0] == l.Message:
		r.stored = r.stored[1:]
		return false
	default:
		r.stored = nil // the first line not stored yet: the rest is new
		return true
	}
}

// outcome is how an attempt ended.
type outcome struct {
	res          barge.TaskResult
	statusReason string // the attempt's; TerminateJob's reason replaces it
	stream       string
	startedAt    int64 // epoch ms the job went RUNNING in this attempt; 0 if it never did
	stop         stopKind
}

// stops maps why the runner stopped a task to the lifecycle's terms.
var stops = [...]jobstate.Stop{stopNone: jobstate.StopNone, stopTerminate: jobstate.StopTerminate, stopTimeout: jobstate.StopTimeout, stopSpot: jobstate.StopSpot}

// finish records a finished attempt; the lifecycle decides what follows for
// its job: it succeeds, goes back to RUNNABLE for another attempt, or fails.
// It returns the error of a failed recording, which it has logged.
func (r *Runner) finish(ctx context.Context, j *barge.Job, spec *barge.JobSpec, o outcome) error {
	containers := o.res.Containers
	if spec.IsEKS() && containers == nil && len(spec.EksProperties.Containers) == 1 && (o.res.ExitCode != nil || o.res.Reason != "") {
		// The task is the Pod's one container, whatever the executor
		// knows of Pods.
		containers = []barge.PodContainerOutcome{{Name: spec.EksProperties.Containers[0].Name, ExitCode: o.res.ExitCode, Reason: o.res.Reason}}
	}
	for _, cs := range [][]barge.PodContainerOutcome{containers, o.res.InitContainers} {
		for i := range cs {
			cs[i].Reason = truncate(cs[i].Reason)
		}
	}
	err := r.cfg.Jobs.AttemptEnded(ctx, j, spec, jobstate.AttemptEnd{
		ExitCode: o.res.ExitCode, Reason: truncate(o.res.Reason), StatusReason: o.statusReason, LogStream: o.stream,
		StartedAt: o.startedAt, TaskStartedAt: o.res.StartedAt, FailedToStart: o.statusReason == reasonFailedToStart, Stop: stops[o.stop],
		Containers: containers, InitContainers: o.res.InitContainers,
	})
	if err != nil {
		r.log.Error("recording attempt failed", "job_id", j.ID, "error", err)
	}
	return err
}

func truncate(reason string) string {
	if len(reason) <= containerReasonLimit {
		return reason
	}
	return strings.ToValidUTF8(reason[:containerReasonLimit], "")
}
