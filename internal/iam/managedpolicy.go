package iam

import (
	"context"

	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/iamservice"
)

// CreatePolicy creates a customer managed policy.
func (s *API) CreatePolicy(ctx context.Context, in *createPolicyInput) (*policyOutput, error) {
	p, err := s.svc.CreatePolicy(ctx, iamservice.CreatePolicyInput{
		Name: in.PolicyName, Path: in.Path, Document: in.PolicyDocument, Description: in.Description, Tags: fromTagInputs(in.Tags),
	})
	if err != nil {
		return nil, err
	}
	return &policyOutput{Policy: toPolicyXML(p, false)}, nil
}

// GetPolicy returns a managed policy.
func (s *API) GetPolicy(ctx context.Context, in *policyArnInput) (*policyOutput, error) {
	p, err := s.svc.GetPolicy(ctx, in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return &policyOutput{Policy: toPolicyXML(p, false)}, nil
}

// ListPolicies lists managed policies.
func (s *API) ListPolicies(ctx context.Context, in *listPoliciesInput) (*listPoliciesOutput, error) {
	page, err := s.svc.ListPolicies(ctx, iamservice.ListPoliciesInput{
		Scope: in.Scope, PathPrefix: in.PathPrefix, OnlyAttached: in.OnlyAttached,
		ListInput: iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems},
	})
	if err != nil {
		return nil, err
	}
	out := &listPoliciesOutput{Policies: members[policyXML]{Member: make([]policyXML, 0, len(page.Items))}, IsTruncated: page.Marker != "", Marker: page.Marker}
	for _, p := range page.Items {
		out.Policies.Member = append(out.Policies.Member, toPolicyXML(p, true))
	}
	return out, nil
}

// DeletePolicy deletes a customer managed policy.
func (s *API) DeletePolicy(ctx context.Context, in *policyArnInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.DeletePolicy(ctx, in.PolicyArn))
}

// CreatePolicyVersion adds a version to a customer managed policy.
func (s *API) CreatePolicyVersion(ctx context.Context, in *createPolicyVersionInput) (*policyVersionOutput, error) {
	v, err := s.svc.CreatePolicyVersion(ctx, in.PolicyArn, in.PolicyDocument, in.SetAsDefault)
	if err != nil {
		return nil, err
	}
	x := toPolicyVersionXML(v)
	x.Document = "" // IAM returns the version without its document
	return &policyVersionOutput{PolicyVersion: x}, nil
}

// GetPolicyVersion returns a version of a managed policy with its document.
func (s *API) GetPolicyVersion(ctx context.Context, in *policyVersionInput) (*policyVersionOutput, error) {
	v, err := s.svc.GetPolicyVersion(ctx, in.PolicyArn, in.VersionId)
	if err != nil {
		return nil, err
	}
	return &policyVersionOutput{PolicyVersion: toPolicyVersionXML(v)}, nil
}

// ListPolicyVersions lists the versions of a managed policy.
func (s *API) ListPolicyVersions(ctx context.Context, in *listPolicyVersionsInput) (*listPolicyVersionsOutput, error) {
	page, err := s.svc.ListPolicyVersions(ctx, in.PolicyArn, iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	out := &listPolicyVersionsOutput{IsTruncated: page.Marker != "", Marker: page.Marker}
	for _, v := range page.Items {
		x := toPolicyVersionXML(v)
		x.Document = ""
		out.Versions.Member = append(out.Versions.Member, x)
	}
	return out, nil
}

// DeletePolicyVersion deletes a version of a customer managed policy.
func (s *API) DeletePolicyVersion(ctx context.Context, in *policyVersionInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.DeletePolicyVersion(ctx, in.PolicyArn, in.VersionId))
}

// SetDefaultPolicyVersion makes a version of a customer managed policy its
// default.
func (s *API) SetDefaultPolicyVersion(ctx context.Context, in *policyVersionInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.SetDefaultPolicyVersion(ctx, in.PolicyArn, in.VersionId))
}

// ListEntitiesForPolicy lists the roles a managed policy is attached to.
func (s *API) ListEntitiesForPolicy(ctx context.Context, in *listEntitiesForPolicyInput) (*listEntitiesForPolicyOutput, error) {
	page, err := s.svc.ListEntitiesForPolicy(ctx, in.PolicyArn, in.EntityFilter, in.PathPrefix, iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	out := &listEntitiesForPolicyOutput{IsTruncated: page.Marker != "", Marker: page.Marker}
	for _, r := range page.Items {
		out.PolicyRoles.Member = append(out.PolicyRoles.Member, policyRoleXML{RoleName: r.Name, RoleId: r.ID})
	}
	return out, nil
}
