package iam

import "context"

// CreateServiceLinkedRole creates the service-linked role of a service.
func (s *API) CreateServiceLinkedRole(ctx context.Context, in *createServiceLinkedRoleInput) (*roleOutput, error) {
	r, err := s.svc.CreateServiceLinkedRole(ctx, in.AWSServiceName, in.Description, in.CustomSuffix)
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: toRoleXML(r, viewCreated)}, nil
}

// DeleteServiceLinkedRole deletes a service-linked role with its policies.
func (s *API) DeleteServiceLinkedRole(ctx context.Context, in *roleNameInput) (*deleteServiceLinkedRoleOutput, error) {
	id, err := s.svc.DeleteServiceLinkedRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	return &deleteServiceLinkedRoleOutput{DeletionTaskId: id}, nil
}

// GetServiceLinkedRoleDeletionStatus reports on a deletion.
func (s *API) GetServiceLinkedRoleDeletionStatus(ctx context.Context, in *deletionStatusInput) (*deletionStatusOutput, error) {
	status, err := s.svc.GetServiceLinkedRoleDeletionStatus(ctx, in.DeletionTaskId)
	if err != nil {
		return nil, err
	}
	return &deletionStatusOutput{Status: status}, nil
}
