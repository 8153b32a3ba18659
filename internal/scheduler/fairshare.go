package scheduler

import (
	"container/heap"
	"context"
	"math"
	"time"

	"github.com/bargehq/barge"
)

// Fair share. A queue with a fair-share scheduling policy keeps one line
// per share identifier, highest schedulingPriority first and then in
// submission order (the store's jobs_share_runnable index). Each share has
// a usage: the vCPUs of the jobs placed for it, each counting for less as
// time goes on, halving every shareDecaySeconds (600 when 0). The share
// served next is the one whose usage times its weightFactor is lowest, so
// that under contention a share's placements, in vCPUs, are inversely
// proportional to its weight: a share of weight 0.5 gets twice the compute
// of a share of weight 1. Usage is kept in memory: a restart forgets the
// history, and counts again only what runs.
//
// computeReservation r (1-99) holds back (r/100)^A of the queue's maximum
// vCPUs, A being the number of active shares (those with jobs STARTING or
// RUNNING), for shares not yet active: a job of an active share is placed
// only while the vCPUs in use on the queue's compute environments stay
// within the rest.
//
// Within a share, a job that does not fit the room left keeps the jobs
// behind it waiting (they would pass it by on every pass otherwise); a job
// that no compute environment of the queue could ever run is passed over,
// and its reason says so (waiting.go).

// defaultDecaySeconds is the half-life of usage when shareDecaySeconds is
// 0: AWS's default window.
const defaultDecaySeconds = 600

// usage is a share's recent use of a queue's capacity.
type usage struct {
	vcpu float64 // as of at
	at   time.Time
}

// value returns the usage at now, decayed with half-life halfLife seconds.
func (u *usage) value(now time.Time, halfLife float64) float64 {
	if u == nil {
		return 0
	}
	dt := now.Sub(u.at).Seconds()
	if dt <= 0 {
		return u.vcpu
	}
	return u.vcpu * math.Exp2(-dt/halfLife)
}

// shareBook is the usage of a fair-share queue's shares.
type shareBook struct {
	halfLife float64 // seconds
	shares   map[string]*usage
}

// book returns queue's share book, made with halfLife if new. s.mu is held.
func (s *Scheduler) book(queue string, halfLife float64) *shareBook {
	b := s.usage[queue]
	if b == nil {
		b = &shareBook{halfLife: halfLife, shares: map[string]*usage{}}
		s.usage[queue] = b
	}
	return b
}

// charge adds a placement of vcpu vCPUs to the usage of the job's share in
// queue, if it has one. s.mu is held.
func (s *Scheduler) charge(queue string, spec *barge.JobSpec, vcpu float64, now time.Time) {
	if spec == nil || spec.ShareIdentifier == "" {
		return
	}
	b := s.book(queue, defaultDecaySeconds)
	u := b.shares[spec.ShareIdentifier]
	if u == nil {
		u = &usage{}
		b.shares[spec.ShareIdentifier] = u
	}
	u.vcpu, u.at = u.value(now, b.halfLife)+vcpu, now
}

// halfLife returns the half-life of a policy's usage, in seconds.
func halfLife(fp *barge.FairsharePolicy) float64 {
	if fp.ShareDecaySeconds != nil && *fp.ShareDecaySeconds > 0 {
		return float64(*fp.ShareDecaySeconds)
	}
	return defaultDecaySeconds
}

// weight returns share's weightFactor in policy fp: its own entry's, or
// that of the prefix entry (ending in *) it starts with, or 1. Entries do
// not overlap, so at most one matches.
func weight(fp *barge.FairsharePolicy, share string) float64 {
	for _, a := range fp.ShareDistribution {
		if barge.MatchPattern(a.ShareIdentifier, share) {
			if a.WeightFactor != nil && *a.WeightFactor > 0 {
				return *a.WeightFactor
			}
			return 1
		}
	}
	return 1
}

// priorityOf is a job's place among its share's jobs: its schedulingPriority,
// 0 when it has none.
func priorityOf(spec *barge.JobSpec) int {
	if spec == nil || spec.SchedulingPriority == nil {
		return 0
	}
	return *spec.SchedulingPriority
}

