package control

import (
	"context"

	"github.com/bargehq/barge"
)

// schedulingPolicy resolves a scheduling policy ARN (or name) to the policy.
func (s *Service) schedulingPolicy(ctx context.Context, field, ref string) (*barge.SchedulingPolicy, error) {
	if err := required(field, ref); err != nil {
		return nil, err
	}
	name, ok := s.scope.NameFromRef(barge.KindSchedulingPolicy, ref)
	if !ok {
		return nil, barge.Errorf(barge.EInvalid, "%s %s is not a scheduling policy ARN of this region and account (%s, %s).", field, ref, s.scope.Region, s.scope.Account)
	}
	p, err := s.store.GetSchedulingPolicy(ctx, name)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return nil, barge.Errorf(barge.ENotFound, "Scheduling policy %s does not exist. List yours with list-scheduling-policies.", ref)
	}
	return p, err
}

// CreateSchedulingPolicy creates a fair-share scheduling policy.
func (s *Service) CreateSchedulingPolicy(ctx context.Context, in *CreateSchedulingPolicyInput) (*barge.SchedulingPolicy, error) {
	if err := required("name", in.Name); err != nil {
		return nil, err
	}
	if err := barge.ValidateResourceName("name", in.Name); err != nil {
		return nil, err
	}
	p := &barge.SchedulingPolicy{
		Name:             in.Name,
		FairsharePolicy:  in.FairsharePolicy,
		QuotaSharePolicy: in.QuotaSharePolicy,
		Tags:             in.Tags,
		CreatedAt:        s.nowMillis(),
	}
	if err := barge.ValidateSchedulingPolicy(p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.store.CreateSchedulingPolicy(ctx, p); err != nil {
		if barge.ErrorCodeOf(err) == barge.EConflict {
			return nil, barge.Errorf(barge.EConflict, "Object already exists: scheduling policy %s already exists. Choose another name or delete the existing one first.", p.Name)
		}
		return nil, err
	}
	return p, nil
}

// UpdateSchedulingPolicy replaces a policy's fair-share settings; a policy
// cannot change kind.
func (s *Service) UpdateSchedulingPolicy(ctx context.Context, in *UpdateSchedulingPolicyInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.schedulingPolicy(ctx, "arn", in.Arn)
	if err != nil {
		return err
	}
	if in.FairsharePolicy != nil && p.QuotaSharePolicy != nil || in.QuotaSharePolicy != nil && p.FairsharePolicy != nil {
		return barge.Errorf(barge.EInvalid, "Scheduling policy %s cannot change between fairsharePolicy and quotaSharePolicy. Create a new policy of the other kind instead.", p.Name)
	}
	updated := *p
	if in.FairsharePolicy != nil {
		updated.FairsharePolicy = in.FairsharePolicy
	}
	if in.QuotaSharePolicy != nil {
		updated.QuotaSharePolicy = in.QuotaSharePolicy
	}
	if err := barge.ValidateSchedulingPolicy(&updated); err != nil {
		return err
	}
	if err := s.store.PutSchedulingPolicy(ctx, &updated); err != nil {
		return err
	}
	return nil
}

// DeleteSchedulingPolicy deletes a policy that no job queue uses.
func (s *Service) DeleteSchedulingPolicy(ctx context.Context, in *DeleteSchedulingPolicyInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.schedulingPolicy(ctx, "arn", in.Arn)
	if err != nil {
		return err
	}
	arn := s.scope.ARN(barge.KindSchedulingPolicy, p.Name)
	queues, err := s.store.ListJobQueues(ctx, "", 1000)
	if err != nil {
		return err
	}
	for _, q := range queues {
		if q.SchedulingPolicyArn == arn {
			return barge.Errorf(barge.EConflict, "Cannot delete, scheduling policy %s is used by job queue %s. Delete the queue first, or point it at another policy with update-job-queue.", p.Name, q.Name)
		}
	}
	if err := s.store.DeleteSchedulingPolicy(ctx, p.Name); err != nil {
		return err
	}
	return nil
}

// DescribeSchedulingPolicies describes policies by ARN; unknown ARNs are
// absent from the result.
func (s *Service) DescribeSchedulingPolicies(ctx context.Context, in *DescribeSchedulingPoliciesInput) ([]*barge.SchedulingPolicy, error) {
	if len(in.Arns) == 0 {
		return nil, barge.Errorf(barge.EInvalid, "arns is required: a list of 1 to 100 scheduling policy ARNs.")
	}
	if len(in.Arns) > 100 {
		return nil, barge.Errorf(barge.EInvalid, "arns can list at most 100 scheduling policy ARNs; got %d.", len(in.Arns))
	}
	var out []*barge.SchedulingPolicy
	for _, ref := range in.Arns {
		name, ok := s.scope.NameFromRef(barge.KindSchedulingPolicy, ref)
		if !ok {
			continue
		}
		p, err := s.store.GetSchedulingPolicy(ctx, name)
		if barge.ErrorCodeOf(err) == barge.ENotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ListSchedulingPolicies lists the ARNs of all scheduling policies.
func (s *Service) ListSchedulingPolicies(ctx context.Context, in *ListSchedulingPoliciesInput) (*Page[*barge.SchedulingPolicy], error) {
	limit, err := pageSize(in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken("sp", in.NextToken)
	if err != nil {
		return nil, err
	}
	ps, err := s.store.ListSchedulingPolicies(ctx, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &Page[*barge.SchedulingPolicy]{}
	if len(ps) > limit {
		ps = ps[:limit]
		out.NextToken = encodeToken("sp", ps[limit-1].Name)
	}
	out.Items = ps
	return out, nil
}
