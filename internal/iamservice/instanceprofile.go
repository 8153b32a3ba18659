package iamservice

import (
	"context"

	"github.com/bargehq/barge"
)

// Instance profiles hold a role for EC2 instances. barge launches no
// instances; it keeps instance profiles so that tools that create them
// next to a compute environment's instance role (and DeleteRole, which
// refuses a role still in one) work as on AWS.

// InstanceProfile is an instance profile with the role it holds, if any.
type InstanceProfile struct {
	*barge.InstanceProfile
	Roles []*barge.Role // none or one
}

// withRoles returns p with its role read.
func (s *Service) withRoles(ctx context.Context, p *barge.InstanceProfile) (*InstanceProfile, error) {
	out := &InstanceProfile{InstanceProfile: p, Roles: []*barge.Role{}}
	if p.Role == "" {
		return out, nil
	}
	r, err := s.store.GetRole(ctx, p.Role)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return out, nil // deleted meanwhile
	}
	if err != nil {
		return nil, err
	}
	out.Roles = append(out.Roles, r)
	return out, nil
}

func checkProfileName(name string) error { return checkName("instanceProfileName", name, 128) }

// CreateInstanceProfile creates an instance profile without a role.
func (s *Service) CreateInstanceProfile(ctx context.Context, name, path string, tags []barge.RoleTag) (*InstanceProfile, error) {
	if err := checkProfileName(name); err != nil {
		return nil, err
	}
	if path == "" {
		path = "/"
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	p := &barge.InstanceProfile{
		Name:    name,
		ID:      s.newIAMID("AIPA"),
		Path:    path,
		ARN:     "arn:" + s.partition + ":iam::" + s.account + ":instance-profile" + path + name,
		Created: timeOf(s.now()),
		Tags:    tags,
	}
	if err := s.store.CreateInstanceProfile(ctx, p); err != nil {
		return nil, err
	}
	return &InstanceProfile{InstanceProfile: p, Roles: []*barge.Role{}}, nil
}

// GetInstanceProfile returns an instance profile with its role.
func (s *Service) GetInstanceProfile(ctx context.Context, name string) (*InstanceProfile, error) {
	if err := checkProfileName(name); err != nil {
		return nil, err
	}
	p, err := s.store.GetInstanceProfile(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.withRoles(ctx, p)
}

// ListInstanceProfiles lists the instance profiles whose path starts with
// pathPrefix ("/" when empty), in order of their names.
func (s *Service) ListInstanceProfiles(ctx context.Context, pathPrefix string, in ListInput) (*Page[*InstanceProfile], error) {
	if pathPrefix == "" {
		pathPrefix = "/"
	}
	if err := checkPathPrefix("pathPrefix", pathPrefix); err != nil {
		return nil, err
	}
	n, err := maxItems(in.MaxItems)
	if err != nil {
		return nil, err
	}
	after, err := decodeMarker("profiles", in.Marker)
	if err != nil {
		return nil, err
	}
	profiles, err := s.store.ListInstanceProfiles(ctx, pathPrefix, after, n+1)
	if err != nil {
		return nil, err
	}
	page := &Page[*InstanceProfile]{}
	if len(profiles) > n {
		profiles = profiles[:n]
		page.Marker = encodeMarker("profiles", profiles[n-1].Name)
	}
	for _, p := range profiles {
		wp, err := s.withRoles(ctx, p)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, wp)
	}
	return page, nil
}

// ListInstanceProfilesForRole lists the instance profiles that hold a
// role, in order of their names.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, role string, in ListInput) (*Page[*InstanceProfile], error) {
	if err := checkRoleName(role); err != nil {
		return nil, err
	}
	profiles, err := s.store.ListInstanceProfilesForRole(ctx, role)
	if err != nil {
		return nil, err
	}
	var out []*InstanceProfile
	for _, p := range profiles {
		wp, err := s.withRoles(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, wp)
	}
	return pageOf("profiles", out, in)
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, name string) error {
	if err := checkProfileName(name); err != nil {
		return err
	}
	err := s.store.DeleteInstanceProfile(ctx, name)
	if barge.ErrorCodeOf(err) == barge.EConflict {
		err = barge.Errorf(EDeleteConflict, "%s", barge.ErrorMessage(err))
	}
	return err
}

// AddRoleToInstanceProfile puts a role in an instance profile, which holds
// one role at most.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, profile, role string) error {
	if err := checkProfileName(profile); err != nil {
		return err
	}
	if err := checkRoleName(role); err != nil {
		return err
	}
	if err := s.checkModifiable(ctx, role); err != nil {
		return err
	}
	return s.store.AddRoleToInstanceProfile(ctx, profile, role)
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, profile, role string) error {
	if err := checkProfileName(profile); err != nil {
		return err
	}
	if err := checkRoleName(role); err != nil {
		return err
	}
	return s.store.RemoveRoleFromInstanceProfile(ctx, profile, role)
}
