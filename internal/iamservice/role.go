package iamservice

import (
	"context"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// roleARN returns the ARN of the role name under path in this account.
func (s *Service) roleARN(path, name string) string {
	return "arn:" + s.partition + ":iam::" + s.account + ":role" + path + name
}

// serviceRolePath is the path of every service-linked role; IAM lets only
// the service change such roles.
const serviceRolePath = "/aws-service-role/"

func isServiceLinked(r *barge.Role) bool { return strings.HasPrefix(r.Path, serviceRolePath) }

func errProtected(name string) error {
	return barge.Errorf(EUnmodifiable, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS. Delete it with DeleteServiceLinkedRole.", name)
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

// CreateRoleInput is a role to create.
type CreateRoleInput struct {
	Name                string
	Path                string // "/" when empty
	AssumeRolePolicy    string // the trust policy document
	Description         string
	MaxSessionDuration  *int   // seconds, 3600 to 43200; 3600 when nil
	PermissionsBoundary string // a managed policy ARN, or ""
	Tags                []barge.RoleTag
}

// CreateRole creates a role and returns it.
func (s *Service) CreateRole(ctx context.Context, in CreateRoleInput) (*barge.Role, error) {
	if err := checkRoleName(in.Name); err != nil {
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
	if err := checkTrustPolicy("assumeRolePolicyDocument", in.AssumeRolePolicy); err != nil {
		return nil, err
	}
	if in.PermissionsBoundary != "" {
		if _, err := s.GetPolicy(ctx, in.PermissionsBoundary); err != nil {
			if barge.ErrorCodeOf(err) == barge.ENotFound {
				err = barge.Errorf(EInvalidInput, "Scope ARN: %s does not exist or is not attachable. A permissions boundary must be a customer managed policy of this account or an AWS managed policy that barge knows, such as arn:aws:iam::aws:policy/PowerUserAccess.", in.PermissionsBoundary)
			}
			return nil, err
		}
	}
	r := &barge.Role{
		Name:                in.Name,
		ID:                  s.newRoleID(),
		Path:                path,
		ARN:                 s.roleARN(path, in.Name),
		Created:             timeOf(s.now()),
		AssumeRolePolicy:    in.AssumeRolePolicy,
		Description:         in.Description,
		MaxSessionDuration:  session,
		PermissionsBoundary: in.PermissionsBoundary,
		Tags:                in.Tags,
	}
	if err := s.store.CreateRole(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// GetRole returns a role.
func (s *Service) GetRole(ctx context.Context, name string) (*barge.Role, error) {
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	return s.store.GetRole(ctx, name)
}

// ListRoles lists the roles whose path starts with pathPrefix ("/" when
// empty), in order of their names.
func (s *Service) ListRoles(ctx context.Context, pathPrefix string, in ListInput) (*Page[*barge.Role], error) {
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
	after, err := decodeMarker("roles", in.Marker)
	if err != nil {
		return nil, err
	}
	roles, err := s.store.ListRoles(ctx, pathPrefix, after, n+1)
	if err != nil {
		return nil, err
	}
	page := &Page[*barge.Role]{Items: roles}
	if len(roles) > n {
		page.Items = roles[:n]
		page.Marker = encodeMarker("roles", roles[n-1].Name)
	}
	return page, nil
}

// UpdateRole changes a role's description or maximum session duration,
// those of the two that are not nil.
func (s *Service) UpdateRole(ctx context.Context, name string, description *string, maxSessionDuration *int) error {
	if err := checkRoleName(name); err != nil {
		return err
	}
	if description != nil {
		if err := checkDescription(*description); err != nil {
			return err
		}
	}
	if _, err := maxSession(maxSessionDuration, 0); err != nil {
		return err
	}
	_, err := s.store.UpdateRole(ctx, name, func(r *barge.Role) error {
		if isServiceLinked(r) && maxSessionDuration != nil {
			return errProtected(r.Name)
		}
		if description != nil {
			r.Description = *description
		}
		if maxSessionDuration != nil {
			r.MaxSessionDuration = *maxSessionDuration
		}
		return nil
	})
	return err
}

// UpdateRoleDescription changes a role's description and returns the role.
func (s *Service) UpdateRoleDescription(ctx context.Context, name, description string) (*barge.Role, error) {
	if err := checkRoleName(name); err != nil {
		return nil, err
	}
	if err := checkDescription(description); err != nil {
		return nil, err
	}
	return s.store.UpdateRole(ctx, name, func(r *barge.Role) error {
		r.Description = description
		return nil
	})
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, name, document string) error {
	if err := checkRoleName(name); err != nil {
		return err
	}
	if err := checkTrustPolicy("policyDocument", document); err != nil {
		return err
	}
	_, err := s.store.UpdateRole(ctx, name, func(r *barge.Role) error {
		if isServiceLinked(r) {
			return errProtected(r.Name)
		}
		r.AssumeRolePolicy = document
		return nil
	})
	return err
}

// DeleteRole deletes a role that has no policies left.
func (s *Service) DeleteRole(ctx context.Context, name string) error {
	if err := checkRoleName(name); err != nil {
		return err
	}
	if err := s.checkModifiable(ctx, name); err != nil {
		return err
	}
	err := s.store.DeleteRole(ctx, name)
	if barge.ErrorCodeOf(err) == barge.EConflict {
		// The store's conflict is the policies still in the role.
		err = barge.Errorf(EDeleteConflict, "%s", barge.ErrorMessage(err))
	}
	return err
}

// timeOf is the time a role is created at: IAM keeps whole seconds.
func timeOf(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
