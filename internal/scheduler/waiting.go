package scheduler

import (
	"cmp"
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// Why a job waits. AWS Batch sets the statusReason of a RUNNABLE job that
// blocks the head of its queue to one of a few reasons, and its queue's
// jobStateTimeLimitActions cancel such a job after a while. barge says why
// every RUNNABLE job waits, computed when the job is read from what the
// last pass saw of its queue, so that a million waiting jobs cost no
// writes: AWS's reasons where AWS has one, barge's own sentences where AWS
// says nothing (a disabled queue, a full compute environment).

// AWS's reasons for a job that blocks its queue (the codes are what
// jobStateTimeLimitActions name), from the AWS Batch User Guide, "Jobs
// stuck in a RUNNABLE status".
const (
	codeJobResource = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT"
	codeMaxResource = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"
	codeInvalidCEs  = "ACTION_REQUIRED"

	reasonJobResource = codeJobResource + " - The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue."
	reasonMaxResource = codeMaxResource + " - CE(s) associated with the job queue cannot meet the CPU requirement of the job."
	reasonInvalidCEs  = codeInvalidCEs + " - CE(s) associated with the job queue are invalid."

	// reasonTimeLimit prefixes the statusReason of a job a time-limit
	// action cancelled; the action's reason follows.
	reasonTimeLimit = "Canceled by JobStateTimeLimit action due to reason: "
)

// view is what a pass saw of the queues and compute environments: the
// ground of the reasons given until the next pass.
type view struct {
	queues map[string]*queueView
	down   map[string]string // usable compute environment → why its executor cannot start tasks
	// connecting holds the compute environments of down whose executor
	// is being connected for the first time (Config.Connecting).
	connecting map[string]bool

	// Host capacity (host.go).
	ceHost   map[string]string                    // compute environment on a bounded host → the host
	hostCap  map[string]barge.HostCapacity        // bounded host → its capacity
	known    map[string]*barge.ComputeEnvironment // every compute environment of the pass
	goneHost string                               // the bounded host of compute environments that are gone, or ""
}

// queueView is one queue as a pass saw it.
type queueView struct {
	queue *barge.JobQueue
	ces   []*barge.ComputeEnvironment // the queue's compute environments, in its order

	// Fair-share queues only.
	fairshare *barge.FairsharePolicy
	reserved  float64         // vCPUs held back for shares not active (computeReservation)
	active    map[string]bool // the active shares, when some capacity is reserved
}

func newQueueView(q *barge.JobQueue, ces map[string]*barge.ComputeEnvironment) *queueView {
	order := append([]barge.ComputeEnvironmentOrder(nil), q.ComputeEnvironmentOrder...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].Order < order[j].Order })
	qv := &queueView{queue: q}
	for _, o := range order {
		if ce, ok := ces[o.ComputeEnvironment]; ok {
			qv.ces = append(qv.ces, ce)
		}
	}
	return qv
}

// hasRoom reports whether any compute environment of the queue has free
// vCPUs, within its maxvCpus and its host (passState.roomOf).
func (qv *queueView) hasRoom(p *passState) bool {
	for _, ce := range qv.ces {
		if p.roomOf(ce.Name) > 1e-9 {
			return true
		}
	}
	return false
}

// room returns the free vCPUs of the queue's compute environments, within
// their maxvCpus and their hosts.
func (qv *queueView) room(p *passState) float64 {
	var room float64
	for _, ce := range qv.ces {
		room += max(0, p.roomOf(ce.Name))
	}
	return room
}

// canEverRun reports whether a usable compute environment of the queue
// could run a job of spec, once it and its host have room.
func (qv *queueView) canEverRun(p *passState, spec *barge.JobSpec, vcpu float64, mem int) bool {
	for _, ce := range qv.ces {
		i, bounded := p.hostOf[ce.Name]
		if usable(ce) && admits(ce, spec) && float64(ce.MaxvCpus())+1e-9 >= vcpu && (!bounded || holds(p.hosts[i].cap, vcpu, mem)) {
			return true
		}
	}
	return false
}

// wait is why a RUNNABLE job is not placed: text is its statusReason, code
// AWS's reason code for a job that blocks its queue ("" for the others).
type wait struct{ code, text string }

// WaitReason returns why a RUNNABLE job of spec in queue waits, "" when it
// waits only for its turn or nothing is known yet (no pass has run).
func (s *Scheduler) WaitReason(queue string, spec *barge.JobSpec) string {
	v := s.view.Load()
	if v == nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return reasons{v: v, used: s.used, mem: s.mem}.waitReason(queue, spec)
}

// reasons is the ground of the reasons why jobs wait: what a pass saw of
// the queues and compute environments, and the capacity jobs hold now.
// The leader's scheduler keeps both in memory; the other servers load what
// it published (View), and give the same reasons from it with the same
// code. On the leader, used and mem are the Scheduler's own: whoever calls
// a method of reasons holds s.mu.
type reasons struct {
	v    *view
	used map[string]float64 // compute environment name → vCPUs of its STARTING and RUNNING jobs
	mem  map[string]int     // compute environment name → MiB of memory of those jobs
}

