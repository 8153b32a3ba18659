package iamservice

import (
	"context"
	"crypto/sha256"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// Managed policies through the policy operations: customer managed
// policies of the account, which CreatePolicy makes and the store keeps
// with up to five versions each, and AWS's, which barge knows from a table
// (managedpolicy.go) and which GetPolicy and GetPolicyVersion show as IAM
// does.

// policyARNOf returns the ARN of the customer managed policy name under path.
func (s *Service) policyARNOf(path, name string) string {
	return "arn:" + s.partition + ":iam::" + s.account + ":policy" + path + name
}

// CreatePolicyInput is a customer managed policy to create.
type CreatePolicyInput struct {
	Name        string
	Path        string // "/" when empty
	Document    string // the permissions policy: version v1, the default
	Description string
	Tags        []barge.RoleTag
}

// checkManagedDocument checks a managed policy's document: size,
// characters, grammar and IAM's quota on its length.
func checkManagedDocument(doc string) error {
	if err := checkDocument("policyDocument", doc); err != nil {
		return err
	}
	if _, err := parsePolicy(doc, identityPolicy); err != nil {
		return err
	}
	if n := barge.PolicySize(doc); n > maxManagedPolicySize {
		return barge.Errorf(barge.ELimit, "Cannot exceed quota for PolicySize: %d. The policy has %d characters other than white space; shorten it or split it into several policies.", maxManagedPolicySize, n)
	}
	return nil
}

// CreatePolicy creates a customer managed policy and returns it.
func (s *Service) CreatePolicy(ctx context.Context, in CreatePolicyInput) (*barge.ManagedPolicy, error) {
	if err := checkPolicyName(in.Name); err != nil {
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
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := checkManagedDocument(in.Document); err != nil {
		return nil, err
	}
	now := timeOf(s.now())
	p := &barge.ManagedPolicy{
		Name:        in.Name,
		ID:          s.newIAMID("ANPA"),
		Path:        path,
		ARN:         s.policyARNOf(path, in.Name),
		Description: in.Description,
		Created:     now,
		Updated:     now,
		Tags:        in.Tags,
	}
	if err := s.store.CreateManagedPolicy(ctx, p, in.Document); err != nil {
		return nil, err
	}
	return p, nil
}

// newIAMID returns an ID of the shape of AWS's IAM IDs with the given
// prefix (ANPA for policies, AIPA for instance profiles), from the role ID
// source, so that tests that fix role IDs fix these too.
func (s *Service) newIAMID(prefix string) string {
	return prefix + strings.TrimPrefix(s.newRoleID(), "AROA")
}

// awsPolicyID is the PolicyId barge gives an AWS managed policy: fixed and
// of AWS's shape, made from its ARN. (AWS's own IDs are not published.)
func awsPolicyID(arn string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(arn))
	id := []byte("ANPA")
	for _, c := range sum[:17] {
		id = append(id, alphabet[c%32])
	}
	return string(id)
}

// awsPolicy returns an AWS managed policy as GetPolicy shows it, with the
// number of roles of this account it is attached to.
func (s *Service) awsPolicy(ctx context.Context, p managedPolicy) (*barge.ManagedPolicy, error) {
	arn := p.arn(s.partition)
	roles, err := s.store.ListPolicyRoles(ctx, arn)
	if err != nil {
		return nil, err
	}
	return &barge.ManagedPolicy{
		Name: p.name, ID: awsPolicyID(p.arn("aws")), Path: p.path, ARN: arn, // one ID in every partition
		DefaultVersion: p.version, Created: p.created, Updated: p.updated,
		AttachmentCount: len(roles),
	}, nil
}

// IsAttachable reports whether a managed policy can be attached to a role:
// the policies of service-linked roles cannot.
func IsAttachable(p *barge.ManagedPolicy) bool { return p.Path != serviceRolePath }

// lookupPolicy returns the managed policy arn names: an AWS one barge
// knows, or a customer one of this account.
func (s *Service) lookupPolicy(ctx context.Context, arn string) (*barge.ManagedPolicy, *managedPolicy, error) {
	if err := checkPolicyARNLength("policyArn", arn); err != nil {
		return nil, nil, err
	}
	a, err := parsePolicyARN(arn)
	if err != nil {
		return nil, nil, err
	}
	switch a.account {
	case "aws":
		mp, err := managedPolicyOf("policyArn", arn)
		if err != nil {
			return nil, nil, err
		}
		p, err := s.awsPolicy(ctx, mp)
		return p, &mp, err
	case s.account:
		p, err := s.store.GetManagedPolicy(ctx, arn)
		return p, nil, err
	}
	return nil, nil, barge.Errorf(barge.ENotFound, "Policy %s was not found: it names account %s, and this barge server's account is %s.", arn, a.account, s.account)
}

// GetPolicy returns a managed policy: a customer managed policy of this
// account or an AWS managed policy barge knows.
func (s *Service) GetPolicy(ctx context.Context, arn string) (*barge.ManagedPolicy, error) {
	p, _, err := s.lookupPolicy(ctx, arn)
	return p, err
}

// customerPolicy checks that arn names a customer managed policy of this
// account, which the version operations need: AWS's cannot be changed.
func (s *Service) customerPolicy(arn string) error {
	if err := checkPolicyARNLength("policyArn", arn); err != nil {
		return err
	}
	a, err := parsePolicyARN(arn)
	if err != nil {
		return err
	}
	if a.account == "aws" {
		return barge.Errorf(EInvalidInput, "%s is an AWS managed policy, which only AWS changes. Create a customer managed policy with CreatePolicy to have a policy of your own.", arn)
	}
	if a.account != s.account {
		return barge.Errorf(barge.ENotFound, "Policy %s was not found.", arn)
	}
	return nil
}

// ListPoliciesInput selects managed policies: of Scope All (when empty),
// AWS or Local (the customer's), whose path starts with PathPrefix, only
// those attached to a role with OnlyAttached.
type ListPoliciesInput struct {
	Scope        string
	PathPrefix   string
	OnlyAttached bool
	ListInput
}

// ListPolicies lists managed policies: AWS's (those barge knows) in order
// of their names, then the customer's in order of their names.
func (s *Service) ListPolicies(ctx context.Context, in ListPoliciesInput) (*Page[*barge.ManagedPolicy], error) {
	scope := in.Scope
	if scope == "" {
		scope = "All"
	}
	if !slices.Contains([]string{"All", "AWS", "Local"}, scope) {
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", scope)
	}
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
	pos, err := decodeMarker("policies", in.Marker)
	if err != nil {
		return nil, err
	}
	// The marker is "a:<name>" within AWS's policies, "l:<name>" within
	// the customer's.
	phase, after, _ := strings.Cut(pos, ":")
	if pos != "" && phase != "a" && phase != "l" {
		return nil, errBadMarker()
	}
	var out []*barge.ManagedPolicy
	if scope != "Local" && phase != "l" {
		known := slices.Clone(awsManagedPolicies())
		slices.SortFunc(known, func(a, b managedPolicy) int { return strings.Compare(a.name, b.name) })
		for _, mp := range known {
			if len(out) > n {
				break
			}
			if mp.name <= after || !strings.HasPrefix(mp.path, prefix) {
				continue
			}
			p, err := s.awsPolicy(ctx, mp)
			if err != nil {
				return nil, err
			}
			if !in.OnlyAttached || p.AttachmentCount > 0 {
				out = append(out, p)
			}
		}
		after = ""
	}
	for scope != "AWS" && len(out) <= n {
		want := n + 1 - len(out)
		local, err := s.store.ListManagedPolicies(ctx, prefix, after, want)
		if err != nil {
			return nil, err
		}
		for _, p := range local {
			if !in.OnlyAttached || p.AttachmentCount > 0 {
				out = append(out, p)
			}
		}
		if len(local) < want {
			break
		}
		after = local[len(local)-1].Name
	}
	page := &Page[*barge.ManagedPolicy]{Items: out}
	if len(out) > n {
		page.Items = out[:n]
		last := out[n-1]
		kind := "l:"
		if isAWSManaged(last.ARN) {
			kind = "a:"
		}
		page.Marker = encodeMarker("policies", kind+last.Name)
	}
	return page, nil
}

// DeletePolicy deletes a customer managed policy that is attached to no
// role and has no versions but its default.
func (s *Service) DeletePolicy(ctx context.Context, arn string) error {
	if err := s.customerPolicy(arn); err != nil {
		return err
	}
	err := s.store.DeleteManagedPolicy(ctx, arn)
	if barge.ErrorCodeOf(err) == barge.EConflict {
		err = barge.Errorf(EDeleteConflict, "%s", barge.ErrorMessage(err))
	}
	return err
}

var versionPattern = regexp.MustCompile(`^v([1-9][0-9]*)(\.[A-Za-z0-9-]*)?$`)

// versionOf parses a version ID, v1, v2, ...
func versionOf(id string) (int, error) {
	if id == "" {
		return 0, missing("versionId")
	}
	m := versionPattern.FindStringSubmatch(id)
	n, err := 0, error(nil)
	if m != nil {
		n, err = strconv.Atoi(m[1])
	}
	if m == nil || err != nil {
		return 0, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", id)
	}
	return n, nil
}

// CreatePolicyVersion adds a version to a customer managed policy, the
// default one if setDefault. A policy has at most five versions.
func (s *Service) CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool) (*barge.PolicyVersion, error) {
	if err := s.customerPolicy(arn); err != nil {
		return nil, err
	}
	if err := checkManagedDocument(document); err != nil {
		return nil, err
	}
	return s.store.CreatePolicyVersion(ctx, arn, document, setDefault, timeOf(s.now()), maxPolicyVersions)
}

