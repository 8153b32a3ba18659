package control

import (
	"context"
	"fmt"

	"github.com/bargehq/barge"
)

// maxJobQueues is AWS's per-region quota of job queues.
const maxJobQueues = 50

// CreateJobQueue creates a job queue in CREATING; the reconcile loop makes it
// VALID.
func (s *Service) CreateJobQueue(ctx context.Context, in *CreateJobQueueInput) (*barge.JobQueue, error) {
	if err := required("jobQueueName", in.JobQueueName); err != nil {
		return nil, err
	}
	if in.Priority == nil {
		return nil, barge.Errorf(barge.EInvalid, "priority is required: an integer, where queues with a higher priority are served first.")
	}
	if err := barge.ValidateResourceName("jobQueueName", in.JobQueueName); err != nil {
		return nil, err
	}
	if len(in.ServiceEnvironmentOrder) > 0 && string(in.ServiceEnvironmentOrder) != "null" {
		return nil, barge.Errorf(barge.EUnsupported, "serviceEnvironmentOrder is not supported: barge runs container jobs on compute environments, not SageMaker training jobs. Use computeEnvironmentOrder.")
	}
	q := &barge.JobQueue{
		Name:                     in.JobQueueName,
		State:                    in.State,
		Status:                   barge.StatusCreating,
		Priority:                 *in.Priority,
		ComputeEnvironmentOrder:  in.ComputeEnvironmentOrder,
		JobStateTimeLimitActions: in.JobStateTimeLimitActions,
		Tags:                     in.Tags,
		CreatedAt:                s.nowMillis(),
	}
	if q.State == "" {
		q.State = barge.StateEnabled
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if in.SchedulingPolicyArn != "" {
		p, err := s.schedulingPolicy(ctx, "schedulingPolicyArn", in.SchedulingPolicyArn)
		if err != nil {
			return nil, err
		}
		// Stored as the canonical ARN whatever form was given, so that
		// DeleteSchedulingPolicy finds every queue that uses the policy.
		q.SchedulingPolicyArn = s.scope.ARN(barge.KindSchedulingPolicy, p.Name)
	}
	ces, err := s.resolveOrder(ctx, q)
	if err != nil {
		return nil, err
	}
	if err := barge.ValidateJobQueue(q, ces); err != nil {
		return nil, err
	}
	if err := checkQueueType(in.JobQueueType, ces); err != nil {
		return nil, err
	}
	existing, err := s.store.ListJobQueues(ctx, "", maxJobQueues+1)
	if err != nil {
		return nil, err
	}
	if len(existing) >= maxJobQueues {
		return nil, barge.Errorf(barge.ELimit, "You have reached the limit of %d job queues. Delete one you no longer use before creating another.", maxJobQueues)
	}
	if err := s.store.CreateJobQueue(ctx, q); err != nil {
		if barge.ErrorCodeOf(err) == barge.EConflict {
			return nil, barge.Errorf(barge.EConflict, "Object already exists: job queue %s already exists. Choose another jobQueueName or delete the existing one first.", q.Name)
		}
		return nil, err
	}
	s.kick()
	return q, nil
}

// resolveOrder replaces the compute environment names or ARNs of q's order
// with names, and returns the compute environments in the same order.
func (s *Service) resolveOrder(ctx context.Context, q *barge.JobQueue) ([]*barge.ComputeEnvironment, error) {
	ces := make([]*barge.ComputeEnvironment, len(q.ComputeEnvironmentOrder))
	for i := range q.ComputeEnvironmentOrder {
		o := &q.ComputeEnvironmentOrder[i]
		ce, err := s.computeEnvironment(ctx, fmt.Sprintf("computeEnvironmentOrder[%d].computeEnvironment", i), o.ComputeEnvironment)
		if err != nil {
			return nil, err
		}
		if ce.Status == barge.StatusDeleting {
			return nil, barge.Errorf(barge.EConflict, "Compute environment %s is being deleted and cannot be added to a job queue.", ce.Name)
		}
		o.ComputeEnvironment = ce.Name
		ces[i] = ce
	}
	return ces, nil
}

// queueType is the jobQueueType AWS reports for a queue with these compute
// environments.
func queueType(ces []*barge.ComputeEnvironment) string {
	for _, ce := range ces {
		if t := ce.JobQueueType(); t != "ECS" {
			return t
		}
	}
	return "ECS"
}

func checkQueueType(given string, ces []*barge.ComputeEnvironment) error {
	if given == "" || len(ces) == 0 {
		return nil
	}
	if want := queueType(ces); given != want {
		return barge.Errorf(barge.EInvalid, "jobQueueType %s does not match the queue's compute environments, which make it %s. Omit jobQueueType or pass %s.", given, want, want)
	}
	return nil
}

// jobQueue resolves a name or ARN to a stored job queue, the caller's to
// change.
func (s *Service) jobQueue(ctx context.Context, field, ref string) (*barge.JobQueue, error) {
	return s.resolveQueue(ctx, field, ref, s.store.GetJobQueue)
}

// submitQueue resolves SubmitJob's queue through the submit cache; the
// result is shared and read-only.
func (s *Service) submitQueue(ctx context.Context, ref string) (*barge.JobQueue, error) {
	return s.resolveQueue(ctx, "jobQueue", ref, func(ctx context.Context, name string) (*barge.JobQueue, error) {
		return s.cache.queue(ctx, s.store, name)
	})
}

func (s *Service) resolveQueue(ctx context.Context, field, ref string, get func(context.Context, string) (*barge.JobQueue, error)) (*barge.JobQueue, error) {
	if err := required(field, ref); err != nil {
		return nil, err
	}
	name, ok := s.scope.NameFromRef(barge.KindJobQueue, ref)
	if !ok {
		return nil, barge.Errorf(barge.EInvalid, "%s %s is not a job queue name or ARN of this region and account (%s, %s).", field, ref, s.scope.Region, s.scope.Account)
	}
	q, err := get(ctx, name)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return nil, barge.Errorf(barge.ENotFound, "JobQueue %s not found.", ref)
	}
	return q, err
}

