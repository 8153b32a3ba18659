// Package scheduler places RUNNABLE jobs on compute environments with AWS
// Batch's semantics: queues are served by priority (higher first), and a
// job goes to the first compute environment in its queue's order that is
// ENABLED, VALID and has room for its vCPUs within maxvCpus, and, where
// its executor runs tasks on one host, for its vCPUs and memory on that
// host (host.go). Capacity is counted in the vCPUs (and memory) of
// STARTING and RUNNING jobs. The scheduler decides
// placements; jobstate writes them (RUNNABLE to STARTING), as it writes
// every status.
//
// A queue without a scheduling policy is first in, first out: its jobs in
// submission order. A queue with a fair-share policy keeps one line per
// share identifier (highest schedulingPriority first, then submission
// order) and serves next the share whose recent usage, weighed by its
// weightFactor, is lowest (fairshare.go).
//
// The scheduler also says why a RUNNABLE job waits (waiting.go), and
// publishes what those reasons rest on for the servers sharing its
// database that do not lead, which give the same reasons from it
// (publish.go); it cancels jobs blocked at the head of a queue for longer
// than its jobStateTimeLimitActions allow, and shows the front of a queue
// (snapshot.go).
//
// The scheduler reacts to events: a submission, a finished attempt or a
// changed queue wakes it at once; a slow tick only guards against a missed
// wake-up.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobstate"
)

// Store is what the scheduler needs from the store.
type Store interface {
	GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error)
	ListJobQueues(ctx context.Context, after string, limit int) ([]*barge.JobQueue, error)
	ListComputeEnvironments(ctx context.Context, after string, limit int) ([]*barge.ComputeEnvironment, error)
	GetSchedulingPolicy(ctx context.Context, name string) (*barge.SchedulingPolicy, error)
	ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error)

	// The lines of fair-share queues.
	RunnableShares(ctx context.Context, queue string) ([]string, error)
	StartedShares(ctx context.Context, queue string) ([]string, error)
	ShareJobs(ctx context.Context, queue, share string, after barge.ShareCursor, limit int) ([]*barge.Job, error)
}

// Config configures a Scheduler.
type Config struct {
	Store Store
	// Jobs changes jobs' statuses: placements, and the jobs time-limit
	// actions cancel.
	Jobs  *jobstate.Lifecycle
	Scope barge.Scope
	Log   *slog.Logger
	Now   func() time.Time
	// Place receives the attempts the scheduler started (their jobs are
	// STARTING, durably); it must not block for long.
	Place func(ctx context.Context, placements []barge.Placement)
	// Tick is the longest the scheduler sleeps without a wake-up, and how
	// often it looks for jobs blocked at the head of their queue; 1s when 0.
	Tick time.Duration
	// Unavailable, when set, says why the executor of a compute
	// environment cannot start tasks now ("" when it can): nothing is
	// placed there meanwhile, and the jobs that wait for it say why.
	Unavailable func(ce *barge.ComputeEnvironment) string
	// Connecting, when set, reports whether a compute environment that
	// is Unavailable is so only because barge is connecting to its
	// executor for the first time (a Kubernetes cluster, just after
	// start-up or the compute environment's creation). A job that it
	// comes before in its queue's order waits for it rather than go to
	// the compute environments after it, as it would if it were up and
	// had room: the queue's order is kept through a connection's seconds.
	Connecting func(ce *barge.ComputeEnvironment) bool
	// Host, when set, names the host the executor of a compute
	// environment runs its tasks on (nil: a compute environment that is
	// gone), and what its tasks may hold there at once: compute
	// environments on the same host share its capacity, and a job is
	// placed only where its vCPUs and memory fit both its compute
	// environment's maxvCpus and its host. An unbounded capacity limits
	// nothing (simulated tasks).
	Host func(ce *barge.ComputeEnvironment) (string, barge.HostCapacity)
	// StartingReasons, when set, returns why the tasks of STARTING jobs
	// wait to run (a Pod no node takes), by job ID, for at most limit jobs.
	// The scheduler only publishes them with its view (PublishedView), for
	// the servers that do not lead.
	StartingReasons func(limit int) map[string]string
}

