package runner

import (
	"context"

	"github.com/bargehq/barge"
)

// reasonLost is the container reason of an attempt whose task disappeared
// while barge was down (the host was rebooted, or someone removed it).
const reasonLost = "Task stopped: its container was gone when barge restarted"

// Recover takes over the attempts of a previous run; call it before the
// scheduler starts. A task still running is adopted (its output followed
// from where it was, its end recorded); one that ended meanwhile has its
// outcome recorded now; a STARTING job whose task never started is started;
// a RUNNING job whose task is gone fails; a task that belongs to no
// unfinished attempt is removed. Nothing that finished runs again.
func (r *Runner) Recover(ctx context.Context) error {
	tasks, err := r.cfg.Executor.List(ctx)
	if err != nil {
		r.cfg.OnExecutorError("list")
		return err
	}
	byTask := make(map[string]barge.TaskInfo, len(tasks))
	for _, t := range tasks {
		byTask[t.TaskID] = t
	}
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
	adopted := map[string]bool{}
	for _, q := range queues {
		for _, st := range []barge.JobStatus{barge.JobStarting, barge.JobRunning} {
			var cursor int64
			for {
				jobs, err := r.cfg.Store.ListJobs(ctx, barge.JobQuery{Queue: q.Name, IncludeChildren: true, Status: st, Oldest: true, Cursor: cursor, Limit: 512})
				if err != nil {
					return err
				}
				if len(jobs) == 0 {
					break
				}
				cursor = jobs[len(jobs)-1].Seq
				for _, j := range jobs {
					if j.Runtime == nil || j.Runtime.TaskArn == "" {
						continue
					}
					spec, err := specOf(j)
					if err != nil {
						return err
					}
					if spec == nil {
						continue
					}
					p := barge.Placement{Job: j, Spec: spec, ComputeEnvironment: j.Runtime.ComputeEnvironment, VCPU: barge.JobVCPU(spec)}
					taskID := barge.TaskID(j.Runtime.TaskArn)
					_, found := byTask[taskID]
					switch {
					case found || j.Status == barge.JobStarting:
						adopted[taskID] = true
						a := r.track(p)
						r.wg.Add(1)
						go func() {
							defer r.wg.Done()
							r.run(ctx, p, a, found)
						}()
					default:
						r.log.Warn("task of a running job is gone", "job_id", j.ID, "task_id", taskID)
						r.finish(ctx, j, spec, outcome{res: barge.TaskResult{Reason: reasonLost}, statusReason: reasonExited,
							stream: j.Runtime.LogStreamName, startedAt: j.StartedAt})
						r.cfg.Released(p.ComputeEnvironment, p.VCPU)
					}
				}
			}
		}
	}
	for _, t := range tasks {
		if !adopted[t.TaskID] {
			if err := r.cfg.Executor.Remove(ctx, t.TaskID); err != nil {
				r.cfg.OnExecutorError("remove")
				r.log.Warn("removing a leftover task failed", "task_id", t.TaskID, "error", err)
			}
		}
	}
	return nil
}
