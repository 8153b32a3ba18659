package jobstate

import (
	"context"
	"time"

	"github.com/bargehq/barge"
)

// Place commits the scheduler's placements in one durable write: each
// placed RUNNABLE job becomes STARTING on its compute environment, with the
// task ARN taskArn gives for that environment. The placements' jobs are
// changed in place. It returns the IDs of the jobs that changed meanwhile
// (cancelled, say), which are not placed.
func (l *Lifecycle) Place(ctx context.Context, placements []barge.Placement, taskArn func(ce string) string) (conflicts []string, err error) {
	updates := make([]barge.JobUpdate, len(placements))
	written := make([]barge.Job, len(placements))
	for i, p := range placements {
		p.Job.Status = barge.JobStarting
		p.Job.StatusReason = ""
		p.Job.Runtime = &barge.ContainerRuntime{
			ComputeEnvironment: p.ComputeEnvironment,
			TaskArn:            taskArn(p.ComputeEnvironment),
		}
		// Without its spec, which placing does not change: the store
		// keeps the stored one rather than encoding it again.
		written[i] = *p.Job
		written[i].Spec = nil
		updates[i] = barge.JobUpdate{Job: &written[i], From: barge.JobRunnable}
	}
	return l.update(ctx, updates)
}

// Running moves job j from STARTING to RUNNING once its task runs, writing
// its log stream and what j.Runtime holds of the task (its network
// interfaces). A TerminateJob since the placement marked the stored job:
// that is kept.
func (l *Lifecycle) Running(ctx context.Context, j *barge.Job, stream string) error {
	if found, err := l.store.GetJobs(ctx, []string{j.ID}); err == nil && len(found) == 1 && found[0].Status == barge.JobStarting {
		j.IsTerminated, j.StatusReason = found[0].IsTerminated, found[0].StatusReason
	}
	j.Status = barge.JobRunning
	j.StartedAt = l.nowMillis()
	j.Runtime.LogStreamName = stream
	return l.updateOne(ctx, j, barge.JobStarting)
}

// Stop is why barge stopped an attempt's task.
type Stop int

// Why barge stopped an attempt's task.
const (
	StopNone      Stop = iota // barge did not: the task ended on its own, or failed to start
	StopTerminate             // TerminateJob
	StopTimeout               // attemptDurationSeconds passed
	StopSpot                  // a Fargate Spot interruption
)

// AttemptEnd is how an attempt ended, as the runner saw it.
type AttemptEnd struct {
	ExitCode      *int   // the container's exit code; nil when it has none
	Reason        string // the container's reason, within AWS's 255 bytes
	StatusReason  string // the attempt's statusReason; TerminateJob's reason replaces it
	LogStream     string
	StartedAt     int64     // epoch ms the job went RUNNING in this attempt; 0 if it never did
	TaskStartedAt time.Time // when the engine says the task started; zero if unknown
	FailedToStart bool      // the task never ran
	Stop          Stop
	// Containers and InitContainers are how an EKS job's Pod's
	// containers ended, in the Pod's order; nil for other jobs.
	Containers, InitContainers []barge.PodContainerOutcome
}

// succeeded reports whether the attempt succeeded: its container exited 0
// on its own, or when a Spot interruption asked it to stop (as on AWS, a
// container that exits 0 on SIGTERM succeeds).
func (e AttemptEnd) succeeded() bool {
	return e.ExitCode != nil && *e.ExitCode == 0 && !e.FailedToStart && (e.Stop == StopNone || e.Stop == StopSpot)
}

// retriable reports whether the job may be retried after this attempt, if
// its retry strategy says so: AWS never retries a job stopped for its
// timeout or terminated.
func (e AttemptEnd) retriable() bool { return e.Stop != StopTimeout && e.Stop != StopTerminate }