// Scheduler places jobs. It is safe for concurrent use.
type Scheduler struct {
	cfg  Config
	log  *slog.Logger
	wake chan struct{}

	mu     sync.Mutex
	used   map[string]float64    // compute environment name → vCPUs of its STARTING and RUNNING jobs
	mem    map[string]int        // compute environment name → MiB of memory of those jobs
	usage  map[string]*shareBook // fair-share queue → its shares' recent usage
	moved  map[string]int64      // queue → when a job last left the front of its line, epoch ms
	view   atomic.Pointer[view]  // what the last pass saw of queues and compute environments
	heads  map[string]*head      // time-limit actions: the heads of lines, by line
	lastTL time.Time             // when heads were last looked at (wall clock)
}

// pageSize is the most RUNNABLE jobs one query reads; placements of a pass
// are committed together.
const pageSize = 512

// minPageSize is the fewest RUNNABLE jobs one query of a pass reads.
const minPageSize = 32

// minJobVCPU is the smallest vCPU count a job can ask for: Fargate's
// smallest size (EC2 jobs need at least 1).
const minJobVCPU = 0.25

// maxPassJobs bounds the RUNNABLE jobs a pass looks at in one queue, so a
// queue of jobs too big for any compute environment cannot stall the others.
const maxPassJobs = 4096

// New returns a scheduler.
func New(cfg Config) *Scheduler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tick == 0 {
		cfg.Tick = time.Second
	}
	if cfg.Connecting == nil {
		cfg.Connecting = func(*barge.ComputeEnvironment) bool { return false }
	}
	if cfg.Unavailable == nil {
		cfg.Unavailable = func(*barge.ComputeEnvironment) string { return "" }
	}
	if cfg.Host == nil {
		cfg.Host = func(*barge.ComputeEnvironment) (string, barge.HostCapacity) { return "", barge.HostCapacity{} }
	}
	s := &Scheduler{cfg: cfg, log: cfg.Log, wake: make(chan struct{}, 1), used: map[string]float64{}, mem: map[string]int{},
		usage: map[string]*shareBook{}, moved: map[string]int64{}, heads: map[string]*head{}}
	return s
}

// Kick wakes the scheduler: something it may act on has changed.
func (s *Scheduler) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Release gives back the vCPUs and memory (MiB) of an attempt that ended
// on compute environment ce, and wakes the scheduler to use them.
func (s *Scheduler) Release(ce string, vcpu float64, memoryMiB int) {
	s.mu.Lock()
	s.used[ce] -= vcpu
	if s.used[ce] < 1e-9 {
		delete(s.used, ce)
	}
	s.mem[ce] -= memoryMiB
	if s.mem[ce] <= 0 {
		delete(s.mem, ce)
	}
	s.mu.Unlock()
	s.Kick()
}

// Used returns the vCPUs in use on compute environment ce.
func (s *Scheduler) Used(ce string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used[ce]
}

// Init counts the capacity that the STARTING and RUNNING jobs of a
// previous run still hold, and charges it to their shares' usage in
// fair-share queues. Call it once, before the runner recovers those jobs
// (whose ends give their capacity back) and before Run.
func (s *Scheduler) Init(ctx context.Context) error {
	return s.countUsage(ctx)
}

// Run places jobs until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		for {
			placed, err := s.pass(ctx)
			if err == nil && time.Since(s.lastTL) >= s.cfg.Tick {
				s.lastTL = time.Now()
				err = s.enforceTimeLimits(ctx)
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.log.Error("scheduling pass failed", "error", err)
				break
			}
			if placed == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-t.C:
		}
	}
}

