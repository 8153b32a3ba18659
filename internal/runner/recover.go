package runner

import (
	"context"
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
func (r *Runner) Recover(ctx context.Context) error {
	type inFlight struct {
		job  *barge.Job
		spec *barge.JobSpec
	}
	var jobs []inFlight
	queues, err := r.cfg.Store.ListJobQueues(ctx, "", 1000)
	if err != nil {
		return err
	}
	parents := map[string]*barge.JobSpec{}
	specOf := func(j *barge.Job) (*barge.JobSpec, error) {
		if j.Spec != nil {
			return j.Spec, nil
		}
		if s, ok := parents[j.ArrayParent]; ok {
			return s, nil
		}
		found, err := r.cfg.Store.GetJobs(ctx, []string{j.ArrayParent})
		if err != nil || len(found) == 0 {
			return nil, err
		}
		parents[j.ArrayParent] = found[0].Spec
		return found[0].Spec, nil
	}
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
					spec, err := specOf(j)
					if err != nil {
						return err
					}
					if spec != nil {
						jobs = append(jobs, inFlight{j, spec})
					}
				}
			}
		}
	}
	if err := connectClusters(ctx, r, jobs, func(f inFlight) string { return f.job.Runtime.ComputeEnvironment }); err != nil {
		return err
	}

	type listed struct {
		info barge.TaskInfo
		exec barge.Executor
	}
	byTask := map[string]listed{}
	for _, x := range r.executors() {
		tasks, err := x.List(ctx)
		if err != nil {
			r.cfg.OnExecutorError("list")
			return fmt.Errorf("%s executor: %w", x.Name(), err)
		}
		for _, t := range tasks {
			byTask[t.TaskID] = listed{t, x}
		}
	}
	chosen := &recoveryExecutors{r: r, byCE: map[string]barge.Executor{}}
	adopted := map[string]bool{}
	for _, f := range jobs {
		j, spec := f.job, f.spec
		p := barge.Placement{Job: j, Spec: spec, ComputeEnvironment: j.Runtime.ComputeEnvironment, VCPU: barge.JobVCPU(spec), MemoryMiB: barge.JobMemoryMiB(spec)}
		taskID := barge.TaskID(j.Runtime.TaskArn)
		t, found := byTask[taskID]
		switch {
		case found || j.Status == barge.JobStarting:
			adopted[taskID] = true
			x, refused := t.exec, error(nil)
			if !found {
				if x, refused = chosen.of(ctx, p.ComputeEnvironment); refused != nil {
					if _, ok := barge.AsTaskError(refused); !ok {
						return refused
					}
				}
			}
			a := r.track(p, x, refused)
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				// A STARTING job's task is started again
				// (see above); a RUNNING one's followed.
				r.run(ctx, p, a, j.Status == barge.JobRunning)
			}()
		default:
			r.log.Warn("task of a running job is gone", "job_id", j.ID, "task_id", taskID)
			r.finish(ctx, j, spec, outcome{res: barge.TaskResult{Reason: reasonLost}, statusReason: reasonExited,
				stream: j.Runtime.LogStreamName, startedAt: j.StartedAt})
			r.cfg.Released(p.ComputeEnvironment, p.VCPU, p.MemoryMiB)
		}
	}
	for id, t := range byTask {
		if !adopted[id] {
			if err := t.exec.Remove(ctx, id); err != nil {
				r.cfg.OnExecutorError("remove")
				r.log.Warn("removing a leftover task failed", "task_id", id, "error", err)
			}
		}
	}
	return nil
}

// recoverConnectTimeout bounds how long Recover waits for a Kubernetes
// cluster that runs unfinished attempts.
const recoverConnectTimeout = time.Minute

// connectClusters connects to the Kubernetes cluster of each compute
// environment (named by ceOf) that unfinished attempts ran on, before their
// tasks are listed: a cluster no job asked for since the start is not
// connected yet. One that cannot be reached fails the recovery, as a
// Docker engine that does not answer does: its jobs' tasks cannot be told
// apart from lost ones.
func connectClusters[T any](ctx context.Context, r *Runner, items []T, ceOf func(T) string) error {
	if r.cfg.Clusters == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, it := range items {
		name := ceOf(it)
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
			return fmt.Errorf("compute environment %s has unfinished jobs on Kubernetes, whose cluster cannot be reached: %w", name, err)
		}
	}
	return nil
}