// GetPolicyVersion returns a version of a managed policy with its document:
// of a customer managed policy, any version it has; of an AWS managed
// policy, its default version, the one barge knows.
func (s *Service) GetPolicyVersion(ctx context.Context, arn, versionID string) (*barge.PolicyVersion, error) {
	p, mp, err := s.lookupPolicy(ctx, arn)
	if err != nil {
		return nil, err
	}
	n, err := versionOf(versionID)
	if err != nil {
		return nil, err
	}
	if mp == nil {
		return s.store.GetPolicyVersion(ctx, arn, n)
	}
	if n != p.DefaultVersion {
		return nil, barge.Errorf(barge.ENotFound, "Policy %s version %s does not exist or is not attachable. barge knows the default version of AWS managed policies, v%d.", arn, versionID, p.DefaultVersion)
	}
	return &barge.PolicyVersion{Version: n, Document: mp.document, IsDefault: true, Created: mp.updated}, nil
}

// ListPolicyVersions lists the versions of a managed policy, newest first;
// of an AWS managed policy, the default version.
func (s *Service) ListPolicyVersions(ctx context.Context, arn string, in ListInput) (*Page[*barge.PolicyVersion], error) {
	p, mp, err := s.lookupPolicy(ctx, arn)
	if err != nil {
		return nil, err
	}
	var versions []*barge.PolicyVersion
	if mp != nil {
		versions = []*barge.PolicyVersion{{Version: p.DefaultVersion, IsDefault: true, Created: mp.updated}}
	} else if versions, err = s.store.ListPolicyVersions(ctx, arn); err != nil {
		return nil, err
	}
	return pageOf("versions", versions, in)
}

