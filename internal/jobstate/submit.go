package jobstate

import (
	"context"

	"github.com/bargehq/barge"
)

// Submit stores job, new and valid but for its dependencies, with its array
// children, in one durable write, in the status it starts in: FAILED when
// its spec cannot start (spec.StartFailure) or a job it depends on has
// failed, PENDING while one it depends on is unfinished (an array parent
// always, while its children run), else RUNNABLE. Each job dependsOn names
// must exist, and an N_TO_N dependency of an array on an array needs arrays
// of one size: the errors say what to fix, and nothing is stored.
func (l *Lifecycle) Submit(ctx context.Context, job *barge.Job) error {
	spec := job.Spec
	deps, err := l.resolveDependencies(ctx, spec)
	if err != nil {
		return err
	}
	job.Status = barge.JobRunnable
	jobs := []*barge.Job{job}
	if spec.ArraySize > 0 {
		jobs = append(jobs, arrayChildren(job, deps)...)
	} else {
		deps.apply(job, -1)
	}
	if reason := spec.StartFailure(); reason != "" {
		for _, j := range jobs {
			j.Status, j.StatusReason = barge.JobFailed, reason
		}
	}
	for _, j := range jobs {
		if j.Status == barge.JobFailed {
			j.StoppedAt, j.WaitsFor = job.CreatedAt, nil
		}
	}
	if err := l.store.InsertJobs(ctx, jobs); err != nil {
		return err
	}
	// A dependency that finished between the check above and the insert
	// did not see this job's edges: go over it again.
	if err := l.recheck(ctx, deps); err != nil {
		return err
	}
	l.wake()
	return nil
}

// dependencies are a new job's dependsOn, resolved.
type dependencies struct {
	jobs       []*barge.Job // the jobs named by dependsOn, as they were read
	sequential bool         // SEQUENTIAL: each child of the new array waits for the one before
	// pairs holds the N_TO_N dependencies on arrays (child i of the new
	// array waits for child i of each): by array ID, the statuses of the
	// children that had ended when read, by index.
	pairs map[string]map[int]barge.JobStatus
	// waited lists the children of those arrays that the new array's
	// children wait for.
	waited []string
}

