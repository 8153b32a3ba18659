// Package jobstate owns the life of a job: it is the one package that
// decides a job's status and writes it. Every change goes through a
// Lifecycle: SubmitJob's first status (RUNNABLE, PENDING or FAILED, for an
// array and its children too), the scheduler's placement (RUNNABLE to
// STARTING), the runner's STARTING to RUNNING and an attempt's end
// (SUCCEEDED, FAILED, or back to RUNNABLE for a retry), cancel and
// terminate, a queue's time-limit actions and deletion, and what follows
// when a job finishes: jobs that waited for it become RUNNABLE once all
// they wait for has SUCCEEDED, or fail with "Dependent Job failed" (and so
// on down the chain) when it FAILED; a job cancelled while PENDING fails
// once all it waits for has ended; and an array child's end may finish its
// parent.
//
// Each write is conditional on the status read (the store's UpdateJobs) and
// goes along an edge of barge.JobStatus.CanMove: a write along any other
// edge is refused, whoever asks for it.
package jobstate

import (
	"context"
	"time"

	"github.com/bargehq/barge"
)

// Store is what jobstate needs from the store.
type Store interface {
	InsertJobs(ctx context.Context, jobs []*barge.Job) error
	GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error)
	ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error)
	UpdateJobs(ctx context.Context, updates []barge.JobUpdate) (conflicts []string, err error)
	CountChildren(ctx context.Context, parent string) (map[barge.JobStatus]int, error)
	Dependents(ctx context.Context, id string) ([]string, error)
	Prerequisites(ctx context.Context, id string) ([]string, error)
}

// Config configures a Lifecycle.
type Config struct {
	Store Store
	Now   func() time.Time // time.Now when nil
	// Wake is called when jobs became RUNNABLE; nil when nothing schedules.
	Wake func()
	// StopTask stops the task of a started job that TerminateJob asked to
	// stop; nil when nothing runs.
	StopTask func(ctx context.Context, jobID string)
}

// Lifecycle changes jobs' statuses. It holds no state of its own besides
// its configuration, and is safe for concurrent use.
type Lifecycle struct {
	store    Store
	now      func() time.Time
	wake     func()
	stopTask func(ctx context.Context, jobID string)
}

// New returns the owner of jobs' statuses.
func New(cfg Config) *Lifecycle {
	l := &Lifecycle{store: cfg.Store, now: cfg.Now, wake: cfg.Wake, stopTask: cfg.StopTask}
	if l.now == nil {
		l.now = time.Now
	}
	if l.wake == nil {
		l.wake = func() {}
	}
	if l.stopTask == nil {
		l.stopTask = func(context.Context, string) {}
	}
	return l
}

func (l *Lifecycle) nowMillis() int64 { return l.now().UnixMilli() }

// update is the one path by which jobs' statuses are written: it applies
// updates in one durable write, each conditional on its job's stored status
// being From, and returns the IDs of the jobs that changed meanwhile (left
// as they are). An update along an edge barge.JobStatus.CanMove does not
// allow refuses the whole write: it is a bug of barge's, and writing it
// would show a client a job in a life AWS never leads.
func (l *Lifecycle) update(ctx context.Context, updates []barge.JobUpdate) (conflicts []string, err error) {
	for _, u := range updates {
		if !u.From.CanMove(u.Job.Status) {
			return nil, barge.Errorf(barge.EInternal, "job %s cannot go from %s to %s", u.Job.ID, u.From, u.Job.Status)
		}
	}
	return l.store.UpdateJobs(ctx, updates)
}

// updateOne writes j, as update does, if its stored status is still from.
// EConflict if it is not (or the job does not exist): someone else changed
// it first; read it again and decide anew.
func (l *Lifecycle) updateOne(ctx context.Context, j *barge.Job, from barge.JobStatus) error {
	conflicts, err := l.update(ctx, []barge.JobUpdate{{Job: j, From: from}})
	if err == nil && len(conflicts) > 0 {
		err = barge.Errorf(barge.EConflict, "job %q is no longer %s", j.ID, from)
	}
	return err
}