// waitReason returns why a RUNNABLE job of spec in queue waits, "" when it
// waits only for its turn or the queue is unknown.
func (r reasons) waitReason(queue string, spec *barge.JobSpec) string {
	qv := r.v.queues[queue]
	if qv == nil {
		return ""
	}
	return r.why(qv, spec).text
}

// why says why a RUNNABLE job of spec in the queue qv waits: the first of
// its queue disabled, no compute environment able to run jobs, none able
// to run this job (AWS's MISCONFIGURATION reasons), none with room now,
// the room held back for other shares.
func (r reasons) why(qv *queueView, spec *barge.JobSpec) wait {
	v := r.v
	q := qv.queue
	if q.State != barge.StateEnabled {
		return wait{text: barge.FitReason("Job queue %s is DISABLED: its jobs wait until it is enabled (update-job-queue --job-queue %s --state ENABLED).", q.Name, q.Name)}
	}
	vcpu, mem := barge.JobVCPU(spec), barge.JobMemoryMiB(spec)
	for _, ce := range qv.ces {
		// The first compute environment that could take the job is being
		// connected: the job waits for it (passState.fit).
		if !usable(ce) || !admits(ce, spec) || float64(ce.MaxvCpus())+1e-9 < vcpu {
			continue
		}
		if v.connecting[ce.Name] {
			return wait{text: barge.FitReason("Waiting for an executor that answers: compute environment %s: %s.", ce.Name, v.down[ce.Name])}
		}
		if v.down[ce.Name] == "" {
			break
		}
	}
	var usableCEs, admitting, big []*barge.ComputeEnvironment
	var down []string
	for _, ce := range qv.ces {
		if !usable(ce) {
			continue
		}
		if why := v.down[ce.Name]; why != "" {
			down = append(down, "compute environment "+ce.Name+": "+why)
			continue
		}
		usableCEs = append(usableCEs, ce)
		if admits(ce, spec) {
			admitting = append(admitting, ce)
		}
	}
	never := ""
	for _, ce := range admitting {
		if float64(ce.MaxvCpus())+1e-9 >= vcpu {
			if why := neverFits(v, ce.Name, vcpu, mem); why != "" {
				never = cmp.Or(never, why)
				continue
			}
			big = append(big, ce)
		}
	}
	switch {
	case len(usableCEs) == 0 && len(down) > 0:
		return wait{text: barge.FitReason("Waiting for an executor that answers: %s.", strings.Join(down, "; "))}
	case len(usableCEs) == 0:
		return noComputeEnvironment(qv)
	case len(admitting) == 0:
		return wait{codeJobResource, reasonJobResource}
	case len(big) == 0 && never != "":
		return wait{text: never} // AWS would run it: no code, no time-limit action
	case len(big) == 0:
		return wait{codeMaxResource, reasonMaxResource}
	}

	format := "Waiting for capacity: the job needs %s vCPU"
	args := []any{vcpus(vcpu)}
	var free float64
	var host string
	roomy := 0
	for _, ce := range big {
		used, most := r.used[ce.Name], float64(ce.MaxvCpus())
		if most-used+1e-9 >= vcpu {
			if why := r.hostWait(ce.Name, vcpu, mem); why != "" {
				host = cmp.Or(host, why)
				continue
			}
			free += most - used
			roomy++
			continue
		}
		format += "; compute environment %s has %s of %s vCPUs in use"
		args = append(args, ce.Name, vcpus(used), vcpus(most))
	}
	if len(args) == 1+3*len(big) {
		return wait{text: barge.FitReason(format+".", args...)}
	}
	if roomy == 0 && host != "" {
		return wait{text: host}
	}
	if spec != nil && qv.reserved > 0 && qv.active[spec.ShareIdentifier] && free-qv.reserved < vcpu-1e-9 {
		return wait{text: shareReason(spec.ShareIdentifier, qv.reserved)}
	}
	return wait{}
}

// shareReason is why a job of share waits while reserved vCPUs are held
// back for shares that have no jobs running.
func shareReason(share string, reserved float64) string {
	return barge.FitReason("Waiting for capacity: share %s has jobs running, and %s vCPUs are held back for shares that have none (the scheduling policy's computeReservation).",
		share, vcpus(reserved))
}

// noComputeEnvironment is the reason of a queue none of whose compute
// environments can run jobs.
func noComputeEnvironment(qv *queueView) wait {
	var states []string
	args := []any{qv.queue.Name}
	invalid := 0
	for _, ce := range qv.ces {
		state := string(ce.Status)
		switch {
		case ce.Status == barge.StatusInvalid:
			invalid++
			state = "INVALID"
		case ce.State != barge.StateEnabled:
			state = "DISABLED"
		}
		states = append(states, "%s is "+state)
		args = append(args, ce.Name)
	}
	if invalid > 0 && invalid == len(qv.ces) {
		return wait{codeInvalidCEs, reasonInvalidCEs}
	}
	if len(states) == 0 {
		return wait{text: barge.FitReason("Job queue %s has no compute environment: give it one with update-job-queue --compute-environment-order.", qv.queue.Name)}
	}
	return wait{text: barge.FitReason("No compute environment of job queue %s can run jobs now: "+strings.Join(states, ", ")+". Enable one with update-compute-environment --state ENABLED.", args...)}
}