// AttemptEnded records the end of job j's attempt (the one on task
// j.Runtime.TaskArn) and what follows for the job, which runs with spec: it
// succeeds, goes back to RUNNABLE for another attempt while its retry
// strategy allows, or fails; a job that TerminateJob asked to stop fails
// whatever its task's exit. An attempt recorded already, or one another
// attempt replaced, is left as it is. Its end then carries on to the jobs
// that wait for it.
func (l *Lifecycle) AttemptEnded(ctx context.Context, j *barge.Job, spec *barge.JobSpec, e AttemptEnd) error {
	ctx = context.WithoutCancel(ctx)
	now := l.nowMillis()
	// A TerminateJob while the task ran wrote isTerminated and the caller's
	// reason to the store, not to j: read the job again.
	if found, err := l.store.GetJobs(ctx, []string{j.ID}); err == nil && len(found) == 1 {
		fresh := found[0]
		if recorded(fresh, j.Runtime.TaskArn) {
			return nil
		}
		if fresh.Runtime != nil && fresh.Runtime.TaskArn == j.Runtime.TaskArn {
			j = fresh
		}
	}
	if j.Status == barge.JobStarting && !e.FailedToStart {
		// The task ran, but its RUNNING write failed (the runner logged
		// why): make it now, since a job ends from RUNNING (AWS has no
		// STARTING to SUCCEEDED). A job changed meanwhile is read again
		// below.
		if err := l.Running(ctx, j, e.LogStream); err != nil && barge.ErrorCodeOf(err) != barge.EConflict {
			return err
		}
	}
	for try := 0; try < 10; try++ {
		from := j.Status
		rt := *j.Runtime
		rt.ExitCode, rt.Reason, rt.LogStreamName = e.ExitCode, e.Reason, e.LogStream
		if rt.Pod != nil || e.Containers != nil || e.InitContainers != nil {
			pod := barge.PodRuntime{}
			if rt.Pod != nil {
				pod = *rt.Pod
			}
			pod.Containers, pod.InitContainers = e.Containers, e.InitContainers
			rt.Pod = &pod
		}
		if e.Stop == StopTerminate {
			j.IsTerminated = true // even if a write raced the request's
		}
		reason := e.StatusReason
		if j.IsTerminated && j.StatusReason != "" {
			reason = j.StatusReason // the task stopped for the caller's reason
		}
		started := e.StartedAt
		if started == 0 && !e.TaskStartedAt.IsZero() {
			started = e.TaskStartedAt.UnixMilli()
		}
		attempt := barge.Attempt{
			Container: barge.ContainerRuntime{ComputeEnvironment: rt.ComputeEnvironment, TaskArn: rt.TaskArn, ExitCode: rt.ExitCode, Reason: rt.Reason,
				LogStreamName: e.LogStream, NetworkInterfaces: rt.NetworkInterfaces, Pod: rt.Pod},
			StartedAt:    started,
			StoppedAt:    now,
			StatusReason: reason,
		}
		j.Attempts = append(j.Attempts, attempt)
		j.Runtime = &rt
		if !j.Status.Done() { // a job terminated before this version is FAILED already
			j.StatusReason = reason
			switch {
			case j.IsTerminated:
				// TerminateJob: failed, whatever the task's exit, and
				// never retried.
				j.Status, j.StoppedAt = barge.JobFailed, now
			case e.succeeded():
				j.Status, j.StoppedAt = barge.JobSucceeded, now
			case e.retriable() && spec.RetryStrategy.Retries(len(j.Attempts), attempt):
				// Back in the queue, showing why the attempt failed,
				// until the scheduler places the next one.
				j.Status = barge.JobRunnable
			default:
				j.Status, j.StoppedAt = barge.JobFailed, now
			}
		}
		err := l.updateOne(ctx, j, from)
		if err == nil {
			break
		}
		if barge.ErrorCodeOf(err) != barge.EConflict {
			return err
		}
		found, err := l.store.GetJobs(ctx, []string{j.ID})
		if err != nil || len(found) == 0 {
			return err
		}
		j = found[0]
		if j.Runtime == nil || j.Runtime.TaskArn != rt.TaskArn || recorded(j, rt.TaskArn) {
			return nil // another attempt began, or this one is recorded already
		}
	}
	switch {
	case j.Status.Done():
		return l.Finished(ctx, j)
	case j.Status == barge.JobRunnable:
		l.wake()
	}
	return nil
}

// recorded reports whether j's attempts include the task taskArn.
func recorded(j *barge.Job, taskArn string) bool {
	for _, a := range j.Attempts {
		if a.Container.TaskArn == taskArn {
			return true
		}
	}
	return false
}

// NotStarted sends job j, whose task (j.Runtime.TaskArn) never ran for a
// failure of the infrastructure (the engine did not answer), back to
// RUNNABLE without using an attempt, with reason as its statusReason until
// it is placed again. It reports whether it did: a job that another attempt
// replaced, that ended, or that TerminateJob asked to stop is left as it is
// (the caller records a terminated job's attempt with AttemptEnded, which
// fails it).
func (l *Lifecycle) NotStarted(ctx context.Context, j *barge.Job, reason string) (bool, error) {
	ctx = context.WithoutCancel(ctx)
	found, err := l.store.GetJobs(ctx, []string{j.ID})
	if err != nil || len(found) != 1 {
		return false, err
	}
	fresh := found[0]
	if fresh.Runtime == nil || fresh.Runtime.TaskArn != j.Runtime.TaskArn || fresh.Status.Done() || fresh.IsTerminated {
		return false, nil
	}
	w := *fresh
	w.Spec = nil // unchanged: the store keeps it
	w.Status, w.StatusReason = barge.JobRunnable, reason
	// The runtime the job had before this placement: its last attempt's.
	w.Runtime = nil
	if n := len(fresh.Attempts); n > 0 {
		last := fresh.Attempts[n-1].Container
		w.Runtime = &last
	}
	if err := l.updateOne(ctx, &w, fresh.Status); err != nil {
		if barge.ErrorCodeOf(err) == barge.EConflict {
			return false, nil
		}
		return false, err
	}
	l.wake()
	return true, nil
}
