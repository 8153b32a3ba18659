package iam

import (
	"context"
	"slices"

	"github.com/bargehq/barge"

	"github.com/bargehq/barge/internal/awsproto"
)

// checkPolicyName checks the PolicyName member of a request.
func checkPolicyName(name string) error { return checkName("policyName", name, 128) }

// PutRolePolicy adds an inline policy to a role, or replaces the one of the
// same name.
func (s *Service) PutRolePolicy(ctx context.Context, in *putRolePolicyInput) (*awsproto.NoResult, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if err := checkPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	if err := checkDocument("policyDocument", in.PolicyDocument); err != nil {
		return nil, err
	}
	if _, err := parsePolicy(in.PolicyDocument, identityPolicy); err != nil {
		return nil, err
	}
	if err := s.checkModifiable(ctx, in.RoleName); err != nil {
		return nil, err
	}
	p := &barge.InlinePolicy{RoleName: in.RoleName, Name: in.PolicyName, Document: in.PolicyDocument}
	if err := s.store.PutRolePolicy(ctx, p, maxInlinePolicySize); err != nil {
		return nil, err
	}
	return &awsproto.NoResult{}, nil
}

// GetRolePolicy returns an inline policy of a role, its document
// percent-encoded as IAM returns it.
func (s *Service) GetRolePolicy(ctx context.Context, in *rolePolicyInput) (*getRolePolicyOutput, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if err := checkPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	p, err := s.store.GetRolePolicy(ctx, in.RoleName, in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &getRolePolicyOutput{RoleName: p.RoleName, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)}, nil
}

// DeleteRolePolicy deletes an inline policy from a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, in *rolePolicyInput) (*awsproto.NoResult, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if err := checkPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	if err := s.checkModifiable(ctx, in.RoleName); err != nil {
		return nil, err
	}
	if err := s.store.DeleteRolePolicy(ctx, in.RoleName, in.PolicyName); err != nil {
		return nil, err
	}
	return &awsproto.NoResult{}, nil
}

// ListRolePolicies lists the names of a role's inline policies, in order.
func (s *Service) ListRolePolicies(ctx context.Context, in *listRolePoliciesInput) (*listRolePoliciesOutput, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	names, err := s.store.ListRolePolicies(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	page, next, err := pageOf("policies", names, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &listRolePoliciesOutput{
		PolicyNames: members[string]{Member: page},
		IsTruncated: next != "",
		Marker:      next,
	}, nil
}