// batchSize bounds the dependents read and written together.
const batchSize = 100

// Finished propagates the ends of jobs, which are durably SUCCEEDED or
// FAILED. Array parents are settled once per call, however many of their
// children finished.
func (l *Lifecycle) Finished(ctx context.Context, jobs ...*barge.Job) error {
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
			failed, released, err := l.release(ctx, x)
			if err != nil {
				return err
			}
			queue = append(queue, failed...)
			woke = woke || released
		}
		for id := range parents {
			p, err := l.settleParent(ctx, id)
			if err != nil {
				return err
			}
			if p != nil {
				queue = append(queue, p)
			}
		}
	}
	if woke {
		l.wake()
	}
	return nil
}

// release moves the PENDING jobs that wait for x on (see advance). It
// returns the jobs it failed, whose ends propagate in turn.
func (l *Lifecycle) release(ctx context.Context, x *barge.Job) (failed []*barge.Job, released bool, err error) {
	ids, err := l.store.Dependents(ctx, x.ID)
	if err != nil {
		return nil, false, err
	}
	for lo := 0; lo < len(ids); lo += batchSize {
		deps, err := l.store.GetJobs(ctx, ids[lo:min(lo+batchSize, len(ids))])
		if err != nil {
			return nil, false, err
		}
		var updates []barge.JobUpdate
		for _, d := range deps {
			moved, err := l.advance(ctx, d, x.Status == barge.JobFailed)
			if err != nil {
				return nil, false, err
			}
			if moved {
				updates = append(updates, barge.JobUpdate{Job: d, From: barge.JobPending})
			}
		}
		moved, woke, err := l.write(ctx, updates)
		if err != nil {
			return nil, false, err
		}
		failed, released = append(failed, moved...), released || woke
	}
	return failed, released, nil
}

// advance decides, in d, what PENDING job d becomes now that something it
// waits for has ended (depFailed: and FAILED), and reports whether d moved:
//
//   - a job whose dependency failed fails with "Dependent Job failed" (and
//     so does an array parent, for the dependencies it has of its own);
//   - a job cancelled or terminated while PENDING keeps waiting until all it
//     waits for has ended, as AWS cancels a PENDING job only then; it fails
//     with the caller's reason;
//   - a job all of whose dependencies SUCCEEDED becomes RUNNABLE (never an
//     array parent: its children run).
func (l *Lifecycle) advance(ctx context.Context, d *barge.Job, depFailed bool) (bool, error) {
	if d.Status != barge.JobPending {
		return false, nil
	}
	if depFailed {
		l.failDependent(d)
		return true, nil
	}
	if d.IsArrayParent() {
		return false, nil
	}
	ended, err := l.prerequisites(ctx, d.ID)
	if err != nil {
		return false, err
	}
	switch {
	case ended.failed:
		l.failDependent(d)
	case ended.all && stopping(d):
		d.Status, d.StoppedAt = barge.JobFailed, l.nowMillis()
	case ended.all && ended.succeeded:
		d.Status = barge.JobRunnable
	default:
		return false, nil
	}
	return true, nil
}

// stopping reports whether PENDING job j was cancelled or terminated and
// waits only to end.
func stopping(j *barge.Job) bool { return j.IsCancelled || j.IsTerminated }

// failDependent fails d because a job it waits for failed. A job cancelled
// or terminated meanwhile keeps the caller's reason.
func (l *Lifecycle) failDependent(d *barge.Job) {
	d.Status, d.StoppedAt = barge.JobFailed, l.nowMillis()
	if !stopping(d) {
		d.StatusReason = barge.ReasonDependentFailed
	}
}

// write applies updates of PENDING jobs and returns those it failed, and
// whether it made any RUNNABLE. A job that changed meanwhile is left as it
// is now.
func (l *Lifecycle) write(ctx context.Context, updates []barge.JobUpdate) (failed []*barge.Job, released bool, err error) {
	if len(updates) == 0 {
		return nil, false, nil
	}
	conflicts, err := l.update(ctx, updates)
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
	return failed, released, nil
}

