package control

import (
	"context"
	"strings"

	"github.com/bargehq/barge"
)

// maxComputeEnvironments is AWS's per-region quota of compute environments.
const maxComputeEnvironments = 50

// Statuses reasons AWS shows on healthy resources.
const (
	ceHealthy = "ComputeEnvironment Healthy"
	jqHealthy = "JobQueue Healthy"
)

// CreateComputeEnvironment creates a compute environment in CREATING; the
// reconcile loop validates it and makes it VALID or INVALID.
func (s *Service) CreateComputeEnvironment(ctx context.Context, in *CreateComputeEnvironmentInput) (*barge.ComputeEnvironment, error) {
	if err := required("computeEnvironmentName", in.ComputeEnvironmentName); err != nil {
		return nil, err
	}
	if err := required("type", string(in.Type)); err != nil {
		return nil, err
	}
	if err := barge.ValidateResourceName("computeEnvironmentName", in.ComputeEnvironmentName); err != nil {
		return nil, err
	}
	ce := &barge.ComputeEnvironment{
		Name:             in.ComputeEnvironmentName,
		Type:             in.Type,
		State:            in.State,
		Status:           barge.StatusCreating,
		ComputeResources: in.ComputeResources,
		ServiceRole:      s.roleARN(in.ServiceRole),
		UnmanagedvCpus:   in.UnmanagedvCpus,
		Context:          in.Context,
		EksConfiguration: in.EksConfiguration,
		Tags:             in.Tags,
		UUID:             s.newID(),
		CreatedAt:        s.nowMillis(),
	}
	if ce.State == "" {
		ce.State = barge.StateEnabled
	}
	if !ce.IsEKS() {
		ce.EcsClusterArn = s.scope.ARNPrefix("ecs") + "cluster/AWSBatch-" + ce.Name + "-" + ce.UUID
	}
	if err := barge.ValidateComputeEnvironment(ce); err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	existing, err := s.store.ListComputeEnvironments(ctx, "", maxComputeEnvironments+1)
	if err != nil {
		return nil, err
	}
	if len(existing) >= maxComputeEnvironments {
		return nil, barge.Errorf(barge.ELimit, "You have reached the limit of %d compute environments. Delete one you no longer use before creating another.", maxComputeEnvironments)
	}
	if err := s.store.CreateComputeEnvironment(ctx, ce); err != nil {
		if barge.ErrorCodeOf(err) == barge.EConflict {
			return nil, barge.Errorf(barge.EConflict, "Object already exists: compute environment %s already exists. Choose another computeEnvironmentName or delete the existing one first.", ce.Name)
		}
		return nil, err
	}
	s.kick()
	return ce, nil
}

// roleARN turns a service role given by name (optionally with a path) into
// its ARN, and an absent one into Batch's service-linked role, as AWS does.
func (s *Service) roleARN(role string) string {
	switch {
	case role == "":
		return "arn:" + s.scope.Partition() + ":iam::" + s.scope.Account + ":role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch"
	case strings.HasPrefix(role, "arn:"):
		return role
	default:
		return "arn:" + s.scope.Partition() + ":iam::" + s.scope.Account + ":role/" + strings.TrimPrefix(role, "/")
	}
}

// computeEnvironment resolves a name or ARN to a stored compute environment.
func (s *Service) computeEnvironment(ctx context.Context, field, ref string) (*barge.ComputeEnvironment, error) {
	if err := required(field, ref); err != nil {
		return nil, err
	}
	name, ok := s.scope.NameFromRef(barge.KindComputeEnvironment, ref)
	if !ok {
		return nil, barge.Errorf(barge.EInvalid, "%s %s is not a compute environment name or ARN of this region and account (%s, %s).", field, ref, s.scope.Region, s.scope.Account)
	}
	ce, err := s.store.GetComputeEnvironment(ctx, name)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return nil, barge.Errorf(barge.ENotFound, "ComputeEnvironment %s does not exist. List yours with describe-compute-environments.", ref)
	}
	return ce, err
}

// UpdateComputeEnvironment changes a compute environment's state, capacity or
// roles; it goes UPDATING until the reconcile loop validates it again.
func (s *Service) UpdateComputeEnvironment(ctx context.Context, in *UpdateComputeEnvironmentInput) (*barge.ComputeEnvironment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ce, err := s.computeEnvironment(ctx, "computeEnvironment", in.ComputeEnvironment)
	if err != nil {
		return nil, err
	}
	if ce.Status == barge.StatusDeleting || ce.Status == barge.StatusDeleted {
		return nil, barge.Errorf(barge.EConflict, "Compute environment %s is being deleted and cannot be updated.", ce.Name)
	}
	if in.State != "" {
		if in.State != barge.StateEnabled && in.State != barge.StateDisabled {
			return nil, barge.Errorf(barge.EInvalid, "state must be ENABLED or DISABLED; got %q.", in.State)
		}
		ce.State = in.State
	}
	if in.ComputeResources != nil {
		if err := barge.ValidateComputeResourceUpdate(ce, in.ComputeResources); err != nil {
			return nil, err
		}
		applyComputeResourceUpdate(ce.ComputeResources, in.ComputeResources)
	}
	if in.ServiceRole != "" {
		ce.ServiceRole = s.roleARN(in.ServiceRole)
	}
	if in.UpdatePolicy != nil {
		ce.UpdatePolicy = in.UpdatePolicy
	}
	if in.UnmanagedvCpus != nil {
		ce.UnmanagedvCpus = in.UnmanagedvCpus
	}
	if in.Context != "" {
		ce.Context = in.Context
	}
	// The members without update-specific rules (unmanagedvCpus,
	// updatePolicy) are checked on the compute environment as the update
	// leaves it, by the rules that CreateComputeEnvironment applies.
	if err := barge.ValidateComputeEnvironment(ce); err != nil {
		return nil, err
	}
	ce.Status = barge.StatusUpdating
	ce.StatusReason = ""
	if err := s.store.PutComputeEnvironment(ctx, ce); err != nil {
		return nil, err
	}
	s.kick()
	return ce, nil
}

