package iamservice

import (
	"context"
	"slices"
	"strings"

	"github.com/bargehq/barge"
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

// CreateServiceLinkedRole creates the service-linked role of a service
// (e.g. batch.amazonaws.com) and returns it. customSuffix must be empty:
// the services barge knows have one service-linked role each.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, service, description, customSuffix string) (*barge.Role, error) {
	if err := checkName("aWSServiceName", service, 128); err != nil {
		return nil, err
	}
	if err := checkDescription(description); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(linkedServices, func(l linkedService) bool { return l.service == service })
	if i < 0 {
		var known []string
		for _, l := range linkedServices {
			known = append(known, l.service)
		}
		return nil, barge.Errorf(EInvalidInput, "barge cannot create a service-linked role for %s: it creates those of %s.", service, strings.Join(known, ", "))
	}
	l := linkedServices[i]
	if customSuffix != "" {
		return nil, barge.Errorf(EInvalidInput, "Custom suffix is not allowed for %s: %s has one service-linked role, %s. Omit CustomSuffix.", l.service, l.service, l.roleName)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["` + l.service + `"]},"Action":["sts:AssumeRole"]}]}`
	r, err := s.CreateRole(ctx, CreateRoleInput{
		Path:             serviceRolePath + l.service + "/",
		Name:             l.roleName,
		AssumeRolePolicy: trust,
		Description:      description,
	})
	if barge.ErrorCodeOf(err) == barge.EConflict {
		return nil, barge.Errorf(EInvalidInput, "Service role name %s has been taken in this account, please try a different suffix.", l.roleName)
	}
	if err != nil {
		return nil, err
	}
	policy := managedPolicy{path: serviceRolePath, name: l.policy}
	if err := s.store.AttachRolePolicy(ctx, l.roleName, policy.arn(s.partition), maxManagedPoliciesPerRole); err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteServiceLinkedRole deletes a service-linked role with its policies
// and returns the ID of the deletion task. AWS does it in the background and
// reports on it through GetServiceLinkedRoleDeletionStatus; barge has
// nothing to wait for, so the role is gone when this returns.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, name string) (taskID string, err error) {
	if err := checkRoleName(name); err != nil {
		return "", err
	}
	r, err := s.store.GetRole(ctx, name)
	if err != nil {
		return "", err
	}
	if !isServiceLinked(r) {
		return "", barge.Errorf(EInvalidInput, "Role %s is not a service-linked role: delete it with DeleteRole.", r.Name)
	}
	arns, err := s.store.ListAttachedRolePolicies(ctx, r.Name)
	if err != nil {
		return "", err
	}
	for _, arn := range arns {
		if err := s.store.DetachRolePolicy(ctx, r.Name, arn); err != nil && barge.ErrorCodeOf(err) != barge.ENotFound {
			return "", err
		}
	}
	names, err := s.store.ListRolePolicies(ctx, r.Name)
	if err != nil {
		return "", err
	}
	for _, name := range names {
		if err := s.store.DeleteRolePolicy(ctx, r.Name, name); err != nil && barge.ErrorCodeOf(err) != barge.ENotFound {
			return "", err
		}
	}
	if err := s.store.DeleteRole(ctx, r.Name); err != nil {
		return "", err
	}
	return "task" + r.Path + r.Name + "/" + s.newID(), nil
}

// GetServiceLinkedRoleDeletionStatus reports on a deletion. barge deletes at
// once, so every deletion it started has SUCCEEDED.
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, taskID string) (string, error) {
	if taskID == "" {
		return "", missing("deletionTaskId")
	}
	if !strings.HasPrefix(taskID, "task"+serviceRolePath) {
		return "", barge.Errorf(EInvalidInput, "Invalid deletion task ID %s: pass the DeletionTaskId that DeleteServiceLinkedRole returned.", taskID)
	}
	return "SUCCEEDED", nil
}