// UpdateJobQueue changes a queue's state, priority, compute environments,
// scheduling policy or time-limit actions.
func (s *Service) UpdateJobQueue(ctx context.Context, in *UpdateJobQueueInput) (*barge.JobQueue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.jobQueue(ctx, "jobQueue", in.JobQueue)
	if err != nil {
		return nil, err
	}
	if q.Status == barge.StatusDeleting {
		return nil, barge.Errorf(barge.EConflict, "Job queue %s is being deleted and cannot be updated.", q.Name)
	}
	if len(in.ServiceEnvironmentOrder) > 0 && string(in.ServiceEnvironmentOrder) != "null" {
		return nil, barge.Errorf(barge.EUnsupported, "serviceEnvironmentOrder is not supported: barge runs container jobs on compute environments. Use computeEnvironmentOrder.")
	}
	if in.State != "" {
		q.State = in.State
	}
	if in.Priority != nil {
		q.Priority = *in.Priority
	}
	if in.SchedulingPolicyArn != "" {
		if q.SchedulingPolicyArn == "" {
			return nil, barge.Errorf(barge.EInvalid, "Job queue %s was created without a scheduling policy (first in, first out) and cannot gain one. Create a new queue with schedulingPolicyArn instead.", q.Name)
		}
		p, err := s.schedulingPolicy(ctx, "schedulingPolicyArn", in.SchedulingPolicyArn)
		if err != nil {
			return nil, err
		}
		q.SchedulingPolicyArn = s.scope.ARN(barge.KindSchedulingPolicy, p.Name)
	}
	if in.JobStateTimeLimitActions != nil {
		q.JobStateTimeLimitActions = in.JobStateTimeLimitActions
	}
	if in.ComputeEnvironmentOrder != nil {
		q.ComputeEnvironmentOrder = in.ComputeEnvironmentOrder
	}
	ces, err := s.resolveOrder(ctx, q)
	if err != nil {
		return nil, err
	}
	if err := barge.ValidateJobQueue(q, ces); err != nil {
		return nil, err
	}
	q.Status = barge.StatusUpdating
	q.StatusReason = ""
	if err := s.store.PutJobQueue(ctx, q); err != nil {
		return nil, err
	}
	s.kick()
	return q, nil
}

// DeleteJobQueue deletes a DISABLED job queue: it goes DELETING, then
// disappears.
func (s *Service) DeleteJobQueue(ctx context.Context, in *DeleteJobQueueInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.jobQueue(ctx, "jobQueue", in.JobQueue)
	if err != nil {
		return err
	}
	if q.Status == barge.StatusDeleting {
		return nil
	}
	if q.State != barge.StateDisabled {
		return barge.Errorf(barge.EConflict, "Cannot delete, job queue %s is ENABLED. Disable it first (update-job-queue --state DISABLED), then delete it.", q.Name)
	}
	q.Status = barge.StatusDeleting
	q.StatusReason = ""
	if err := s.store.PutJobQueue(ctx, q); err != nil {
		return err
	}
	s.kick()
	return nil
}

