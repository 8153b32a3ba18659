package jobstate

import (
	"context"

	"github.com/bargehq/barge"
)

// Cancel cancels job id, as AWS's CancelJob does (see stopJob): a job that
// has not started fails with reason, a PENDING one once what it waits for
// has ended; a started one is left alone. A job that does not exist is a
// barge.ENotFound error.
func (l *Lifecycle) Cancel(ctx context.Context, id, reason string) error {
	return l.stopJob(ctx, id, reason, false, true)
}

// Terminate terminates job id, as AWS's TerminateJob does (see stopJob): a
// started job fails with reason once its task has stopped; one that has
// not started is cancelled. A job that does not exist is a barge.ENotFound
// error.
func (l *Lifecycle) Terminate(ctx context.Context, id, reason string) error {
	return l.stopJob(ctx, id, reason, true, true)
}

// stopJob cancels (terminate=false) or terminates one job, as AWS does:
//
//   - a SUBMITTED or RUNNABLE job fails at once with the caller's reason;
//   - a PENDING job is cancelled only once every job it waits for has
//     ended (so it may stay PENDING a while): the request is recorded now,
//     as isCancelled (isTerminated) and statusReason, and the Lifecycle
//     fails it when the last of its dependencies ends, or at once if one fails;
//   - a STARTING or RUNNING job is left alone by CancelJob; TerminateJob
//     records the request (isTerminated, statusReason) and stops its task,
//     and the job stays as it is until the task has stopped: then the
//     runner reports the attempt's end and AttemptEnded fails the job, as
//     AWS does;
//   - an array parent passes the request on to its children (stopArray).
//
// Each write is conditional on the status read; on a conflict the job is
// read again.
func (l *Lifecycle) stopJob(ctx context.Context, id, reason string, terminate, mustExist bool) error {
	for try := 0; ; try++ {
		found, err := l.store.GetJobs(ctx, []string{id})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			if mustExist {
				return barge.Errorf(barge.ENotFound, "Job %s does not exist. Check the job ID; jobs are kept at least 7 days after they finish.", id)
			}
			return nil
		}
		j := found[0]
		if j.Status.Done() {
			return nil
		}
		if try == 10 {
			return barge.Errorf(barge.EConflict, "Job %s kept changing while it was being stopped; try again.", id)
		}
		var again bool
		switch {
		case j.IsArrayParent():
			err = l.stopArray(ctx, j, reason, terminate)
			again = barge.ErrorCodeOf(err) == barge.EConflict // the parent changed meanwhile
		case j.Status.Started() && !terminate:
			return nil
		case j.Status == barge.JobPending:
			again, err = l.stopPending(ctx, j, reason, terminate)
		default:
			again, err = l.stopNow(ctx, j, reason, terminate)
		}
		if !again {
			return err
		}
	}
}

