package metrics

import "github.com/bargehq/barge"

// JobsWritten records the job changes of one store write, in order: a
// subscriber of the job bus (internal/jobbus), ahead of the event feed.
func (m *Metrics) JobsWritten(changes []barge.JobChange) {
	for _, c := range changes {
		m.JobChanged(c.Job, c.From)
	}
}

// JobChanged records that job j, as now written, came from status from (""
// for a new job). JobsWritten calls it for each change the store reports,
// in commit order; j must not be modified.
//
// How long j spent in from is measured by the Config.Now clock, at the time
// of the call, which follows the commit closely:
//   - SUBMITTED, PENDING: from createdAt (barge inserts jobs in these);
//   - RUNNABLE: from when it left PENDING, if this process saw that, else
//     from its last attempt's stoppedAt (a retry), else from createdAt
//     (jobs submitted without dependencies); a top-level job with
//     dependencies whose PENDING end this process did not see is skipped;
//   - STARTING: from when it entered STARTING, if this process saw that;
//   - RUNNING: the attempt's startedAt to its stoppedAt (or to now).
func (m *Metrics) JobChanged(j *barge.Job, from barge.JobStatus) {
	to := j.Status
	if from == "" && j.ArrayParent == "" {
		m.submitted.WithLabelValues(j.Queue).Inc()
	}
	if from == to {
		return
	}
	if to.Done() {
		m.finished.WithLabelValues(j.Queue, string(to)).Inc()
	}
	if from == "" {
		return
	}
	now := m.cfg.Now().UnixMilli()
	start, ok := m.states.leave(j.ID)
	end := now
	if !ok {
		start, end, ok = fieldTimes(j, from, now)
	}
	if ok {
		m.stateDuration.WithLabelValues(j.Queue, string(from)).Observe(float64(max(0, end-start)) / 1000)
	}
	if to == barge.JobStarting || (to == barge.JobRunnable && from == barge.JobPending) {
		m.states.enter(j.ID, now)
	}
}

// fieldTimes returns when j entered and left status from, as far as its
// fields tell.
func fieldTimes(j *barge.Job, from barge.JobStatus, now int64) (start, end int64, ok bool) {
	var last *barge.Attempt
	if n := len(j.Attempts); n > 0 {
		last = &j.Attempts[n-1]
	}
	switch from {
	case barge.JobSubmitted, barge.JobPending:
		return j.CreatedAt, now, j.CreatedAt > 0
	case barge.JobRunnable:
		if last != nil && last.StoppedAt > 0 {
			return last.StoppedAt, now, true
		}
		if j.ArrayParent == "" && j.Spec != nil && len(j.Spec.DependsOn) > 0 {
			return 0, 0, false // it was PENDING first, for how long is not known
		}
		return j.CreatedAt, now, j.CreatedAt > 0
	case barge.JobRunning:
		if j.Status != barge.JobRunning && last != nil && last.StartedAt > 0 && last.StoppedAt > 0 {
			return last.StartedAt, last.StoppedAt, true
		}
		if j.StartedAt > 0 {
			if j.StoppedAt > 0 {
				return j.StartedAt, j.StoppedAt, true
			}
			return j.StartedAt, now, true
		}
	}
	return 0, 0, false
}

func (c *stateClock) enter(id string, at int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entered) < maxEntered {
		c.entered[id] = at
	}
}

// leave forgets job id and returns when it entered its status, if known.
func (c *stateClock) leave(id string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.entered[id]
	if ok {
		delete(c.entered, id)
	}
	return at, ok
}