// countUsage rebuilds the capacity in use from the jobs that hold it.
func (s *Scheduler) countUsage(ctx context.Context) error {
	queues, err := s.cfg.Store.ListJobQueues(ctx, "", 1000)
	if err != nil {
		return err
	}
	used, mem := map[string]float64{}, map[string]int{}
	now := s.cfg.Now()
	specs := newSpecCache(s.cfg.Store)
	for _, q := range queues {
		err := s.eachStarted(ctx, q.Name, specs, 0, func(j *barge.Job, spec *barge.JobSpec) {
			if j.Runtime != nil && j.Runtime.ComputeEnvironment != "" {
				used[j.Runtime.ComputeEnvironment] += barge.JobVCPU(spec)
				mem[j.Runtime.ComputeEnvironment] += barge.JobMemoryMiB(spec)
			}
			// What a share runs now is its most recent usage.
			s.mu.Lock()
			s.charge(q.Name, spec, barge.JobVCPU(spec), now)
			s.mu.Unlock()
		})
		if err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.used, s.mem = used, mem
	s.mu.Unlock()
	return nil
}

// eachStarted calls fn with each STARTING, then RUNNING, job of queue,
// oldest first, and its spec; it stops after reading limit jobs, unless
// limit is 0.
func (s *Scheduler) eachStarted(ctx context.Context, queue string, specs *specCache, limit int, fn func(*barge.Job, *barge.JobSpec)) error {
	read := 0
	for _, st := range []barge.JobStatus{barge.JobStarting, barge.JobRunning} {
		var cursor int64
		for limit == 0 || read < limit {
			jobs, err := s.cfg.Store.ListJobs(ctx, barge.JobQuery{Queue: queue, IncludeChildren: true, Status: st, Oldest: true, Cursor: cursor, Limit: pageSize})
			if err != nil {
				return err
			}
			if len(jobs) == 0 {
				break
			}
			read += len(jobs)
			cursor = jobs[len(jobs)-1].Seq
			for _, j := range jobs {
				spec, err := specs.of(ctx, j)
				if err != nil {
					return err
				}
				fn(j, spec)
			}
		}
	}
	return nil
}

// pass places what fits now, returning how many jobs it placed.
func (s *Scheduler) pass(ctx context.Context) (int, error) {
	queues, err := s.cfg.Store.ListJobQueues(ctx, "", 1000)
	if err != nil {
		return 0, err
	}
	ceList, err := s.cfg.Store.ListComputeEnvironments(ctx, "", 1000)
	if err != nil {
		return 0, err
	}
	ces := make(map[string]*barge.ComputeEnvironment, len(ceList))
	for _, ce := range ceList {
		ces[ce.Name] = ce
	}
	sort.SliceStable(queues, func(i, j int) bool {
		if queues[i].Priority != queues[j].Priority {
			return queues[i].Priority > queues[j].Priority
		}
		return queues[i].Name < queues[j].Name
	})

	s.mu.Lock()
	free := make(map[string]float64, len(ces))
	for name, ce := range ces {
		if usable(ce) {
			free[name] = float64(ce.MaxvCpus()) - s.used[name]
		}
	}
	s.mu.Unlock()
	down := map[string]string{}
	var connecting map[string]bool
	for name, ce := range ces {
		if _, ok := free[name]; ok {
			if why := s.cfg.Unavailable(ce); why != "" {
				delete(free, name) // its executor does not answer: nothing goes there
				down[name] = why
				if s.cfg.Connecting(ce) {
					if connecting == nil {
						connecting = map[string]bool{}
					}
					connecting[name] = true
				}
			}
		}
	}

	p := &passState{free: free, connecting: connecting, specs: newSpecCache(s.cfg.Store), policies: map[string]*barge.FairsharePolicy{}}
	v := &view{queues: make(map[string]*queueView, len(queues)), down: down, connecting: connecting, known: ces}
	s.hostRooms(ces, v, p)
	for _, q := range queues {
		qv := newQueueView(q, ces)
		v.queues[q.Name] = qv
		if q.State != barge.StateEnabled || q.Status == barge.StatusDeleting {
			continue
		}
		if q.SchedulingPolicyArn != "" {
			err = s.placeFairShare(ctx, p, qv)
		} else {
			err = s.placeFIFO(ctx, p, qv)
		}
		if err != nil {
			return 0, err
		}
	}
	s.view.Store(v)
	if len(p.placements) == 0 {
		return 0, nil
	}
	return s.commit(ctx, ces, p.placements)
}

// passState is what a pass has decided so far.
type passState struct {
	free       map[string]float64 // usable compute environment → vCPUs still free
	connecting map[string]bool    // usable compute environments whose executor is being connected
	specs      *specCache
	policies   map[string]*barge.FairsharePolicy // scheduling policy ARN → its fair-share policy
	placements []barge.Placement

	hosts  []hostRoom     // the bounded hosts of the usable compute environments
	hostOf map[string]int // usable compute environment on a bounded host → its index in hosts
}

// place records the decision to run j on compute environment ce.
func (p *passState) place(j *barge.Job, spec *barge.JobSpec, ce string, vcpu float64, mem int) {
	p.free[ce] -= vcpu
	if i, ok := p.hostOf[ce]; ok {
		p.hosts[i].vcpu -= vcpu
		p.hosts[i].mem -= mem
	}
	p.placements = append(p.placements, barge.Placement{Job: j, Spec: spec, ComputeEnvironment: ce, VCPU: vcpu, MemoryMiB: mem})
}

// fit returns the first compute environment of the queue's order that can
// take a job of spec now, within its maxvCpus and its host, or "". A job
// that a compute environment being connected could take comes to no
// compute environment after it.
func (p *passState) fit(qv *queueView, spec *barge.JobSpec, vcpu float64, mem int) string {
	for _, ce := range qv.ces {
		if p.connecting[ce.Name] && admits(ce, spec) && float64(ce.MaxvCpus())+1e-9 >= vcpu {
			return ""
		}
		if f, ok := p.free[ce.Name]; ok && f+1e-9 >= vcpu && admits(ce, spec) && p.hostFits(ce.Name, vcpu, mem) {
			return ce.Name
		}
	}
	return ""
}

// hostFits reports whether the host of usable compute environment ce has
// vcpu and mem free now.
func (p *passState) hostFits(ce string, vcpu float64, mem int) bool {
	i, ok := p.hostOf[ce]
	if !ok {
		return true
	}
	return p.hosts[i].fits(vcpu, mem)
}

// roomOf returns the vCPUs free on usable compute environment ce: within
// its maxvCpus and, on a bounded host, within the host's free vCPUs (none
// when its memory is all taken).
func (p *passState) roomOf(ce string) float64 {
	f := p.free[ce]
	if i, ok := p.hostOf[ce]; ok {
		h := &p.hosts[i]
		if limitsCPU(h.cap) {
			f = min(f, h.vcpu)
		}
		if limitsMemory(h.cap) && h.mem <= 0 {
			f = 0
		}
	}
	return f
}

// placeFIFO places the jobs of a first-in, first-out queue: oldest first,
// each on the first compute environment with room. A job with no room is
// passed over, so small jobs behind a big one still start.
func (s *Scheduler) placeFIFO(ctx context.Context, p *passState, qv *queueView) error {
	var cursor int64
	limit := 0
	for scanned := 0; scanned < maxPassJobs && qv.hasRoom(p); {
		limit = pageLimit(qv, p, limit)
		jobs, err := s.cfg.Store.ListJobs(ctx, barge.JobQuery{Queue: qv.queue.Name, IncludeChildren: true, Status: barge.JobRunnable, Oldest: true, Cursor: cursor, Limit: limit})
		if err != nil {
			return err
		}
		if len(jobs) == 0 {
			break
		}
		scanned += len(jobs)
		cursor = jobs[len(jobs)-1].Seq
		for _, j := range jobs {
			spec, err := p.specs.of(ctx, j)
			if err != nil {
				return err
			}
			vcpu, mem := barge.JobVCPU(spec), barge.JobMemoryMiB(spec)
			if ce := p.fit(qv, spec, vcpu, mem); ce != "" {
				p.place(j, spec, ce, vcpu, mem)
			}
		}
	}
	return nil
}

// usable reports whether a compute environment can take jobs.
func usable(ce *barge.ComputeEnvironment) bool {
	return ce.State == barge.StateEnabled && (ce.Status == barge.StatusValid || ce.Status == barge.StatusUpdating)
}

// admits reports whether compute environment ce can run a job of spec at
// all: Fargate Spot runs neither ARM64 nor Windows containers.
func admits(ce *barge.ComputeEnvironment, spec *barge.JobSpec) bool {
	if ce.ComputeResources == nil || ce.ComputeResources.Type != barge.CRFargateSpot || spec == nil || spec.Container == nil {
		return true
	}
	rp := spec.Container.RuntimePlatform
	return rp == nil || (rp.CPUArchitecture == "" || rp.CPUArchitecture == "X86_64") &&
		(rp.OperatingSystemFamily == "" || rp.OperatingSystemFamily == "LINUX")
}

// pageLimit returns how many RUNNABLE jobs the next query of a queue reads,
// given the limit of its previous query (0 for the first). Reading a job
// costs far more than deciding where it goes (its spec is decoded), and
// when capacity is scarce, as when a full compute environment has room for
// the few jobs that just ended, a full page would read hundreds of jobs to
// place a handful. So a query reads no more jobs than the room left could
// take at the smallest job size, and at least twice its predecessor, so
// that jobs too big to fit cost few queries.
func pageLimit(qv *queueView, p *passState, prev int) int {
	n := int(min(qv.room(p)/minJobVCPU+1, pageSize))
	return min(pageSize, max(n, 2*prev, minPageSize))
}

// commit moves the placed jobs to STARTING in one durable write, counts
// their capacity, and hands them to Place. A job whose status changed
// meanwhile (cancelled, say) is left out.
func (s *Scheduler) commit(ctx context.Context, ces map[string]*barge.ComputeEnvironment, placements []barge.Placement) (int, error) {
	for i := range placements {
		placements[i].CE = ces[placements[i].ComputeEnvironment]
	}
	conflicts, err := s.cfg.Jobs.Place(ctx, placements, func(ce string) string { return s.taskARN(ces[ce]) })
	if err != nil {
		return 0, err
	}
	skip := make(map[string]bool, len(conflicts))
	for _, id := range conflicts {
		skip[id] = true
	}
	placed := placements[:0]
	now := s.cfg.Now()
	s.mu.Lock()
	for _, p := range placements {
		if skip[p.Job.ID] {
			continue
		}
		s.used[p.ComputeEnvironment] += p.VCPU
		s.mem[p.ComputeEnvironment] += p.MemoryMiB
		s.moved[p.Job.Queue] = now.UnixMilli()
		s.charge(p.Job.Queue, p.Spec, p.VCPU, now)
		placed = append(placed, p)
	}
	s.mu.Unlock()
	if len(placed) > 0 && s.cfg.Place != nil {
		s.cfg.Place(ctx, placed)
	}
	return len(placed), nil
}

// taskARN returns a new ECS-style task ARN in the compute environment's
// cluster: arn:aws:ecs:<region>:<account>:task/<cluster>/<32-hex id>.
func (s *Scheduler) taskARN(ce *barge.ComputeEnvironment) string {
	var b [16]byte
	rand.Read(b[:])
	cluster := "AWSBatch-" + ce.Name
	if i := strings.LastIndex(ce.EcsClusterArn, "/"); i >= 0 {
		cluster = ce.EcsClusterArn[i+1:]
	}
	return s.cfg.Scope.ARNPrefix("ecs") + "task/" + cluster + "/" + hex.EncodeToString(b[:])
}

// specCache loads array parents' specs once per pass.
type specCache struct {
	store   Store
	parents map[string]*barge.JobSpec
}

func newSpecCache(st Store) *specCache {
	return &specCache{store: st, parents: map[string]*barge.JobSpec{}}
}

// of returns the spec job j runs with: its own, or its array parent's.
func (c *specCache) of(ctx context.Context, j *barge.Job) (*barge.JobSpec, error) {
	if j.Spec != nil {
		return j.Spec, nil
	}
	if spec, ok := c.parents[j.ArrayParent]; ok {
		return spec, nil
	}
	found, err := c.store.GetJobs(ctx, []string{j.ArrayParent})
	if err != nil {
		return nil, err
	}
	var spec *barge.JobSpec
	if len(found) == 1 {
		spec = found[0].Spec
	}
	c.parents[j.ArrayParent] = spec
	return spec, nil
}
