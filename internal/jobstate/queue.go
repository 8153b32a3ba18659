package jobstate

import (
	"context"

	"github.com/bargehq/barge"
)

// FailQueue terminates the unfinished jobs of a queue being deleted, as AWS
// does. left reports jobs whose status changed while they were read: call
// it again.
func (l *Lifecycle) FailQueue(ctx context.Context, queue string) (left bool, err error) {
	reason := "JobQueue " + queue + " was deleted"
	for _, st := range []barge.JobStatus{barge.JobSubmitted, barge.JobPending, barge.JobRunnable, barge.JobStarting, barge.JobRunning} {
		for {
			jobs, err := l.store.ListJobs(ctx, barge.JobQuery{Queue: queue, IncludeChildren: true, Status: st, Oldest: true, Limit: 1000})
			if err != nil {
				return false, err
			}
			if len(jobs) == 0 {
				break
			}
			updates := make([]barge.JobUpdate, len(jobs))
			for i, j := range jobs {
				l.fail(j, reason, true)
				updates[i] = barge.JobUpdate{Job: j, From: st}
			}
			conflicts, err := l.update(ctx, updates)
			if err != nil {
				return false, err
			}
			if len(conflicts) > 0 {
				return true, nil
			}
			if err := l.Finished(ctx, jobs...); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

// CancelBlocked fails RUNNABLE job j, which a queue's time-limit action
// cancels, as CancelJob would, with reason, and carries its end on to the
// jobs that depend on it. It reports false, changing nothing, when j is no
// longer RUNNABLE.
func (l *Lifecycle) CancelBlocked(ctx context.Context, j *barge.Job, reason string) (bool, error) {
	j.Status, j.StatusReason, j.IsCancelled, j.StoppedAt = barge.JobFailed, reason, true, l.nowMillis()
	w := *j
	w.Spec = nil // unchanged: the store keeps it
	err := l.updateOne(ctx, &w, barge.JobRunnable)
	if barge.ErrorCodeOf(err) == barge.EConflict {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, l.Finished(ctx, j)
}

// SetTags replaces the tags of job j, as read, keeping its status.
func (l *Lifecycle) SetTags(ctx context.Context, j *barge.Job, tags map[string]string) error {
	j.Spec.Tags = tags
	return l.updateOne(ctx, j, j.Status)
}