// DescribeJobQueues lists job queues, or describes the named ones.
func (s *Service) DescribeJobQueues(ctx context.Context, in *DescribeJobQueuesInput) (*Page[QueueDescription], error) {
	out := &Page[QueueDescription]{}
	if len(in.JobQueues) > 0 {
		if in.MaxResults != nil {
			return nil, barge.Errorf(barge.EInvalid, "JobQueues and MaxResults cannot both be set. Pass either a list of jobQueues or maxResults.")
		}
		if len(in.JobQueues) > 100 {
			return nil, barge.Errorf(barge.EInvalid, "jobQueues can list at most 100 names or ARNs; got %d.", len(in.JobQueues))
		}
		for _, ref := range in.JobQueues {
			name, ok := s.scope.NameFromRef(barge.KindJobQueue, ref)
			if !ok {
				continue
			}
			q, err := s.store.GetJobQueue(ctx, name)
			if barge.ErrorCodeOf(err) == barge.ENotFound {
				continue
			} else if err != nil {
				return nil, err
			}
			d, err := s.describeQueue(ctx, q)
			if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, d)
		}
		return out, nil
	}
	limit, err := pageSize(in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken("jq", in.NextToken)
	if err != nil {
		return nil, err
	}
	qs, err := s.store.ListJobQueues(ctx, after, limit+1)
	if err != nil {
		return nil, err
	}
	if len(qs) > limit {
		qs = qs[:limit]
		out.NextToken = encodeToken("jq", qs[limit-1].Name)
	}
	for _, q := range qs {
		d, err := s.describeQueue(ctx, q)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, d)
	}
	return out, nil
}

// QueueDescription is a job queue as DescribeJobQueues shows it.
type QueueDescription struct {
	Queue *barge.JobQueue
	// Type is the jobQueueType its compute environments make (ECS,
	// FARGATE...), "" when it has none.
	Type string
}

func (s *Service) describeQueue(ctx context.Context, q *barge.JobQueue) (QueueDescription, error) {
	ces := make([]*barge.ComputeEnvironment, 0, len(q.ComputeEnvironmentOrder))
	for _, o := range q.ComputeEnvironmentOrder {
		if ce, err := s.store.GetComputeEnvironment(ctx, o.ComputeEnvironment); err == nil {
			ces = append(ces, ce)
		} else if barge.ErrorCodeOf(err) != barge.ENotFound {
			return QueueDescription{}, err
		}
	}
	return QueueDescription{Queue: q, Type: queueType(ces)}, nil
}

// GetJobQueueSnapshot shows the front of a queue, its first 100 RUNNABLE
// jobs in the order they are to be placed, and the vCPUs its jobs hold (by
// share, in a fair-share queue).
func (s *Service) GetJobQueueSnapshot(ctx context.Context, in *GetJobQueueSnapshotInput) (*barge.QueueSnapshot, error) {
	q, err := s.jobQueue(ctx, "jobQueue", in.JobQueue)
	if err != nil {
		return nil, err
	}
	var snap *barge.QueueSnapshot
	if s.waits != nil {
		if snap, err = s.waits.Snapshot(ctx, q); err != nil {
			return nil, err
		}
	} else {
		// Nothing schedules: the queue's line is its submission order.
		jobs, err := s.store.ListJobs(ctx, barge.JobQuery{Queue: q.Name, IncludeChildren: true, Status: barge.JobRunnable, Oldest: true, Limit: 100})
		if err != nil {
			return nil, err
		}
		snap = &barge.QueueSnapshot{At: s.nowMillis()}
		for _, j := range jobs {
			snap.Front = append(snap.Front, barge.FrontJob{JobID: j.ID, Since: j.CreatedAt})
		}
	}
	for _, o := range q.ComputeEnvironmentOrder {
		k, err := s.cache.computeKind(ctx, s.store, o.ComputeEnvironment)
		if err != nil {
			return nil, err
		}
		snap.EKS = snap.EKS || k.eks
	}
	return snap, nil
}
