package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bargehq/barge"
)

// reasonLost is the container reason of an attempt whose task disappeared
// while barge was down (the host was rebooted, or someone removed it).
const reasonLost = "Task stopped: its container was gone when barge restarted"

// reasonGone is the container reason of an attempt whose task disappeared
// while barge followed it (someone removed its container).
const reasonGone = "Task stopped: its container is gone"

// Recover takes over the attempts of a previous run; call it before the
// scheduler starts. A task still running is adopted (its output followed
// from where it was, its end recorded); one that ended meanwhile has its
// outcome recorded now. A STARTING job's task is started again, which the
// Executor contract makes safe: one that ran is adopted, one that never
// ran starts afresh in the same attempt (or, when its executor cannot
// start it now, the job goes back to RUNNABLE without using an attempt).
// A RUNNING job whose task is gone fails; a task that belongs to no
// unfinished attempt is removed. Nothing that finished runs again.
//
// An executor that does not answer (its container engine is down) is no
// error: nothing is placed on it, and the attempts of its compute
// environments are taken over as above once it answers (recoverLater). So
// is a Kubernetes cluster that cannot be reached: its compute environments
// say so, and their attempts are taken over once it is connected.
func (r *Runner) Recover(ctx context.Context) error {
	queues, err := r.cfg.Store.ListJobQueues(ctx, "", 1000)
	if err != nil {
		return err
	}
	specs := &recoverySpecs{r: r, parents: map[string]*barge.JobSpec{}}
	var inFlight []barge.Placement
	for _, q := range queues {
		for _, st := range []barge.JobStatus{barge.JobStarting, barge.JobRunning} {
			var cursor int64
			for {
				page, err := r.cfg.Store.ListJobs(ctx, barge.JobQuery{Queue: q.Name, IncludeChildren: true, Status: st, Oldest: true, Cursor: cursor, Limit: 512})
				if err != nil {
					return err
				}
				if len(page) == 0 {
					break
				}
				cursor = page[len(page)-1].Seq
				for _, j := range page {
					if j.Runtime == nil || j.Runtime.TaskArn == "" {
						continue
					}
					p, err := specs.placement(ctx, j)
					if err != nil {
						return err
					}
					if p != nil {
						inFlight = append(inFlight, *p)
					}
				}
			}
		}
	}
	// A Kubernetes cluster no job has asked for since the start is not
	// connected yet: connect those of unfinished attempts before listing.
	if err := connectClusters(ctx, r, inFlight); err != nil {
		return err
	}

	type listed struct {
		info barge.TaskInfo
		exec barge.Executor
	}
	byTask := map[string]listed{}
	down := map[barge.Executor]bool{}
	listedBy := map[barge.Executor]bool{} // the executors that listed their tasks
	for _, x := range r.executors() {
		// A Ping first, bounded by seconds: an engine that does not
		// answer is not waited for.
		err := x.Ping(ctx)
		var tasks []barge.TaskInfo
		if err == nil {
			if tasks, err = listTasks(ctx, x); err != nil {
				if perr := x.Ping(ctx); perr != nil {
					err = perr // says which engine does not answer
				}
			}
		}
		if err != nil {
			r.cfg.OnExecutorError("list")
			r.setHealth(x, err)
			down[x] = true
			continue
		}
		listedBy[x] = true
		for _, t := range tasks {
			byTask[t.TaskID] = listed{t, x}
		}
	}
	chosen := &recoveryExecutors{r: r, byCE: map[string]barge.Executor{}}
	adopted := map[string]bool{}
	later := map[barge.Executor][]string{} // job IDs, by executor that did not list its tasks
	unreached := map[clusterKey][]string{} // job IDs, by cluster not connected
	for _, p := range inFlight {
		j := p.Job
		taskID := barge.TaskID(j.Runtime.TaskArn)
		t, found := byTask[taskID]
		x, refused := t.exec, error(nil)
		if !found {
			if x, refused = chosen.of(ctx, p.ComputeEnvironment); refused != nil {
				var u unreachable
				if errors.As(refused, &u) {
					unreached[u.key] = append(unreached[u.key], j.ID)
					continue
				}
				if _, ok := barge.AsTaskError(refused); !ok {
					return refused
				}
			}
		}
		if !found && (down[x] || !listedBy[x]) {
			// Not listed: it does not answer, or its cluster was
			// connected since the listing.
			later[x] = append(later[x], j.ID)
			continue
		}
		adopted[taskID] = true
		r.takeOver(ctx, p, x, refused, found)
	}
	for id, t := range byTask {
		if !adopted[id] {
			if err := t.exec.Remove(ctx, id); err != nil {
				r.cfg.OnExecutorError("remove")
				r.log.Warn("removing a leftover task failed", "task_id", id, "error", err)
			}
		}
	}
	for x := range down {
		if _, ok := later[x]; !ok {
			later[x] = nil // its leftover tasks go once it answers
		}
	}
	for x := range later {
		r.log.Warn("executor did not list its tasks at start: the tasks of its jobs are taken over once it does", "executor", x.Name(), "jobs", len(later[x]))
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.recoverLater(ctx, x, later[x])
		}()
	}
	for key, ids := range unreached {
		r.log.Warn("Kubernetes cluster cannot be reached at start: the tasks of its jobs are taken over once it can",
			"kube_context", key.cluster, "kube_namespace", key.namespace, "jobs", len(ids))
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			x, err := r.cfg.Clusters.Wait(ctx, key.cluster, key.namespace)
			if err != nil {
				return // barge stops: a restart takes them over
			}
			r.recoverLater(ctx, x, ids)
		}()
	}
	return nil
}

