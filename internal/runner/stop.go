package runner

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// stopKind is why barge stopped a running attempt's task.
type stopKind int

const (
	stopNone      stopKind = iota
	stopTerminate          // TerminateJob: the job is FAILED already, with the caller's reason
	stopTimeout            // attemptDurationSeconds passed since the attempt's startedAt
	stopSpot               // a Fargate Spot interruption
)

// attempt is a job's attempt while the runner follows it.
type attempt struct {
	jobID, taskID, ce string
	exec              barge.Executor // where its task runs
	refused           error          // why its task cannot run on any executor, when exec is nil

	// followed is closed when the runner stops following the attempt:
	// its end is recorded, or barge stops.
	followed chan struct{}

	mu      sync.Mutex
	started bool          // the executor runs its task
	ended   bool          // its task has ended: too late to stop it
	stop    stopKind      // the first reason barge stopped it for
	grace   time.Duration // between the stop's SIGTERM and SIGKILL
}

// end notes that a's task has ended and returns why barge stopped it, if
// it did. A stop asked for afterwards (a timer that fired just then) no
// longer counts.
func (a *attempt) end() stopKind {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ended = true
	return a.stop
}

// requestStop stops the attempt's task for why: SIGTERM, then SIGKILL
// after grace. A task that has not started yet is stopped once it has.
// The first request decides why the attempt ended; later ones, and those
// after the task ended, report false.
func (r *Runner) requestStop(ctx context.Context, a *attempt, why stopKind, grace time.Duration) bool {
	a.mu.Lock()
	if a.stop != stopNone || a.ended {
		a.mu.Unlock()
		return false
	}
	a.stop, a.grace = why, grace
	started := a.started
	a.mu.Unlock()
	if started {
		r.stopTask(ctx, a, grace)
	}
	return true
}

// taskStarted notes that a's task runs, and stops it if that was asked
// for meanwhile.
func (r *Runner) taskStarted(ctx context.Context, a *attempt) {
	a.mu.Lock()
	a.started = true
	why, grace := a.stop, a.grace
	a.mu.Unlock()
	if why != stopNone {
		r.stopTask(ctx, a, grace)
	}
}

// stopTask asks the executor to stop a's task, without waiting: the
// attempt's end is recorded when Wait returns. A stop the executor could
// not deliver (its container engine does not answer) is asked again, less
// and less often, until it is delivered or the task has ended, so that a
// task stopped while its engine was down stops once the engine is back.
func (r *Runner) stopTask(ctx context.Context, a *attempt, grace time.Duration) {
	go func() {
		for wait := stopRetryFirst; ; wait = min(2*wait, stopRetryMax) {
			err := a.exec.Stop(context.WithoutCancel(ctx), a.taskID, grace)
			if err == nil || barge.ErrorCodeOf(err) == barge.ENotFound {
				return
			}
			r.cfg.OnExecutorError("stop")
			r.log.Warn("stopping task failed; it is asked again", "job_id", a.jobID, "task_id", a.taskID, "retry_in", wait, "error", err)
			select {
			case <-a.followed:
				return // ended, or barge stops: a restart stops it again (run, arm)
			case <-time.After(wait):
			}
		}
	}()
}

// How soon a stop the executor could not deliver is asked again: after
// stopRetryFirst, then twice as long each time, up to stopRetryMax.
const (
	stopRetryFirst = time.Second
	stopRetryMax   = 10 * time.Second
)

// StopJob stops the task of a job that TerminateJob marked isTerminated,
// if it runs here: SIGTERM, then SIGKILL after StopGrace. When the task has
// ended, the attempt is recorded with the job's reason and the job fails,
// never retried.
func (r *Runner) StopJob(ctx context.Context, jobID string) {
	if a := r.attemptOf(jobID); a != nil {
		r.requestStop(ctx, a, stopTerminate, r.cfg.StopGrace)
	}
}

// InterruptSpot interrupts the Fargate Spot task of a running job, as a
// reclaim of its capacity would: SIGTERM, then SIGKILL after the compute
// environment's grace (barge:spot-grace-seconds, 120 by default), and the
// attempt fails with "Your Spot Task was interrupted." (retried as its
// retry strategy says). EInvalid if the job does not run on a FARGATE_SPOT
// compute environment, EConflict if it has no task here or is stopping
// already.
func (r *Runner) InterruptSpot(ctx context.Context, jobID string) error {
	a := r.attemptOf(jobID)
	if a == nil {
		return barge.Errorf(barge.EConflict, "Job %s has no running task to interrupt.", jobID)
	}
	m, err := r.spotModelOf(ctx, a.ce)
	if err != nil {
		return err
	}
	if !m.spot {
		return barge.Errorf(barge.EInvalid, "Job %s runs on compute environment %s, which is not FARGATE_SPOT. Only Fargate Spot tasks are interrupted.", jobID, a.ce)
	}
	if !r.requestStop(ctx, a, stopSpot, r.seconds(m.grace)) {
		return barge.Errorf(barge.EConflict, "The task of job %s is stopping or has stopped already.", jobID)
	}
	r.log.Info("interrupting Spot task", "job_id", jobID, "task_id", a.taskID, "grace_seconds", m.grace)
	return nil
}

// arm starts the timers that stop a running attempt: its timeout, counted
// from its startedAt (so that after a restart the remaining time is
// recomputed), and, on a FARGATE_SPOT compute environment whose tags ask
// for them, a random Spot interruption. It returns a function that stops
// them.
func (r *Runner) arm(ctx context.Context, a *attempt, j *barge.Job, spec *barge.JobSpec, adopted bool) (disarm func()) {
	var timers []*time.Timer
	if t := spec.Timeout; t != nil && t.AttemptDurationSeconds != nil && j.StartedAt > 0 {
		deadline := time.UnixMilli(j.StartedAt).Add(time.Duration(*t.AttemptDurationSeconds) * r.cfg.Second)
		timers = append(timers, time.AfterFunc(deadline.Sub(r.cfg.Now()), func() {
			if r.requestStop(ctx, a, stopTimeout, r.cfg.StopGrace) {
				r.log.Info("attempt timed out", "job_id", a.jobID, "task_id", a.taskID)
			}
		}))
	}
	m, err := r.spotModelOf(ctx, a.ce)
	if err != nil {
		r.log.Warn("reading the compute environment for Spot interruptions failed", "compute_environment", a.ce, "error", err)
	}
	if after, ok := m.draw(r.cfg.Rand, adopted); ok {
		timers = append(timers, time.AfterFunc(r.seconds(after), func() {
			if r.requestStop(ctx, a, stopSpot, r.seconds(m.grace)) {
				r.log.Info("interrupting Spot task", "job_id", a.jobID, "task_id", a.taskID, "grace_seconds", m.grace)
			}
		}))
	}
	return func() {
		for _, t := range timers {
			t.Stop()
		}
	}
}

// seconds converts seconds to a duration, in the runner's seconds, at most
// the longest duration there is.
func (r *Runner) seconds(s float64) time.Duration {
	return time.Duration(min(s*float64(r.cfg.Second), math.MaxInt64))
}
