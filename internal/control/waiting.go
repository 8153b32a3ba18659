package control

import (
	"context"

	"github.com/bargehq/barge"
)

// Waits is what the scheduler knows of jobs that wait and of the lines
// they wait in.
type Waits interface {
	// WaitReason returns why a RUNNABLE job of spec in queue waits, ""
	// when it only waits for its turn.
	WaitReason(queue string, spec *barge.JobSpec) string
	// Snapshot returns the front of queue q and the capacity its jobs
	// hold.
	Snapshot(ctx context.Context, q *barge.JobQueue) (*barge.QueueSnapshot, error)
}

// Starting is what the runner knows of jobs whose tasks are starting.
type Starting interface {
	// StartingReason returns why the task of STARTING job jobID waits to
	// run, "" when it does not.
	StartingReason(jobID string) string
}

// statusReason returns the statusReason of job j, whose spec (or its array
// parent's) is spec: for a RUNNABLE job, why it waits, and for a STARTING
// one why its task waits to run (a Pod no node can take yet), computed as
// it is read rather than stored, so that a million waiting jobs cost no
// writes.
func (s *Service) statusReason(j *barge.Job, spec *barge.JobSpec) string {
	if j.Status == barge.JobStarting && s.starting != nil {
		if r := s.starting.StartingReason(j.ID); r != "" {
			return r
		}
		return j.StatusReason
	}
	if j.Status != barge.JobRunnable || s.waits == nil {
		return j.StatusReason
	}
	if r := s.waits.WaitReason(j.Queue, spec); r != "" {
		return r
	}
	return j.StatusReason
}
