package iamservice

import (
	"context"
	"slices"

	"github.com/bargehq/barge"
)

// checkPolicyName checks the PolicyName member of a request.
func checkPolicyName(name string) error { return checkName("policyName", name, 128) }

// PutRolePolicy adds an inline policy to a role, or replaces the one of the
// same name.
func (s *Service) PutRolePolicy(ctx context.Context, role, name, document string) error {
	if err := checkRoleName(role); err != nil {
		return err
	}
	if err := checkPolicyName(name); err != nil {
		return err
	}
	if err := checkDocument("policyDocument", document); err != nil {
		return err
	}
	if _, err := parsePolicy(document, identityPolicy); err != nil {
		return err
	}
	if err := s.checkModifiable(ctx, role); err != nil {
		return err
	}
	return s.store.PutRolePolicy(ctx, &barge.InlinePolicy{RoleName: role, Name: name, Document: document}, maxInlinePolicySize)
}

// GetRolePolicy returns an inline policy of a role.
func (s *Service) GetRolePolicy(ctx context.Context, role, name string) (*barge.InlinePolicy, error) {
	if err := checkRoleName(role); err != nil {
		return nil, err
	}
	if err := checkPolicyName(name); err != nil {
		return nil, err
	}
	return s.store.GetRolePolicy(ctx, role, name)
}

// DeleteRolePolicy deletes an inline policy from a role.
func (s *Service) DeleteRolePolicy(ctx context.Context, role, name string) error {
	if err := checkRoleName(role); err != nil {
		return err
	}
	if err := checkPolicyName(name); err != nil {
		return err
	}
	if err := s.checkModifiable(ctx, role); err != nil {
		return err
	}
	return s.store.DeleteRolePolicy(ctx, role, name)
}

// ListRolePolicies lists the names of a role's inline policies, in order.
func (s *Service) ListRolePolicies(ctx context.Context, role string, in ListInput) (*Page[string], error) {
	if err := checkRoleName(role); err != nil {
		return nil, err
	}
	names, err := s.store.ListRolePolicies(ctx, role)
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	return pageOf("policies", names, in)
}