// fairsharePolicy returns the fair-share policy of queue q, nil if its
// policy is of another kind (quota share, which barge schedules first in,
// first out). A pass reads each policy once.
func (s *Scheduler) fairsharePolicy(ctx context.Context, policies map[string]*barge.FairsharePolicy, q *barge.JobQueue) (*barge.FairsharePolicy, error) {
	if fp, ok := policies[q.SchedulingPolicyArn]; ok {
		return fp, nil
	}
	name, _ := s.cfg.Scope.NameFromRef(barge.KindSchedulingPolicy, q.SchedulingPolicyArn)
	p, err := s.cfg.Store.GetSchedulingPolicy(ctx, name)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		p, err = &barge.SchedulingPolicy{}, nil // deleted meanwhile: serve the queue first in, first out
	}
	if err != nil {
		return nil, err
	}
	policies[q.SchedulingPolicyArn] = p.FairsharePolicy
	return p.FairsharePolicy, nil
}

// line is the front of one share's line during a pass.
type line struct {
	share  string
	weight float64
	score  float64      // weighted usage, this pass's placements included
	jobs   []*barge.Job // read from the store and not yet looked at
	after  barge.ShareCursor
	limit  int  // how many jobs the next read takes
	ended  bool // the store has no more
}

// next returns the next job of the line, reading more when needed; nil at
// the end.
func (l *line) next(ctx context.Context, st Store, queue string) (*barge.Job, error) {
	if len(l.jobs) == 0 && !l.ended {
		jobs, err := st.ShareJobs(ctx, queue, l.share, l.after, l.limit)
		if err != nil {
			return nil, err
		}
		l.ended = len(jobs) < l.limit
		l.jobs = jobs
		l.limit = min(2*l.limit, pageSize)
	}
	if len(l.jobs) == 0 {
		return nil, nil
	}
	j := l.jobs[0]
	l.jobs = l.jobs[1:]
	return j, nil
}

// lines orders the lines of a pass: lowest weighted usage first (the share
// most owed), then by share identifier.
type lines []*line

func (h lines) Len() int { return len(h) }
func (h lines) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].share < h[j].share
}
func (h lines) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *lines) Push(x any)   { *h = append(*h, x.(*line)) }
func (h *lines) Pop() any {
	old := *h
	l := old[len(old)-1]
	*h = old[:len(old)-1]
	return l
}

// openLines returns the lines of queue's shares that have RUNNABLE jobs,
// scored by their usage now, in serving order; each first read takes
// about its part of room.
func (s *Scheduler) openLines(ctx context.Context, queue string, fp *barge.FairsharePolicy, room float64, now time.Time) (*lines, error) {
	names, err := s.cfg.Store.RunnableShares(ctx, queue)
	if err != nil || len(names) == 0 {
		return &lines{}, err
	}
	// Reading a job costs far more than deciding on it (its spec is
	// decoded): a line's first read takes its even part of what a pass
	// could place (what the room holds at the smallest job size, at most
	// maxPassJobs), and each further read twice the last.
	budget := min(room/minJobVCPU, maxPassJobs)
	limit := max(1, min(pageSize, int(math.Ceil(budget/float64(len(names))))))
	hl := halfLife(fp)
	h := make(lines, len(names))
	s.mu.Lock()
	b := s.book(queue, hl)
	b.halfLife = hl
	for share, u := range b.shares {
		if u.value(now, hl) < 1e-6 {
			delete(b.shares, share) // long idle: as good as new
		}
	}
	for i, name := range names {
		w := weight(fp, name)
		h[i] = &line{share: name, weight: w, score: w * b.shares[name].value(now, hl), limit: limit}
	}
	s.mu.Unlock()
	heap.Init(&h)
	return &h, nil
}