// vcpus formats a number of vCPUs: 16, 0.25.
func vcpus(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// head is the job at the head of a line, for time-limit actions.
type head struct {
	jobID string
	code  string    // why it waits
	since time.Time // since when it has been at the head for that reason
}

// enforceTimeLimits cancels the jobs that have been at the head of their
// line (a queue's, or a share's in a fair-share queue) blocked for a reason
// one of their queue's jobStateTimeLimitActions names, for that action's
// maxTimeSeconds. The clock of a head starts when the scheduler first sees
// it there for that reason: a new head, or a new reason, starts it again.
func (s *Scheduler) enforceTimeLimits(ctx context.Context) error {
	v := s.view.Load()
	if v == nil {
		return nil
	}
	now := s.cfg.Now()
	seen := map[string]bool{}
	specs := newSpecCache(s.cfg.Store)
	for _, qv := range v.queues {
		actions := cancelActions(qv.queue)
		if len(actions) == 0 || qv.queue.Status == barge.StatusDeleting {
			continue
		}
		heads, err := s.lineHeads(ctx, qv)
		if err != nil {
			return err
		}
		for key, j := range heads {
			seen[key] = true
			spec, err := specs.of(ctx, j)
			if err != nil {
				return err
			}
			s.mu.Lock()
			w := reasons{v: v, used: s.used, mem: s.mem}.why(qv, spec)
			s.mu.Unlock()
			h := s.headOf(key)
			if h == nil || h.jobID != j.ID || h.code != w.code {
				h = &head{jobID: j.ID, code: w.code, since: now}
				s.setHead(key, h)
			}
			for _, a := range actions {
				if w.code != "" && a.Reason == w.code && now.Sub(h.since) >= time.Duration(a.MaxTimeSeconds)*time.Second {
					if err := s.cancelBlocked(ctx, j, a.Reason, now); err != nil {
						return err
					}
					break
				}
			}
		}
	}
	s.mu.Lock()
	for key := range s.heads {
		if !seen[key] {
			delete(s.heads, key)
		}
	}
	s.mu.Unlock()
	return nil
}

func (s *Scheduler) headOf(key string) *head {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heads[key]
}

func (s *Scheduler) setHead(key string, h *head) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heads[key] = h
}

// cancelActions returns the queue's actions that cancel RUNNABLE jobs.
func cancelActions(q *barge.JobQueue) []barge.JobStateTimeLimitAction {
	var out []barge.JobStateTimeLimitAction
	for _, a := range q.JobStateTimeLimitActions {
		if a.State == string(barge.JobRunnable) && a.Action == "CANCEL" {
			out = append(out, a)
		}
	}
	return out
}

// lineHeads returns the first RUNNABLE job of each line of the queue, by line:
// the queue's one line, or each share's.
func (s *Scheduler) lineHeads(ctx context.Context, qv *queueView) (map[string]*barge.Job, error) {
	q := qv.queue
	out := map[string]*barge.Job{}
	if q.SchedulingPolicyArn == "" {
		jobs, err := s.cfg.Store.ListJobs(ctx, barge.JobQuery{Queue: q.Name, IncludeChildren: true, Status: barge.JobRunnable, Oldest: true, Limit: 1})
		if err != nil || len(jobs) == 0 {
			return out, err
		}
		out[q.Name] = jobs[0]
		return out, nil
	}
	shares, err := s.cfg.Store.RunnableShares(ctx, q.Name)
	if err != nil {
		return nil, err
	}
	for _, share := range shares {
		jobs, err := s.cfg.Store.ShareJobs(ctx, q.Name, share, barge.ShareCursor{}, 1)
		if err != nil {
			return nil, err
		}
		if len(jobs) == 1 {
			out[q.Name+"\x00"+share] = jobs[0]
		}
	}
	return out, nil
}

// cancelBlocked cancels a RUNNABLE job a time-limit action cancels, with
// AWS's statusReason. A job that changed meanwhile is left alone.
func (s *Scheduler) cancelBlocked(ctx context.Context, j *barge.Job, reason string, now time.Time) error {
	cancelled, err := s.cfg.Jobs.CancelBlocked(ctx, j, barge.FitReason(reasonTimeLimit+"%s", reason))
	if err != nil || !cancelled {
		return err
	}
	s.mu.Lock()
	s.moved[j.Queue] = now.UnixMilli()
	s.mu.Unlock()
	s.log.Info("job cancelled by its queue's time-limit action", "job_id", j.ID, "queue", j.Queue, "reason", reason)
	return nil
}
