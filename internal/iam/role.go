package iam

import (
	"context"

	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/iamservice"
)

// CreateRole creates a role.
func (s *API) CreateRole(ctx context.Context, in *createRoleInput) (*roleOutput, error) {
	r, err := s.svc.CreateRole(ctx, iamservice.CreateRoleInput{
		Name:                in.RoleName,
		Path:                in.Path,
		AssumeRolePolicy:    in.AssumeRolePolicyDocument,
		Description:         in.Description,
		MaxSessionDuration:  in.MaxSessionDuration,
		PermissionsBoundary: in.PermissionsBoundary,
		Tags:                fromTagInputs(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: toRoleXML(r, viewCreated)}, nil
}

// GetRole returns a role.
func (s *API) GetRole(ctx context.Context, in *roleNameInput) (*roleOutput, error) {
	r, err := s.svc.GetRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: toRoleXML(r, viewFull)}, nil
}

// ListRoles lists the roles, optionally only those under a path.
func (s *API) ListRoles(ctx context.Context, in *listRolesInput) (*listRolesOutput, error) {
	page, err := s.svc.ListRoles(ctx, in.PathPrefix, iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	out := &listRolesOutput{Roles: members[roleXML]{Member: make([]roleXML, 0, len(page.Items))}, IsTruncated: page.Marker != "", Marker: page.Marker}
	for _, r := range page.Items {
		out.Roles.Member = append(out.Roles.Member, toRoleXML(r, viewListed))
	}
	return out, nil
}

// UpdateRole changes a role's description or maximum session duration.
func (s *API) UpdateRole(ctx context.Context, in *updateRoleInput) (*updateRoleOutput, error) {
	if err := s.svc.UpdateRole(ctx, in.RoleName, in.Description, in.MaxSessionDuration); err != nil {
		return nil, err
	}
	return &updateRoleOutput{}, nil
}

// UpdateRoleDescription changes a role's description and returns the role.
func (s *API) UpdateRoleDescription(ctx context.Context, in *updateRoleDescriptionInput) (*roleOutput, error) {
	r, err := s.svc.UpdateRoleDescription(ctx, in.RoleName, in.Description)
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: toRoleXML(r, viewFull)}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *API) UpdateAssumeRolePolicy(ctx context.Context, in *updateAssumeRolePolicyInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.UpdateAssumeRolePolicy(ctx, in.RoleName, in.PolicyDocument))
}

// DeleteRole deletes a role that has no policies left.
func (s *API) DeleteRole(ctx context.Context, in *roleNameInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.DeleteRole(ctx, in.RoleName))
}

// noResult is the answer of an operation whose response has no result
// element: nothing on success, err otherwise.
func noResult(err error) (*awsproto.NoResult, error) {
	if err != nil {
		return nil, err
	}
	return &awsproto.NoResult{}, nil
}