// placeFairShare places the jobs of a fair-share queue, share by share.
func (s *Scheduler) placeFairShare(ctx context.Context, p *passState, qv *queueView) error {
	fp, err := s.fairsharePolicy(ctx, p.policies, qv.queue)
	if err != nil {
		return err
	}
	if fp == nil {
		return s.placeFIFO(ctx, p, qv)
	}
	qv.fairshare = fp
	if !qv.hasRoom(p) {
		return s.noteReservation(ctx, p, qv, fp)
	}
	h, err := s.openLines(ctx, qv.queue.Name, fp, qv.room(p), s.cfg.Now())
	if err != nil {
		return err
	}
	res, err := s.reservation(ctx, p, qv, fp)
	if err != nil {
		return err
	}
	for scanned := 0; scanned < maxPassJobs && h.Len() > 0 && qv.hasRoom(p); {
		l := (*h)[0]
		j, err := l.next(ctx, s.cfg.Store, qv.queue.Name)
		if err != nil {
			return err
		}
		if j == nil {
			heap.Pop(h)
			continue
		}
		scanned++
		spec, err := p.specs.of(ctx, j)
		if err != nil {
			return err
		}
		l.after = barge.ShareCursor{Priority: priorityOf(spec), Seq: j.Seq}
		vcpu, mem := barge.JobVCPU(spec), barge.JobMemoryMiB(spec)
		ce := p.fit(qv, spec, vcpu, mem)
		if ce != "" && !res.allows(l.share, vcpu) {
			ce = ""
		}
		if ce == "" {
			if qv.canEverRun(p, spec, vcpu, mem) {
				heap.Pop(h) // the share waits for room; its other jobs wait behind this one
			}
			continue // a job no compute environment can run is passed over
		}
		p.place(j, spec, ce, vcpu, mem)
		res.took(l.share, vcpu)
		l.score += vcpu * l.weight
		heap.Fix(h, 0)
	}
	qv.active, qv.reserved = res.active, res.reserved()
	return nil
}

// reservation is computeReservation during a pass over one queue.
type reservation struct {
	ratio  float64         // computeReservation/100; 0 when none
	max    float64         // the maximum vCPUs of the queue's usable compute environments
	used   float64         // of which in use
	active map[string]bool // shares holding capacity in the queue
}

// reservation reads which shares of qv's queue are active, when its policy
// reserves capacity for the others.
func (s *Scheduler) reservation(ctx context.Context, p *passState, qv *queueView, fp *barge.FairsharePolicy) (*reservation, error) {
	r := &reservation{}
	if fp.ComputeReservation == nil || *fp.ComputeReservation <= 0 {
		return r, nil
	}
	shares, err := s.cfg.Store.StartedShares(ctx, qv.queue.Name)
	if err != nil {
		return nil, err
	}
	r.ratio = float64(*fp.ComputeReservation) / 100
	r.active = make(map[string]bool, len(shares))
	for _, share := range shares {
		r.active[share] = true
	}
	for _, ce := range qv.ces {
		if f, ok := p.free[ce.Name]; ok {
			r.max += float64(ce.MaxvCpus())
			r.used += float64(ce.MaxvCpus()) - f
		}
	}
	return r, nil
}

// noteReservation records, for the reasons of waiting jobs, what a queue
// without room reserves.
func (s *Scheduler) noteReservation(ctx context.Context, p *passState, qv *queueView, fp *barge.FairsharePolicy) error {
	res, err := s.reservation(ctx, p, qv, fp)
	if err != nil {
		return err
	}
	qv.active, qv.reserved = res.active, res.reserved()
	return nil
}

// reserved returns the vCPUs held back for shares not active.
func (r *reservation) reserved() float64 {
	if r.ratio == 0 {
		return 0
	}
	return r.max * math.Pow(r.ratio, float64(len(r.active)))
}

// allows reports whether a job of vcpu vCPUs of share may take capacity:
// a share not yet active may use the reserve.
func (r *reservation) allows(share string, vcpu float64) bool {
	return r.ratio == 0 || !r.active[share] || r.used+vcpu <= r.max-r.reserved()+1e-9
}

// took counts a placement of share.
func (r *reservation) took(share string, vcpu float64) {
	if r.ratio == 0 {
		return
	}
	r.used += vcpu
	r.active[share] = true
}