// Recheck moves PENDING job id on if what it waits for allows it now. A
// cancel or terminate request on a PENDING job calls it after recording
// itself, in case the last of the job's dependencies ended meanwhile.
func (l *Lifecycle) Recheck(ctx context.Context, id string) error {
	found, err := l.store.GetJobs(ctx, []string{id})
	if err != nil || len(found) == 0 {
		return err
	}
	d := found[0]
	moved, err := l.advance(ctx, d, false)
	if err != nil || !moved {
		return err
	}
	failed, released, err := l.write(ctx, []barge.JobUpdate{{Job: d, From: barge.JobPending}})
	if err != nil {
		return err
	}
	if released {
		l.wake()
	}
	return l.Finished(ctx, failed...)
}

// settle finishes array parent id if all its children are done, and
// propagates its end.
func (l *Lifecycle) settle(ctx context.Context, id string) error {
	p, err := l.settleParent(ctx, id)
	if err != nil || p == nil {
		return err
	}
	return l.Finished(ctx, p)
}

// ended is how far the jobs a job waits for have got.
type ended struct {
	all       bool // every one has ended (SUCCEEDED or FAILED)
	succeeded bool // none has FAILED
	failed    bool // at least one has FAILED
}

// prerequisites reports how far the jobs that job id waits for have got. A
// prerequisite that does not exist (yet) has not ended.
func (l *Lifecycle) prerequisites(ctx context.Context, id string) (ended, error) {
	e := ended{all: true, succeeded: true}
	prereqs, err := l.store.Prerequisites(ctx, id)
	if err != nil {
		return e, err
	}
	for lo := 0; lo < len(prereqs); lo += batchSize {
		batch := prereqs[lo:min(lo+batchSize, len(prereqs))]
		jobs, err := l.store.GetJobs(ctx, batch)
		if err != nil {
			return e, err
		}
		if len(jobs) < len(batch) {
			e.all = false
		}
		for _, p := range jobs {
			switch p.Status {
			case barge.JobSucceeded:
			case barge.JobFailed:
				e.failed, e.succeeded = true, false
			default:
				e.all = false
			}
		}
	}
	return e, nil
}

// unfinishedStatuses are the statuses of jobs that have not ended, those an
// array's children are most often in first.
var unfinishedStatuses = []barge.JobStatus{barge.JobRunnable, barge.JobRunning, barge.JobStarting, barge.JobPending, barge.JobSubmitted}

// unfinishedChild reports whether array job parent has a child that has not
// ended.
func (l *Lifecycle) unfinishedChild(ctx context.Context, parent string) (bool, error) {
	for _, st := range unfinishedStatuses {
		jobs, err := l.store.ListJobs(ctx, barge.JobQuery{ArrayParent: parent, Status: st, Oldest: true, Limit: 1})
		if err != nil || len(jobs) > 0 {
			return len(jobs) > 0, err
		}
	}
	return false, nil
}

// settleParent finishes array parent id once all its children are done,
// returning it when it did.
func (l *Lifecycle) settleParent(ctx context.Context, id string) (*barge.Job, error) {
	for try := 0; try < 10; try++ {
		found, err := l.store.GetJobs(ctx, []string{id})
		if err != nil || len(found) == 0 {
			return nil, err
		}
		p := found[0]
		if p.Status.Done() {
			return nil, nil
		}
		// Most children's ends leave others unfinished: finding one costs a
		// seek or a few, where counting costs a read of every child.
		if open, err := l.unfinishedChild(ctx, id); err != nil || open {
			return nil, err
		}
		counts, err := l.store.CountChildren(ctx, id)
		if err != nil {
			return nil, err
		}
		from := p.Status
		if !settleArrayParent(p, counts, l.nowMillis()) {
			return nil, nil
		}
		err = l.updateOne(ctx, p, from)
		if err == nil {
			return p, nil
		}
		if barge.ErrorCodeOf(err) != barge.EConflict {
			return nil, err
		}
	}
	return nil, nil
}
