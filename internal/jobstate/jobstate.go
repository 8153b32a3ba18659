// Package jobstate carries out what follows when a job finishes, for every
// part of barge that finishes jobs (the runner, cancel and terminate): jobs
// that waited for it become RUNNABLE once all they wait for has SUCCEEDED,
// or fail with "Dependent Job failed" (and so on down the chain) when it
// FAILED; and an array child's end may finish its parent.
package jobstate

import (
	"context"

	"github.com/bargehq/barge"
)

// Store is what jobstate needs from the store.
type Store interface {
	GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error)
	UpdateJob(ctx context.Context, j *barge.Job, from barge.JobStatus) error
	UpdateJobs(ctx context.Context, updates []barge.JobUpdate) (conflicts []string, err error)
	CountChildren(ctx context.Context, parent string) (map[barge.JobStatus]int, error)
	Dependents(ctx context.Context, id string) ([]string, error)
	Prerequisites(ctx context.Context, id string) ([]string, error)
}

// Flow propagates finished jobs.
type Flow struct {
	Store Store
	Now   func() int64 // epoch ms
	// Wake is called when jobs became RUNNABLE; nil when nothing schedules.
	Wake func()
}

// batchSize bounds the dependents read and written together.
const batchSize = 100

// Finished propagates the ends of jobs, which are durably SUCCEEDED or
// FAILED. Array parents are settled once per call, however many of their
// children finished.
func (f *Flow) Finished(ctx context.Context, jobs ...*barge.Job) error {
	queue := append([]*barge.Job(nil), jobs...)
	woke := false
	for len(queue) > 0 {
		parents := map[string]bool{}
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			if x.ArrayParent != "" {
				parents[x.ArrayParent] = true
			}
			failed, released, err := f.release(ctx, x)
			if err != nil {
				return err
			}
			queue = append(queue, failed...)
			woke = woke || released
		}
		for id := range parents {
			p, err := f.settleParent(ctx, id)
			if err != nil {
				return err
			}
			if p != nil {
				queue = append(queue, p)
			}
		}
	}
	if woke && f.Wake != nil {
		f.Wake()
	}
	return nil
}

// release moves the PENDING jobs that wait for x: to RUNNABLE when all
// they wait for has succeeded, to FAILED when x failed. It returns the
// jobs it failed, whose ends propagate in turn.
func (f *Flow) release(ctx context.Context, x *barge.Job) (failed []*barge.Job, released bool, err error) {
	ids, err := f.Store.Dependents(ctx, x.ID)
	if err != nil {
		return nil, false, err
	}
	for lo := 0; lo < len(ids); lo += batchSize {
		deps, err := f.Store.GetJobs(ctx, ids[lo:min(lo+batchSize, len(ids))])
		if err != nil {
			return nil, false, err
		}
		var updates []barge.JobUpdate
		for _, d := range deps {
			if d.Status != barge.JobPending || d.IsArrayParent() {
				continue
			}
			if x.Status == barge.JobFailed {
				d.Status, d.StatusReason, d.StoppedAt = barge.JobFailed, barge.ReasonDependentFailed, f.Now()
			} else if ready, err := f.ready(ctx, d.ID); err != nil {
				return nil, false, err
			} else if !ready {
				continue
			} else {
				d.Status = barge.JobRunnable
			}
			updates = append(updates, barge.JobUpdate{Job: d, From: barge.JobPending})
		}
		if len(updates) == 0 {
			continue
		}
		conflicts, err := f.Store.UpdateJobs(ctx, updates)
		if err != nil {
			return nil, false, err
		}
		skip := make(map[string]bool, len(conflicts))
		for _, id := range conflicts {
			skip[id] = true
		}
		for _, u := range updates {
			switch {
			case skip[u.Job.ID]:
			case u.Job.Status == barge.JobFailed:
				failed = append(failed, u.Job)
			default:
				released = true
			}
		}
	}
	return failed, released, nil
}

// Settle finishes array parent id if all its children are done, and
// propagates its end.
func (f *Flow) Settle(ctx context.Context, id string) error {
	p, err := f.settleParent(ctx, id)
	if err != nil || p == nil {
		return err
	}
	return f.Finished(ctx, p)
}

// ready reports whether everything job id waits for has SUCCEEDED.
func (f *Flow) ready(ctx context.Context, id string) (bool, error) {
	prereqs, err := f.Store.Prerequisites(ctx, id)
	if err != nil {
		return false, err
	}
	for lo := 0; lo < len(prereqs); lo += batchSize {
		jobs, err := f.Store.GetJobs(ctx, prereqs[lo:min(lo+batchSize, len(prereqs))])
		if err != nil {
			return false, err
		}
		if len(jobs) < len(prereqs[lo:min(lo+batchSize, len(prereqs))]) {
			return false, nil
		}
		for _, p := range jobs {
			if p.Status != barge.JobSucceeded {
				return false, nil
			}
		}
	}
	return true, nil
}

// settleParent finishes array parent id once all its children are done,
// returning it when it did.
func (f *Flow) settleParent(ctx context.Context, id string) (*barge.Job, error) {
	for try := 0; try < 10; try++ {
		found, err := f.Store.GetJobs(ctx, []string{id})
		if err != nil || len(found) == 0 {
			return nil, err
		}
		p := found[0]
		counts, err := f.Store.CountChildren(ctx, id)
		if err != nil {
			return nil, err
		}
		from := p.Status
		if !barge.SettleArrayParent(p, counts, f.Now()) {
			return nil, nil
		}
		err = f.Store.UpdateJob(ctx, p, from)
		if err == nil {
			return p, nil
		}
		if barge.ErrorCodeOf(err) != barge.EConflict {
			return nil, err
		}
	}
	return nil, nil
}
