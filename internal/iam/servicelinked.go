package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// Service-linked roles are made by IAM for a service: a fixed name, a path
// under /aws-service-role/, a trust policy for the service and the
// service's own managed policy. Only IAM changes them; they are deleted
// with DeleteServiceLinkedRole, which barge does at once.

// linkedService is a service whose service-linked role barge can create.
type linkedService struct {
	service  string // e.g. batch.amazonaws.com
	roleName string
	policy   string // the name of its policy under /aws-service-role/
}

var linkedServices = []linkedService{
	{service: "batch.amazonaws.com", roleName: "AWSServiceRoleForBatch", policy: "BatchServiceRolePolicy"},
	{service: "ecs.amazonaws.com", roleName: "AWSServiceRoleForECS", policy: "AmazonECSServiceRolePolicy"},
	{service: "spot.amazonaws.com", roleName: "AWSServiceRoleForEC2Spot", policy: "AWSEC2SpotServiceRolePolicy"},
	{service: "spotfleet.amazonaws.com", roleName: "AWSServiceRoleForEC2SpotFleet", policy: "AWSEC2SpotFleetServiceRolePolicy"},
}

// CreateServiceLinkedRole creates the service-linked role of a service.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, in *createServiceLinkedRoleInput) (*roleOutput, error) {
	if err := checkName("aWSServiceName", in.AWSServiceName, 128); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(linkedServices, func(l linkedService) bool { return l.service == in.AWSServiceName })
	if i < 0 {
		var known []string
		for _, l := range linkedServices {
			known = append(known, l.service)
		}
		return nil, barge.Errorf(eInvalidInput, "barge cannot create a service-linked role for %s: it creates those of %s.", in.AWSServiceName, strings.Join(known, ", "))
	}
	l := linkedServices[i]
	if in.CustomSuffix != "" {
		return nil, barge.Errorf(eInvalidInput, "Custom suffix is not allowed for %s: %s has one service-linked role, %s. Omit CustomSuffix.", l.service, l.service, l.roleName)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["` + l.service + `"]},"Action":["sts:AssumeRole"]}]}`
	out, err := s.CreateRole(ctx, &createRoleInput{
		Path:                     serviceRolePath + l.service + "/",
		RoleName:                 l.roleName,
		AssumeRolePolicyDocument: trust,
		Description:              in.Description,
	})
	if barge.ErrorCodeOf(err) == barge.EConflict {
		return nil, barge.Errorf(eInvalidInput, "Service role name %s has been taken in this account, please try a different suffix.", l.roleName)
	}
	if err != nil {
		return nil, err
	}
	policy := managedPolicy{path: serviceRolePath, name: l.policy}
	if err := s.store.AttachRolePolicy(ctx, l.roleName, policy.arn(), maxManagedPoliciesPerRole); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteServiceLinkedRole deletes a service-linked role with its policies.
// AWS does it in the background and reports on it through
// GetServiceLinkedRoleDeletionStatus; barge has nothing to wait for, so the
// role is gone when this returns.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, in *roleNameInput) (*deleteServiceLinkedRoleOutput, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	r, err := s.store.GetRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	if !isServiceLinked(r) {
		return nil, barge.Errorf(eInvalidInput, "Role %s is not a service-linked role: delete it with DeleteRole.", r.Name)
	}
	arns, err := s.store.ListAttachedRolePolicies(ctx, r.Name)
	if err != nil {
		return nil, err
	}
	for _, arn := range arns {
		if err := s.store.DetachRolePolicy(ctx, r.Name, arn); err != nil && barge.ErrorCodeOf(err) != barge.ENotFound {
			return nil, err
		}
	}
	names, err := s.store.ListRolePolicies(ctx, r.Name)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if err := s.store.DeleteRolePolicy(ctx, r.Name, name); err != nil && barge.ErrorCodeOf(err) != barge.ENotFound {
			return nil, err
		}
	}
	if err := s.store.DeleteRole(ctx, r.Name); err != nil {
		return nil, err
	}
	return &deleteServiceLinkedRoleOutput{DeletionTaskId: "task" + r.Path + r.Name + "/" + awsproto.NewUUID()}, nil
}

// GetServiceLinkedRoleDeletionStatus reports on a deletion. barge deletes at
// once, so every deletion it started has succeeded.
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, in *deletionStatusInput) (*deletionStatusOutput, error) {
	if in.DeletionTaskId == "" {
		return nil, missing("deletionTaskId")
	}
	if !strings.HasPrefix(in.DeletionTaskId, "task"+serviceRolePath) {
		return nil, barge.Errorf(eInvalidInput, "Invalid deletion task ID %s: pass the DeletionTaskId that DeleteServiceLinkedRole returned.", in.DeletionTaskId)
	}
	return &deletionStatusOutput{Status: "SUCCEEDED"}, nil
}