// takeOver follows the attempt of p's job, whose task runs on x (found: x
// listed it), as Recover says.
func (r *Runner) takeOver(ctx context.Context, p barge.Placement, x barge.Executor, refused error, found bool) {
	j := p.Job
	if !found && j.Status == barge.JobRunning {
		r.log.Warn("task of a running job is gone", "job_id", j.ID, "task_id", barge.TaskID(j.Runtime.TaskArn))
		r.finish(ctx, j, p.Spec, outcome{res: barge.TaskResult{Reason: reasonLost}, statusReason: reasonExited,
			stream: j.Runtime.LogStreamName, startedAt: j.StartedAt})
		r.cfg.Released(p.ComputeEnvironment, p.VCPU, p.MemoryMiB)
		return
	}
	a := r.track(p, x, refused)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		// A STARTING job's task is started again (see Recover); a
		// RUNNING one's followed.
		r.run(r.unhurried(ctx), p, a, j.Status == barge.JobRunning)
	}()
}

// recoverLater takes over, once executor x answers, the attempts of the
// jobs ids whose tasks it ran when barge started without it, as Recover
// does, and removes the tasks it lists that belong to no unfinished
// attempt. The jobs are read again then: TerminateJob may have come
// meanwhile. Until then they keep their capacity, and nothing else is
// placed on x.
func (r *Runner) recoverLater(ctx context.Context, x barge.Executor, ids []string) {
	var tasks []barge.TaskInfo
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(pingEveryDown):
		}
		if r.downWhy(x) != "" {
			continue // Watch asks it again
		}
		var err error
		if tasks, err = listTasks(ctx, x); err == nil {
			break
		}
		r.cfg.OnExecutorError("list")
		r.setHealth(x, err)
	}
	listed := map[string]bool{}
	for _, t := range tasks {
		listed[t.TaskID] = true
	}
	specs := &recoverySpecs{r: r, parents: map[string]*barge.JobSpec{}}
	for len(ids) > 0 {
		n := min(len(ids), 100)
		jobs, err := r.cfg.Store.GetJobs(ctx, ids[:n])
		if err != nil {
			r.log.Error("reading the jobs of an executor that answers again failed; a restart takes them over", "executor", x.Name(), "error", err)
			return
		}
		ids = ids[n:]
		for _, j := range jobs {
			if (j.Status != barge.JobStarting && j.Status != barge.JobRunning) || j.Runtime == nil || j.Runtime.TaskArn == "" {
				continue
			}
			p, err := specs.placement(ctx, j)
			if err != nil || p == nil {
				r.log.Error("reading the job definition of a job to take over failed; a restart takes it over", "job_id", j.ID, "error", err)
				continue
			}
			r.takeOver(ctx, *p, x, nil, listed[barge.TaskID(j.Runtime.TaskArn)])
		}
	}
	// What belongs to no unfinished attempt goes. A task the scheduler
	// placed since x answered belongs to its job's current attempt.
	for _, t := range tasks {
		jobs, err := r.cfg.Store.GetJobs(ctx, []string{t.JobID})
		if err != nil {
			continue
		}
		if len(jobs) == 1 && (jobs[0].Status == barge.JobStarting || jobs[0].Status == barge.JobRunning) &&
			jobs[0].Runtime != nil && barge.TaskID(jobs[0].Runtime.TaskArn) == t.TaskID {
			continue
		}
		r.remove(ctx, x, t.TaskID)
	}
}