// applyComputeResourceUpdate applies the members an update sets; empty lists
// mean "no change", as AWS documents for Fargate subnets and security groups.
func applyComputeResourceUpdate(cr *barge.ComputeResource, u *barge.ComputeResourceUpdate) {
	if cr == nil {
		return
	}
	if u.MaxvCpus != nil {
		cr.MaxvCpus = u.MaxvCpus
	}
	if u.MinvCpus != nil {
		cr.MinvCpus = u.MinvCpus
	}
	if u.DesiredvCpus != nil {
		cr.DesiredvCpus = u.DesiredvCpus
	}
	if len(u.Subnets) > 0 {
		cr.Subnets = u.Subnets
	}
	if len(u.SecurityGroupIDs) > 0 {
		cr.SecurityGroupIDs = u.SecurityGroupIDs
	}
	if u.Type != "" {
		cr.Type = u.Type
	}
}

// DeleteComputeEnvironment deletes a DISABLED compute environment that no
// queue uses: it goes DELETING, then disappears.
func (s *Service) DeleteComputeEnvironment(ctx context.Context, in *DeleteComputeEnvironmentInput) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ce, err := s.computeEnvironment(ctx, "computeEnvironment", in.ComputeEnvironment)
	if err != nil {
		return err
	}
	if ce.Status == barge.StatusDeleting {
		return nil
	}
	if ce.State != barge.StateDisabled {
		return barge.Errorf(barge.EConflict, "Cannot delete, compute environment %s is ENABLED. Disable it first (update-compute-environment --state DISABLED), then delete it.", ce.Name)
	}
	queues, err := s.store.ListJobQueues(ctx, "", 1000)
	if err != nil {
		return err
	}
	var users []string
	for _, q := range queues {
		for _, o := range q.ComputeEnvironmentOrder {
			if o.ComputeEnvironment == ce.Name {
				users = append(users, q.Name)
			}
		}
	}
	if len(users) > 0 {
		return barge.Errorf(barge.EConflict, "Cannot delete, found existing JobQueue relationship: compute environment %s is used by job queue %s. Remove it from the queue's computeEnvironmentOrder (update-job-queue) or delete the queue first.", ce.Name, strings.Join(users, ", "))
	}
	ce.Status = barge.StatusDeleting
	ce.StatusReason = ""
	if err := s.store.PutComputeEnvironment(ctx, ce); err != nil {
		return err
	}
	s.kick()
	return nil
}

// DescribeComputeEnvironments lists compute environments, or describes the
// named ones (unknown names are simply absent).
func (s *Service) DescribeComputeEnvironments(ctx context.Context, in *DescribeComputeEnvironmentsInput) (*Page[*barge.ComputeEnvironment], error) {
	out := &Page[*barge.ComputeEnvironment]{}
	if len(in.ComputeEnvironments) > 0 {
		if in.MaxResults != nil {
			return nil, barge.Errorf(barge.EInvalid, "ComputeEnvironments and MaxResults cannot both be set. Pass either a list of computeEnvironments or maxResults.")
		}
		if len(in.ComputeEnvironments) > 100 {
			return nil, barge.Errorf(barge.EInvalid, "computeEnvironments can list at most 100 names or ARNs; got %d.", len(in.ComputeEnvironments))
		}
		for _, ref := range in.ComputeEnvironments {
			name, ok := s.scope.NameFromRef(barge.KindComputeEnvironment, ref)
			if !ok {
				continue
			}
			ce, err := s.store.GetComputeEnvironment(ctx, name)
			if barge.ErrorCodeOf(err) == barge.ENotFound {
				continue
			} else if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, s.withHealth(ce))
		}
		return out, nil
	}
	limit, err := pageSize(in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	after, err := decodeToken("ce", in.NextToken)
	if err != nil {
		return nil, err
	}
	ces, err := s.store.ListComputeEnvironments(ctx, after, limit+1)
	if err != nil {
		return nil, err
	}
	if len(ces) > limit {
		ces = ces[:limit]
		out.NextToken = encodeToken("ce", ces[limit-1].Name)
	}
	for _, ce := range ces {
		out.Items = append(out.Items, s.withHealth(ce))
	}
	return out, nil
}

// withHealth returns ce as it is described: the statusReason of a VALID,
// ENABLED compute environment whose executor cannot start tasks says why,
// computed as it is read (the executor's health is not stored).
func (s *Service) withHealth(ce *barge.ComputeEnvironment) *barge.ComputeEnvironment {
	if ce.Status != barge.StatusValid || ce.State != barge.StateEnabled {
		return ce
	}
	why := s.unavailable(ce)
	if why == "" {
		return ce
	}
	c := *ce // the store's may be shared by its cache
	c.StatusReason = barge.FitReason("%s; its jobs wait in RUNNABLE until it can.", why)
	return &c
}