// DeletePolicyVersion deletes a version of a customer managed policy other
// than its default.
func (s *Service) DeletePolicyVersion(ctx context.Context, arn, versionID string) error {
	if err := s.customerPolicy(arn); err != nil {
		return err
	}
	n, err := versionOf(versionID)
	if err != nil {
		return err
	}
	err = s.store.DeletePolicyVersion(ctx, arn, n)
	if barge.ErrorCodeOf(err) == barge.EConflict {
		err = barge.Errorf(EDeleteConflict, "%s", barge.ErrorMessage(err))
	}
	return err
}

// SetDefaultPolicyVersion makes a version of a customer managed policy its
// default.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, arn, versionID string) error {
	if err := s.customerPolicy(arn); err != nil {
		return err
	}
	n, err := versionOf(versionID)
	if err != nil {
		return err
	}
	return s.store.SetDefaultPolicyVersion(ctx, arn, n, timeOf(s.now()))
}

// ListEntitiesForPolicy lists the roles a managed policy is attached to,
// in order of their names, those whose path starts with pathPrefix.
// entityFilter (User, Role, Group, LocalManagedPolicy, AWSManagedPolicy, or
// "" for all) other than Role, "" and the two policy kinds selects nothing:
// barge has no users or groups.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, arn, entityFilter, pathPrefix string, in ListInput) (*Page[*barge.Role], error) {
	filters := []string{"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}
	if entityFilter != "" && !slices.Contains(filters, entityFilter) {
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [%s]", entityFilter, strings.Join(filters, ", "))
	}
	if pathPrefix == "" {
		pathPrefix = "/"
	}
	if err := checkPathPrefix("pathPrefix", pathPrefix); err != nil {
		return nil, err
	}
	if _, _, err := s.lookupPolicy(ctx, arn); err != nil {
		return nil, err
	}
	var roles []*barge.Role
	if entityFilter != "User" && entityFilter != "Group" {
		all, err := s.store.ListPolicyRoles(ctx, arn)
		if err != nil {
			return nil, err
		}
		for _, r := range all {
			if strings.HasPrefix(r.Path, pathPrefix) {
				roles = append(roles, r)
			}
		}
	}
	return pageOf("entities", roles, in)
}
