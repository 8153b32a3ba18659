package iam

import (
	"context"

	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/iamservice"
)

// PutRolePolicy adds an inline policy to a role, or replaces the one of the
// same name.
func (s *API) PutRolePolicy(ctx context.Context, in *putRolePolicyInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.PutRolePolicy(ctx, in.RoleName, in.PolicyName, in.PolicyDocument))
}

// GetRolePolicy returns an inline policy of a role, its document
// percent-encoded as IAM returns it.
func (s *API) GetRolePolicy(ctx context.Context, in *rolePolicyInput) (*getRolePolicyOutput, error) {
	p, err := s.svc.GetRolePolicy(ctx, in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &getRolePolicyOutput{RoleName: p.RoleName, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)}, nil
}

// DeleteRolePolicy deletes an inline policy from a role.
func (s *API) DeleteRolePolicy(ctx context.Context, in *rolePolicyInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.DeleteRolePolicy(ctx, in.RoleName, in.PolicyName))
}

// ListRolePolicies lists the names of a role's inline policies.
func (s *API) ListRolePolicies(ctx context.Context, in *listRolePoliciesInput) (*listRolePoliciesOutput, error) {
	page, err := s.svc.ListRolePolicies(ctx, in.RoleName, iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	return &listRolePoliciesOutput{PolicyNames: members[string]{Member: page.Items}, IsTruncated: page.Marker != "", Marker: page.Marker}, nil
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *API) AttachRolePolicy(ctx context.Context, in *rolePolicyArnInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.AttachRolePolicy(ctx, in.RoleName, in.PolicyArn))
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *API) DetachRolePolicy(ctx context.Context, in *rolePolicyArnInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.DetachRolePolicy(ctx, in.RoleName, in.PolicyArn))
}

// ListAttachedRolePolicies lists the managed policies attached to a role.
func (s *API) ListAttachedRolePolicies(ctx context.Context, in *listAttachedRolePoliciesInput) (*listAttachedRolePoliciesOutput, error) {
	page, err := s.svc.ListAttachedRolePolicies(ctx, in.RoleName, in.PathPrefix, iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	out := &listAttachedRolePoliciesOutput{IsTruncated: page.Marker != "", Marker: page.Marker}
	for _, p := range page.Items {
		out.AttachedPolicies.Member = append(out.AttachedPolicies.Member, attachedPolicyXML{PolicyName: p.Name, PolicyArn: p.ARN})
	}
	return out, nil
}
