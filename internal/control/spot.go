package control

import (
	"context"

	"github.com/bargehq/barge"
)

// InterruptSpotTaskInput is barge's InterruptSpotTask request.
type InterruptSpotTaskInput struct {
	JobID string `json:"jobId"`
}

// InterruptSpotTask interrupts a STARTING or RUNNING job's Fargate Spot
// task as a reclaim would: SIGTERM, SIGKILL after the compute environment's
// grace, and the attempt fails with "Your Spot Task was interrupted.", to be
// retried as the job's retry strategy says.
func (s *Service) InterruptSpotTask(ctx context.Context, in *InterruptSpotTaskInput) (*barge.Job, error) {
	if err := required("jobId", in.JobID); err != nil {
		return nil, err
	}
	found, err := s.store.GetJobs(ctx, []string{in.JobID})
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, barge.Errorf(barge.ENotFound, "Job %s does not exist. Check the job ID.", in.JobID)
	}
	j := found[0]
	if j.IsArrayParent() {
		return nil, barge.Errorf(barge.EInvalid, "Job %s is an array job, which has no task of its own. Interrupt one of its children (%s).", j.ID, barge.ChildID(j.ID, 0))
	}
	if !j.Status.Started() || j.Runtime == nil {
		return nil, barge.Errorf(barge.EInvalid, "Job %s is %s. Only a STARTING or RUNNING job has a task to interrupt.", j.ID, j.Status)
	}
	if s.interruptSpot == nil {
		return nil, barge.Errorf(barge.EConflict, "Job %s has no running task to interrupt: this server runs no jobs.", j.ID)
	}
	if err := s.interruptSpot(ctx, j.ID); err != nil {
		return nil, err
	}
	return j, nil
}
