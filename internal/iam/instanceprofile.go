package iam

import (
	"context"

	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/iamservice"
)

// CreateInstanceProfile creates an instance profile.
func (s *API) CreateInstanceProfile(ctx context.Context, in *createInstanceProfileInput) (*instanceProfileOutput, error) {
	p, err := s.svc.CreateInstanceProfile(ctx, in.InstanceProfileName, in.Path, fromTagInputs(in.Tags))
	if err != nil {
		return nil, err
	}
	return &instanceProfileOutput{InstanceProfile: toInstanceProfileXML(p)}, nil
}

// GetInstanceProfile returns an instance profile with its role.
func (s *API) GetInstanceProfile(ctx context.Context, in *instanceProfileNameInput) (*instanceProfileOutput, error) {
	p, err := s.svc.GetInstanceProfile(ctx, in.InstanceProfileName)
	if err != nil {
		return nil, err
	}
	return &instanceProfileOutput{InstanceProfile: toInstanceProfileXML(p)}, nil
}

// ListInstanceProfiles lists instance profiles.
func (s *API) ListInstanceProfiles(ctx context.Context, in *listInstanceProfilesInput) (*listInstanceProfilesOutput, error) {
	page, err := s.svc.ListInstanceProfiles(ctx, in.PathPrefix, iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	return profilesOutput(page), nil
}

// ListInstanceProfilesForRole lists the instance profiles that hold a role.
func (s *API) ListInstanceProfilesForRole(ctx context.Context, in *listInstanceProfilesForRoleInput) (*listInstanceProfilesOutput, error) {
	page, err := s.svc.ListInstanceProfilesForRole(ctx, in.RoleName, iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	return profilesOutput(page), nil
}

func profilesOutput(page *iamservice.Page[*iamservice.InstanceProfile]) *listInstanceProfilesOutput {
	out := &listInstanceProfilesOutput{InstanceProfiles: members[instanceProfileXML]{Member: []instanceProfileXML{}}, IsTruncated: page.Marker != "", Marker: page.Marker}
	for _, p := range page.Items {
		out.InstanceProfiles.Member = append(out.InstanceProfiles.Member, toInstanceProfileXML(p))
	}
	return out
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
func (s *API) DeleteInstanceProfile(ctx context.Context, in *instanceProfileNameInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.DeleteInstanceProfile(ctx, in.InstanceProfileName))
}

// AddRoleToInstanceProfile puts a role in an instance profile.
func (s *API) AddRoleToInstanceProfile(ctx context.Context, in *instanceProfileRoleInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.AddRoleToInstanceProfile(ctx, in.InstanceProfileName, in.RoleName))
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (s *API) RemoveRoleFromInstanceProfile(ctx context.Context, in *instanceProfileRoleInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.RemoveRoleFromInstanceProfile(ctx, in.InstanceProfileName, in.RoleName))
}
