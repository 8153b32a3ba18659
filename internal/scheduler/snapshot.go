package scheduler

import (
	"container/heap"
	"context"
	"sort"

	"github.com/bargehq/barge"
)

// frontLength is how many jobs a snapshot shows at the front of a queue,
// as AWS's GetJobQueueSnapshot does.
const frontLength = 100

// maxSnapshotJobs bounds the STARTING and RUNNING jobs a snapshot reads to
// count the capacity in use.
const maxSnapshotJobs = 100_000

// topShares is how many shares a snapshot lists by usage, as AWS does.
const topShares = 20

// Snapshot returns the front of queue q, the first 100 RUNNABLE jobs in the
// order they are to be placed, and the capacity its jobs hold. In a
// fair-share queue the order follows the shares' usage as the scheduler
// keeps it now, each job taken counting toward its share; it does not
// foresee room, nor the computeReservation.
func (s *Scheduler) Snapshot(ctx context.Context, q *barge.JobQueue) (*barge.QueueSnapshot, error) {
	now := s.cfg.Now()
	snap := &barge.QueueSnapshot{At: now.UnixMilli(), Front: []barge.FrontJob{}}
	specs := newSpecCache(s.cfg.Store)
	var fp *barge.FairsharePolicy
	if q.SchedulingPolicyArn != "" {
		var err error
		if fp, err = s.fairsharePolicy(ctx, map[string]*barge.FairsharePolicy{}, q); err != nil {
			return nil, err
		}
	}
	var front []*barge.Job
	var err error
	if fp != nil {
		front, err = s.fairFront(ctx, q.Name, fp, specs)
	} else {
		front, err = s.cfg.Store.ListJobs(ctx, barge.JobQuery{Queue: q.Name, IncludeChildren: true, Status: barge.JobRunnable, Oldest: true, Limit: frontLength})
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	moved := s.moved[q.Name]
	s.mu.Unlock()
	for _, j := range front {
		snap.Front = append(snap.Front, barge.FrontJob{JobID: j.ID, Since: max(j.CreatedAt, moved)})
	}

	byShare := map[string]float64{}
	err = s.eachStarted(ctx, q.Name, specs, maxSnapshotJobs, func(_ *barge.Job, spec *barge.JobSpec) {
		vcpu := barge.JobVCPU(spec)
		snap.VCPU += vcpu
		if spec != nil && spec.ShareIdentifier != "" {
			byShare[spec.ShareIdentifier] += vcpu
		}
	})
	if err != nil {
		return nil, err
	}
	if fp != nil {
		u := &barge.FairShareUsage{ActiveShares: len(byShare)}
		for share, vcpu := range byShare {
			u.Top = append(u.Top, barge.ShareVCPU{ShareID: share, VCPU: vcpu})
		}
		sort.Slice(u.Top, func(i, j int) bool {
			if u.Top[i].VCPU != u.Top[j].VCPU {
				return u.Top[i].VCPU > u.Top[j].VCPU
			}
			return u.Top[i].ShareID < u.Top[j].ShareID
		})
		u.Top = u.Top[:min(len(u.Top), topShares)]
		snap.FairShare = u
	}
	return snap, nil
}

// fairFront returns the first RUNNABLE jobs of a fair-share queue in the
// order the scheduler would take them, were there room for all.
func (s *Scheduler) fairFront(ctx context.Context, queue string, fp *barge.FairsharePolicy, specs *specCache) ([]*barge.Job, error) {
	h, err := s.openLines(ctx, queue, fp, frontLength*minJobVCPU, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	var front []*barge.Job
	for len(front) < frontLength && h.Len() > 0 {
		l := (*h)[0]
		j, err := l.next(ctx, s.cfg.Store, queue)
		if err != nil {
			return nil, err
		}
		if j == nil {
			heap.Pop(h)
			continue
		}
		spec, err := specs.of(ctx, j)
		if err != nil {
			return nil, err
		}
		l.after = barge.ShareCursor{Priority: priorityOf(spec), Seq: j.Seq}
		front = append(front, j)
		l.score += barge.JobVCPU(spec) * l.weight
		heap.Fix(h, 0)
	}
	return front, nil
}