// stopNow fails job j, which has not started, or (terminate) stops its
// task. again reports that j changed since it was read.
func (l *Lifecycle) stopNow(ctx context.Context, j *barge.Job, reason string, terminate bool) (again bool, err error) {
	from := j.Status
	if from.Started() {
		mark(j, reason, terminate)
		err = l.updateOne(ctx, j, from)
		if barge.ErrorCodeOf(err) == barge.EConflict {
			return true, nil
		}
		if err == nil {
			l.stopTask(ctx, j.ID)
		}
		return false, err
	}
	l.fail(j, reason, terminate)
	err = l.updateOne(ctx, j, from)
	if barge.ErrorCodeOf(err) == barge.EConflict {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, l.Finished(ctx, j)
}

// stopPending records a cancel or terminate request on PENDING job j,
// which ends it once what it waits for has ended. A job asked before keeps
// the first request. again reports that j changed since it was read.
func (l *Lifecycle) stopPending(ctx context.Context, j *barge.Job, reason string, terminate bool) (again bool, err error) {
	if stopping(j) {
		return false, nil
	}
	mark(j, reason, terminate)
	err = l.updateOne(ctx, j, barge.JobPending)
	if barge.ErrorCodeOf(err) == barge.EConflict {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	// What j waits for may have ended before the request was recorded.
	if err := l.Recheck(ctx, j.ID); err != nil {
		return false, err
	}
	// A dependency's end that read j before the request and wrote after
	// it made j RUNNABLE and lost the request: make it again.
	now, err := l.store.GetJobs(ctx, []string{j.ID})
	if err != nil || len(now) == 0 {
		return false, err
	}
	return now[0].Status == barge.JobRunnable && !stopping(now[0]), nil
}

// mark records a cancel or terminate request on j.
func mark(j *barge.Job, reason string, terminate bool) {
	j.StatusReason = reason
	if terminate {
		j.IsTerminated = true
	} else {
		j.IsCancelled = true
	}
}

// fail marks j FAILED by a cancel or terminate request.
func (l *Lifecycle) fail(j *barge.Job, reason string, terminate bool) {
	j.Status = barge.JobFailed
	j.StoppedAt = l.nowMillis()
	mark(j, reason, terminate)
}

// stopArray cancels or terminates an array job: each unfinished child is
// stopped as stopJob stops a job, and the parent fails with the caller's
// reason once every child has ended, as AWS cancels an array parent "when
// all child jobs are completed".
//
// A PENDING child waits for the parent's dependencies (for an N_TO_N one,
// for the child of its index) and, in a SEQUENTIAL array, for the child
// before it. When those have all ended, or are children failed by this very
// request, the child fails now with them; else it carries the request until
// they end. So cancelling a SEQUENTIAL array of 10,000 children that has
// not started fails them all in one go, not one after another.
func (l *Lifecycle) stopArray(ctx context.Context, parent *barge.Job, reason string, terminate bool) error {
	if !stopping(parent) {
		// The parent carries the request first, so that when its
		// children's ends finish it, it fails with the caller's reason.
		mark(parent, reason, terminate)
		if err := l.updateOne(ctx, parent, parent.Status); err != nil {
			return err // a conflict: the parent changed meanwhile
		}
	}
	children, err := l.unfinishedChildren(ctx, parent)
	if err != nil {
		return err
	}
	waits, err := l.arrayWaits(ctx, parent)
	if err != nil {
		return err
	}
	var now, later []barge.JobUpdate
	ends := make([]bool, parent.Spec.ArraySize) // child i has ended or ends now
	for i := range ends {
		c := children[i]
		switch {
		case c == nil:
			ends[i] = true
		case c.Status.Started() && !terminate:
		case c.Status.Started():
			// TerminateJob: the child fails when its task has stopped.
			if !stopping(c) {
				mark(c, reason, terminate)
				later = append(later, barge.JobUpdate{Job: c, From: c.Status})
			}
		case c.Status == barge.JobPending && (waits.open(i) || waits.sequential && i > 0 && !ends[i-1]):
			if !stopping(c) {
				mark(c, reason, terminate)
				later = append(later, barge.JobUpdate{Job: c, From: barge.JobPending})
			}
		default:
			from := c.Status
			l.fail(c, reason, terminate)
			now = append(now, barge.JobUpdate{Job: c, From: from})
			ends[i] = true
		}
	}
	retry, err := l.stopChildren(ctx, now, later)
	if err != nil {
		return err
	}
	// A child that changed meanwhile is stopped on its own; a PENDING one
	// that a dependency's end made RUNNABLE before the request reached it
	// is cancelled as RUNNABLE.
	for _, id := range retry {
		if err := l.stopJob(ctx, id, reason, terminate, false); err != nil {
			return err
		}
	}
	runnable, err := l.childrenIn(ctx, parent.ID, barge.JobRunnable)
	if err != nil {
		return err
	}
	for _, c := range runnable {
		if err := l.stopJob(ctx, c.ID, reason, terminate, false); err != nil {
			return err
		}
	}
	// The children's ends settled the parent already, unless it had none
	// left to fail.
	return l.settle(ctx, parent.ID)
}

// stopChildren writes the children failed now and those that carry the
// request until what they wait for ends, 1,000 at a time, stops the tasks of
// started ones and then propagates the ends: only once every child is
// written, so that none of them fails for a sibling's failure ("Dependent Job
// failed") rather than for the request. It returns the children that changed
// since they were read.
func (l *Lifecycle) stopChildren(ctx context.Context, now, later []barge.JobUpdate) (retry []string, err error) {
	var failed []*barge.Job
	for _, group := range [][]barge.JobUpdate{now, later} {
		for lo := 0; lo < len(group); lo += 1000 {
			batch := group[lo:min(lo+1000, len(group))]
			conflicts, err := l.update(ctx, batch)
			if err != nil {
				return nil, err
			}
			retry = append(retry, conflicts...)
			skip := make(map[string]bool, len(conflicts))
			for _, id := range conflicts {
				skip[id] = true
			}
			for _, u := range batch {
				switch {
				case skip[u.Job.ID]:
				case u.From.Started():
					l.stopTask(ctx, u.Job.ID)
				case u.Job.Status == barge.JobFailed:
					failed = append(failed, u.Job)
				}
			}
		}
	}
	return retry, l.Finished(ctx, failed...)
}

// unfinishedChildren returns array job parent's unfinished children by
// index (nil where a child has ended).
func (l *Lifecycle) unfinishedChildren(ctx context.Context, parent *barge.Job) ([]*barge.Job, error) {
	children := make([]*barge.Job, parent.Spec.ArraySize)
	for _, st := range []barge.JobStatus{barge.JobSubmitted, barge.JobPending, barge.JobRunnable, barge.JobStarting, barge.JobRunning} {
		err := l.eachChild(ctx, parent.ID, st, false, func(c *barge.Job) {
			if c.ArrayIndex >= 0 && c.ArrayIndex < len(children) {
				children[c.ArrayIndex] = c
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return children, nil
}

// childrenIn returns the children of array job parent in status st.
func (l *Lifecycle) childrenIn(ctx context.Context, parent string, st barge.JobStatus) ([]*barge.Job, error) {
	var out []*barge.Job
	err := l.eachChild(ctx, parent, st, false, func(c *barge.Job) { out = append(out, c) })
	return out, err
}

// arrayWaits is what an array's children wait for, besides each other.
type arrayWaits struct {
	plainOpen  bool         // a dependency of the whole array has not ended
	pairOpen   map[int]bool // indexes whose N_TO_N partner has not ended
	sequential bool
}

func (w *arrayWaits) open(i int) bool { return w.plainOpen || w.pairOpen[i] }

// arrayWaits reads how far what array job parent's children wait for has
// got, from the parent's dependsOn as SubmitJob resolved it.
func (l *Lifecycle) arrayWaits(ctx context.Context, parent *barge.Job) (*arrayWaits, error) {
	deps, err := l.resolveDependencies(ctx, parent.Spec)
	if barge.ErrorCodeOf(err) == barge.EInvalid {
		// A dependency is gone: its children wait for nothing they can see.
		return &arrayWaits{}, nil
	}
	if err != nil {
		return nil, err
	}
	w := &arrayWaits{pairOpen: map[int]bool{}, sequential: deps.sequential}
	for _, j := range deps.jobs {
		w.plainOpen = w.plainOpen || !j.Status.Done()
	}
	for _, ended := range deps.pairs {
		for i := range parent.Spec.ArraySize {
			if _, ok := ended[i]; !ok {
				w.pairOpen[i] = true
			}
		}
	}
	return w, nil
}