// resolveDependencies reads the jobs spec's dependsOn names; each must
// exist. An N_TO_N dependency of an array job on another array job pairs
// their children, which requires arrays of one size; on any other job, or
// from a job that is no array, N_TO_N is a plain dependency.
func (l *Lifecycle) resolveDependencies(ctx context.Context, spec *barge.JobSpec) (*dependencies, error) {
	d := &dependencies{pairs: map[string]map[int]barge.JobStatus{}}
	var ids []string
	nToN := map[string]bool{}
	for _, dep := range spec.DependsOn {
		switch {
		case dep.JobID == "" && dep.Type == barge.DependencySequential:
			d.sequential = true
		case dep.JobID != "":
			ids = append(ids, dep.JobID)
			if dep.Type == barge.DependencyNToN && spec.ArraySize > 0 {
				nToN[dep.JobID] = true
			}
		}
	}
	if len(ids) == 0 {
		return d, nil
	}
	found, err := l.store.GetJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*barge.Job, len(found))
	for _, j := range found {
		byID[j.ID] = j
	}
	for _, id := range ids {
		j, ok := byID[id]
		if !ok {
			return nil, barge.Errorf(barge.EInvalid, "dependsOn names job %s, which does not exist. A job can depend only on jobs already submitted.", id)
		}
		if !nToN[id] || !j.IsArrayParent() {
			d.jobs = append(d.jobs, j)
			continue
		}
		if j.Spec.ArraySize != spec.ArraySize {
			return nil, barge.Errorf(barge.EInvalid, "dependsOn: an N_TO_N dependency pairs each child with the child of the same index, so both arrays must have one size; job %s has %d children and this job %d. Give arrayProperties.size %d, or depend on the whole array without a type.",
				id, j.Spec.ArraySize, spec.ArraySize, j.Spec.ArraySize)
		}
		if d.pairs[id], err = l.endedChildren(ctx, j); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// endedChildren returns the statuses of array's children that have ended,
// by index. A SUCCEEDED array has only SUCCEEDED children, and a FAILED one
// only FAILED and SUCCEEDED children: those need one status read.
func (l *Lifecycle) endedChildren(ctx context.Context, array *barge.Job) (map[int]barge.JobStatus, error) {
	ended := map[int]barge.JobStatus{}
	switch array.Status {
	case barge.JobSucceeded:
		for i := range array.Spec.ArraySize {
			ended[i] = barge.JobSucceeded
		}
		return ended, nil
	case barge.JobFailed:
		for i := range array.Spec.ArraySize {
			ended[i] = barge.JobSucceeded
		}
		return ended, l.eachChild(ctx, array.ID, barge.JobFailed, true, func(c *barge.Job) { ended[c.ArrayIndex] = barge.JobFailed })
	}
	for _, st := range []barge.JobStatus{barge.JobSucceeded, barge.JobFailed} {
		if err := l.eachChild(ctx, array.ID, st, true, func(c *barge.Job) { ended[c.ArrayIndex] = st }); err != nil {
			return nil, err
		}
	}
	return ended, nil
}

// eachChild calls fn with each child of array parent in status st; with
// summary, decoded only as far as barge.JobQuery.Summary promises (enough
// for its index and status).
func (l *Lifecycle) eachChild(ctx context.Context, parent string, st barge.JobStatus, summary bool, fn func(*barge.Job)) error {
	var cursor int64
	for {
		children, err := l.store.ListJobs(ctx, barge.JobQuery{ArrayParent: parent, Status: st, Oldest: true, Cursor: cursor, Limit: 1000, Summary: summary})
		if err != nil || len(children) == 0 {
			return err
		}
		for _, c := range children {
			fn(c)
		}
		cursor = children[len(children)-1].Seq
	}
}

// apply sets what job waits for and the status it starts in: FAILED when a
// dependency failed, PENDING while one is unfinished, else RUNNABLE. index
// is the job's index in its array, or -1 for a job that is no array child:
// a child waits for the child of the same index of each N_TO_N array.
func (d *dependencies) apply(job *barge.Job, index int) {
	wait := func(id string, st barge.JobStatus) {
		switch st {
		case barge.JobSucceeded:
		case barge.JobFailed:
			job.Status, job.StatusReason = barge.JobFailed, barge.ReasonDependentFailed
		default:
			job.WaitsFor = append(job.WaitsFor, id)
		}
	}
	for _, dep := range d.jobs {
		wait(dep.ID, dep.Status)
	}
	if index >= 0 {
		for id, ended := range d.pairs {
			child := barge.ChildID(id, index)
			if _, ok := ended[index]; !ok {
				d.waited = append(d.waited, child)
			}
			wait(child, ended[index])
		}
	}
	switch {
	case job.Status == barge.JobFailed:
		job.WaitsFor = nil
	case len(job.WaitsFor) > 0:
		job.Status = barge.JobPending
	}
}

// recheck propagates again the end of every job the new job waits for that
// has ended by now, in case it ended while the new job was being stored.
func (l *Lifecycle) recheck(ctx context.Context, d *dependencies) error {
	ids := make([]string, 0, len(d.jobs)+len(d.waited))
	for _, j := range d.jobs {
		if !j.Status.Done() {
			ids = append(ids, j.ID)
		}
	}
	ids = append(ids, d.waited...)
	for lo := 0; lo < len(ids); lo += 1000 {
		now, err := l.store.GetJobs(ctx, ids[lo:min(lo+1000, len(ids))])
		if err != nil {
			return err
		}
		var ended []*barge.Job
		for _, j := range now {
			if j.Status.Done() {
				ended = append(ended, j)
			}
		}
		if err := l.Finished(ctx, ended...); err != nil {
			return err
		}
	}
	return nil
}

// arrayChildren makes the children of array job parent, and sets what the
// parent waits for. Each child waits for the parent's dependencies (for an
// N_TO_N dependency on an array, for that array's child of the same index);
// in a SEQUENTIAL array, child i also waits for child i-1. The parent waits
// for its own dependencies, not the N_TO_N ones, to fail with them; it is
// PENDING while its children are unfinished, and ends when they all have.
func arrayChildren(parent *barge.Job, deps *dependencies) []*barge.Job {
	own := &dependencies{jobs: deps.jobs}
	own.apply(parent, -1)
	if parent.Status != barge.JobFailed {
		parent.Status = barge.JobPending // an array parent waits while its children run
	}
	children := make([]*barge.Job, parent.Spec.ArraySize)
	counts := map[barge.JobStatus]int{}
	for i := range children {
		c := &barge.Job{
			ID: barge.ChildID(parent.ID, i), Name: parent.Name, Queue: parent.Queue,
			Status: barge.JobRunnable, CreatedAt: parent.CreatedAt,
			ArrayParent: parent.ID, ArrayIndex: i,
		}
		deps.apply(c, i)
		if deps.sequential && i > 0 {
			switch prev := children[i-1]; {
			case c.Status == barge.JobFailed:
			case prev.Status == barge.JobFailed:
				c.Status, c.StatusReason, c.WaitsFor = barge.JobFailed, barge.ReasonDependentFailed, nil
			default:
				c.WaitsFor = append(c.WaitsFor, prev.ID)
				c.Status = barge.JobPending
			}
		}
		counts[c.Status]++
		children[i] = c
	}
	// Children that all failed at once (their partners had failed) finish
	// the parent now: no child's end will.
	settleArrayParent(parent, counts, parent.CreatedAt)
	return children
}

// settleArrayParent finishes array job parent once all its children are
// done, given their status counts, and reports whether parent changed. The
// parent SUCCEEDED when every child succeeded, else FAILED with "Array
// Child Job failed". A parent that was cancelled or terminated FAILED with
// the caller's reason, whatever its children did: AWS cancels an array
// parent "when all child jobs are completed".
func settleArrayParent(parent *barge.Job, counts map[barge.JobStatus]int, now int64) bool {
	if parent.Status.Done() || parent.Spec == nil || counts[barge.JobSucceeded]+counts[barge.JobFailed] < parent.Spec.ArraySize {
		return false
	}
	parent.StoppedAt = now
	switch {
	case parent.IsCancelled || parent.IsTerminated:
		parent.Status = barge.JobFailed
	case counts[barge.JobFailed] == 0:
		parent.Status = barge.JobSucceeded
	default:
		parent.Status, parent.StatusReason = barge.JobFailed, barge.ReasonArrayChildFailed
	}
	return true
}
