package iam

import (
	"context"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// roleARN returns the ARN of the role name under path in this account.
func (s *Service) roleARN(path, name string) string {
	return "arn:aws:iam::" + s.account + ":role" + path + name
}

// serviceRolePath is the path of every service-linked role; IAM lets only
// the service change such roles.
const serviceRolePath = "/aws-service-role/"

func isServiceLinked(r *barge.Role) bool { return strings.HasPrefix(r.Path, serviceRolePath) }

func errProtected(name string) error {
	return barge.Errorf(eUnmodifiable, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS. Delete it with DeleteServiceLinkedRole.", name)
}

// checkModifiable refuses changes to a service-linked role. A missing role
// passes: the change then fails with NoSuchEntity.
func (s *Service) checkModifiable(ctx context.Context, name string) error {
	r, err := s.store.GetRole(ctx, name)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if isServiceLinked(r) {
		return errProtected(r.Name)
	}
	return nil
}

// checkTrustPolicy checks a role's trust policy: size, characters, grammar
// and IAM's quota on its length.
func checkTrustPolicy(member, doc string) error {
	if err := checkDocument(member, doc); err != nil {
		return err
	}
	if _, err := parsePolicy(doc, trustPolicy); err != nil {
		return err
	}
	if n := barge.PolicySize(doc); n > maxTrustPolicySize {
		return barge.Errorf(barge.ELimit, "Cannot exceed quota for ACLSizePerRole: %d. The trust policy has %d characters other than white space; shorten it.", maxTrustPolicySize, n)
	}
	return nil
}

// CreateRole creates a role.
func (s *Service) CreateRole(ctx context.Context, in *createRoleInput) (*roleOutput, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	session, err := maxSession(in.MaxSessionDuration, defaultMaxSession)
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := checkTrustPolicy("assumeRolePolicyDocument", in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	if in.PermissionsBoundary != "" {
		if _, err := managedPolicyOf("permissionsBoundary", in.PermissionsBoundary); err != nil {
			if barge.ErrorCodeOf(err) == barge.ENotFound {
				err = barge.Errorf(eInvalidInput, "Scope ARN: %s does not exist or is not attachable. A permissions boundary must be an AWS managed policy that barge knows, such as arn:aws:iam::aws:policy/PowerUserAccess; barge has no customer managed policies.", in.PermissionsBoundary)
			}
			return nil, err
		}
	}
	r := &barge.Role{
		Name:                in.RoleName,
		ID:                  s.newRoleID(),
		Path:                path,
		ARN:                 s.roleARN(path, in.RoleName),
		Created:             timeOf(s.now()),
		AssumeRolePolicy:    in.AssumeRolePolicyDocument,
		Description:         in.Description,
		MaxSessionDuration:  session,
		PermissionsBoundary: in.PermissionsBoundary,
		Tags:                fromTagInputs(in.Tags),
	}
	if err := s.store.CreateRole(ctx, r); err != nil {
		return nil, err
	}
	return &roleOutput{Role: toRoleXML(r, viewCreated)}, nil
}

// GetRole returns a role.
func (s *Service) GetRole(ctx context.Context, in *roleNameInput) (*roleOutput, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	r, err := s.store.GetRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: toRoleXML(r, viewFull)}, nil
}

// ListRoles lists the roles, optionally only those under a path, in order
// of their names.
func (s *Service) ListRoles(ctx context.Context, in *listRolesInput) (*listRolesOutput, error) {
	prefix := in.PathPrefix
	if prefix == "" {
		prefix = "/"
	}
	if err := checkPathPrefix("pathPrefix", prefix); err != nil {
		return nil, err
	}
	n, err := maxItems(in.MaxItems)
	if err != nil {
		return nil, err
	}
	after, err := decodeMarker("roles", in.Marker)
	if err != nil {
		return nil, err
	}
	roles, err := s.store.ListRoles(ctx, prefix, after, n+1)
	if err != nil {
		return nil, err
	}
	out := &listRolesOutput{Roles: members[roleXML]{Member: []roleXML{}}}
	if len(roles) > n {
		roles = roles[:n]
		out.IsTruncated = true
		out.Marker = encodeMarker("roles", roles[n-1].Name)
	}
	for _, r := range roles {
		out.Roles.Member = append(out.Roles.Member, toRoleXML(r, viewListed))
	}
	return out, nil
}

// UpdateRole changes a role's description or maximum session duration.
func (s *Service) UpdateRole(ctx context.Context, in *updateRoleInput) (*updateRoleOutput, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return nil, err
		}
	}
	if _, err := maxSession(in.MaxSessionDuration, 0); err != nil {
		return nil, err
	}
	_, err := s.store.UpdateRole(ctx, in.RoleName, func(r *barge.Role) error {
		if isServiceLinked(r) && in.MaxSessionDuration != nil {
			return errProtected(r.Name)
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &updateRoleOutput{}, nil
}

// UpdateRoleDescription changes a role's description and returns the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, in *updateRoleDescriptionInput) (*roleOutput, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, err
	}
	r, err := s.store.UpdateRole(ctx, in.RoleName, func(r *barge.Role) error {
		r.Description = in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &roleOutput{Role: toRoleXML(r, viewFull)}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *updateAssumeRolePolicyInput) (*awsproto.NoResult, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if err := checkTrustPolicy("policyDocument", in.PolicyDocument); err != nil {
		return nil, err
	}
	_, err := s.store.UpdateRole(ctx, in.RoleName, func(r *barge.Role) error {
		if isServiceLinked(r) {
			return errProtected(r.Name)
		}
		r.AssumeRolePolicy = in.PolicyDocument
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsproto.NoResult{}, nil
}

// DeleteRole deletes a role that has no policies left.
func (s *Service) DeleteRole(ctx context.Context, in *roleNameInput) (*awsproto.NoResult, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if err := s.checkModifiable(ctx, in.RoleName); err != nil {
		return nil, err
	}
	err := s.store.DeleteRole(ctx, in.RoleName)
	if barge.ErrorCodeOf(err) == barge.EConflict {
		// The store's conflict is the policies still in the role.
		err = barge.Errorf(eDeleteConflict, "%s", barge.ErrorMessage(err))
	}
	if err != nil {
		return nil, err
	}
	return &awsproto.NoResult{}, nil
}
