package control

import (
	"context"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// reconcileInterval bounds how long a resource waits in a transitional
// status if a wake-up is missed; changes normally wake the loop at once.
const reconcileInterval = 5 * time.Second

// Run moves compute environments and job queues out of CREATING, UPDATING
// and DELETING until ctx ends: it validates them (VALID or INVALID with a
// reason) and removes deleted ones.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(reconcileInterval)
	defer t.Stop()
	for {
		if err := s.reconcileOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("reconcile failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.reconcile:
		case <-t.C:
		}
	}
}

func (s *Service) reconcileOnce(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Whatever changed may let the scheduler place jobs (an enabled queue,
	// a bigger compute environment).
	defer s.wake()
	ces, err := s.store.ListComputeEnvironments(ctx, "", 1000)
	if err != nil {
		return err
	}
	for _, ce := range ces {
		switch ce.Status {
		case barge.StatusCreating, barge.StatusUpdating:
			ce.Status, ce.StatusReason = barge.StatusValid, s.healthy
			if !ce.IsFargate() && !ce.IsEKS() {
				ce.Status = barge.StatusInvalid
				ce.StatusReason = "CLIENT_ERROR - barge runs Fargate and EKS compute environments only: " + string(ce.Type) + " compute environments with EC2 or SPOT capacity and no eksConfiguration cannot run jobs. Create a MANAGED compute environment with computeResources.type FARGATE or FARGATE_SPOT."
			} else if reason := s.networkReason(ctx, ce); reason != "" {
				ce.StatusReason = reason
			}
			if err := s.store.PutComputeEnvironment(ctx, ce); err != nil {
				return err
			}
		case barge.StatusDeleting:
			if err := s.store.DeleteComputeEnvironment(ctx, ce.Name); err != nil && barge.ErrorCodeOf(err) != barge.ENotFound {
				return err
			}
		}
	}
	queues, err := s.store.ListJobQueues(ctx, "", 1000)
	if err != nil {
		return err
	}
	for _, q := range queues {
		switch q.Status {
		case barge.StatusCreating, barge.StatusUpdating:
			q.Status, q.StatusReason = barge.StatusValid, jqHealthy
			if err := s.store.PutJobQueue(ctx, q); err != nil {
				return err
			}
		case barge.StatusDeleting:
			left, err := s.jobs.FailQueue(ctx, q.Name)
			if err != nil {
				return err
			}
			if left {
				s.kick() // some jobs changed under us; finish on the next round
				continue
			}
			if err := s.store.DeleteJobQueue(ctx, q.Name); err != nil && barge.ErrorCodeOf(err) != barge.ENotFound {
				return err
			}
		}
	}
	return nil
}

// networkReason is the statusReason of a VALID Fargate compute environment
// whose subnets or security groups barge's EC2 does not know: it works all
// the same (barge builds no networks), and says which, within 255
// characters. "" when EC2 knows them all, or cannot tell.
func (s *Service) networkReason(ctx context.Context, ce *barge.ComputeEnvironment) string {
	cr := ce.ComputeResources
	if s.unknownNetwork == nil || cr == nil {
		return ""
	}
	unknown, err := s.unknownNetwork(ctx, cr.Subnets, cr.SecurityGroupIDs)
	if err != nil {
		s.log.Warn("checking a compute environment's subnets and security groups failed", "compute_environment", ce.Name, "error", err)
		return ""
	}
	if len(unknown) == 0 {
		return ""
	}
	note := ""
	if s.note != "" {
		note = "; " + s.note
	}
	return barge.FitReason(ceHealthy+" (barge: EC2 does not know %s; jobs run all the same%s)", strings.Join(unknown, ", "), note)
}
