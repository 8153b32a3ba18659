package runner

import (
	"context"
	"time"

	"github.com/bargehq/barge"
)

// DefaultSweepEvery is how often Watch removes the tasks that belong to no
// unfinished attempt, when Config.SweepEvery is 0.
const DefaultSweepEvery = time.Minute

// sweep removes the tasks of executor x that belong to no unfinished
// attempt, and returns those it spared for being new (strays).
//
// Recover removes such tasks at start, and each attempt's end removes its
// task, but a task could still appear afterwards: a leader killed while its
// engine was creating a task's container leaves the creation to complete
// on its own, after the next leader has listed the tasks and, when the
// job was quick, after it has run the job with a task of that name and
// removed it. Such a container (created, never started) would otherwise
// stay for ever.
//
// A task is removed when this runner follows no attempt on it, its job is
// not STARTING or RUNNING on it in the store, and the previous sweep found
// it so too (seen), so that a task being made right now is never taken for
// a stray. A task whose end could not be recorded is its job's RUNNING
// task, and stays for whoever runs the jobs next.
func (r *Runner) sweep(ctx context.Context, x barge.Executor, seen map[string]bool) map[string]bool {
	tasks, err := listTasks(ctx, x)
	if err != nil {
		r.cfg.OnExecutorError("list")
		return seen
	}
	strays := map[string]bool{}
	var old []barge.TaskInfo
	r.mu.Lock()
	for _, t := range tasks {
		if a := r.active[t.JobID]; a != nil && a.taskID == t.TaskID {
			continue
		}
		if seen[t.TaskID] {
			old = append(old, t)
		} else {
			strays[t.TaskID] = true
		}
	}
	r.mu.Unlock()
	for len(old) > 0 {
		batch := old[:min(len(old), 100)]
		old = old[len(batch):]
		ids := make([]string, len(batch))
		for i, t := range batch {
			ids[i] = t.JobID
		}
		jobs, err := r.cfg.Store.GetJobs(ctx, ids)
		if err != nil {
			r.log.Warn("reading the jobs of tasks that no attempt follows failed; they are looked at again later", "error", err)
			for _, t := range batch {
				strays[t.TaskID] = true
			}
			continue
		}
		byID := make(map[string]*barge.Job, len(jobs))
		for _, j := range jobs {
			byID[j.ID] = j
		}
		for _, t := range batch {
			if j := byID[t.JobID]; j != nil && (j.Status == barge.JobStarting || j.Status == barge.JobRunning) &&
				j.Runtime != nil && barge.TaskID(j.Runtime.TaskArn) == t.TaskID {
				continue // its job's: adopted by whoever runs the jobs next
			}
			r.log.Warn("removing a task that belongs to no unfinished attempt", "executor", x.Name(), "task_id", t.TaskID, "job_id", t.JobID)
			r.remove(ctx, x, t.TaskID)
		}
	}
	return strays
}