// recoverySpecs reads, after a restart, the specs of jobs to take over:
// an array child's is its parent's, read once.
type recoverySpecs struct {
	r       *Runner
	parents map[string]*barge.JobSpec
}

// placement returns the placement of job j's current attempt; nil when
// its spec is gone.
func (s *recoverySpecs) placement(ctx context.Context, j *barge.Job) (*barge.Placement, error) {
	spec := j.Spec
	if spec == nil {
		var ok bool
		if spec, ok = s.parents[j.ArrayParent]; !ok {
			found, err := s.r.cfg.Store.GetJobs(ctx, []string{j.ArrayParent})
			if err != nil {
				return nil, err
			}
			if len(found) > 0 {
				spec = found[0].Spec
			}
			s.parents[j.ArrayParent] = spec
		}
	}
	if spec == nil {
		return nil, nil
	}
	return &barge.Placement{Job: j, Spec: spec, ComputeEnvironment: j.Runtime.ComputeEnvironment, VCPU: barge.JobVCPU(spec), MemoryMiB: barge.JobMemoryMiB(spec)}, nil
}

// listTimeout bounds how long Recover waits for an executor to list its
// tasks: an engine that accepts connections but never answers (a
// deadlocked dockerd) is then one that does not answer, whose attempts
// are taken over later, and barge starts.
const listTimeout = 30 * time.Second

// listTasks lists the tasks of x within listTimeout.
func listTasks(ctx context.Context, x barge.Executor) ([]barge.TaskInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, listTimeout)
	defer cancel()
	return x.List(ctx)
}

// recoverConnectTimeout bounds how long Recover waits for a Kubernetes
// cluster that runs unfinished attempts.
const recoverConnectTimeout = time.Minute

// connectClusters tries to connect to the Kubernetes cluster of each
// compute environment that the unfinished attempts inFlight ran on, before
// their tasks are listed: a cluster no job asked for since the start is not
// connected yet. One that cannot be reached is no error; Recover takes its
// attempts over once it is connected.
func connectClusters(ctx context.Context, r *Runner, inFlight []barge.Placement) error {
	if r.cfg.Clusters == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, p := range inFlight {
		name := p.ComputeEnvironment
		if seen[name] {
			continue
		}
		seen[name] = true
		ce, err := r.cfg.Store.GetComputeEnvironment(ctx, name)
		if barge.ErrorCodeOf(err) == barge.ENotFound {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading compute environment %s: %w", name, err)
		}
		cluster, ns, ok := r.clusterOf(ce)
		if !ok {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, recoverConnectTimeout)
		_, err = r.cfg.Clusters.Connect(cctx, cluster, ns)
		cancel()
		if err != nil {
			r.log.Warn("compute environment has unfinished jobs on a Kubernetes cluster that cannot be reached: they are taken over once it can",
				"compute_environment", name, "error", err)
		}
	}
	return nil
}
