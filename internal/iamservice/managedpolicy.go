package iamservice

import (
	"context"
	_ "embed"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// The managed policies a role can have attached are customer managed
// policies (CreatePolicy, in customerpolicy.go) and AWS's. Of AWS's, barge
// knows those that AWS Batch, ECS and container workloads commonly use,
// with their documents as AWS publishes them (awsmanagedpolicies.json):
// GetPolicy and GetPolicyVersion return them; barge does not enforce them.

// managedPolicy is an AWS managed policy barge knows.
type managedPolicy struct {
	path, name string
	// serviceLinked policies belong to service-linked roles; IAM refuses to
	// attach them to any other role.
	serviceLinked bool

	version          int // the default version's n
	created, updated time.Time
	document         string
}

// arn returns the policy's ARN in partition (aws, aws-cn, ...).
func (p managedPolicy) arn(partition string) string {
	return "arn:" + partition + ":iam::aws:policy" + p.path + p.name
}

// isAWSManaged reports whether a managed policy's ARN is an AWS managed
// policy's, arn:<partition>:iam::aws:policy/..., in any partition.
func isAWSManaged(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[4] == "aws"
}

// validPartition reports whether p is an AWS partition's name: aws,
// aws-cn, aws-us-gov, ...
func validPartition(p string) bool { return p == "aws" || strings.HasPrefix(p, "aws-") && len(p) > 4 }

//go:embed awsmanagedpolicies.json
var awsManagedPoliciesJSON []byte

// awsManagedPolicies returns the AWS managed policies barge knows, parsed
// once from the embedded table, which is read only.
var awsManagedPolicies = sync.OnceValue(func() []managedPolicy {
	var table []struct {
		Path, Name, Version, Document string
		Created, Updated              time.Time
	}
	if err := json.Unmarshal(awsManagedPoliciesJSON, &table); err != nil {
		panic("iamservice: awsmanagedpolicies.json: " + err.Error())
	}
	out := make([]managedPolicy, len(table))
	for i, t := range table {
		v, _ := strconv.Atoi(strings.TrimPrefix(t.Version, "v"))
		out[i] = managedPolicy{path: t.Path, name: t.Name, serviceLinked: t.Path == serviceRolePath,
			version: v, created: t.Created, updated: t.Updated, document: t.Document}
	}
	return out
})

// policyARN is a parsed managed-policy ARN,
// arn:aws:iam::<account or "aws">:policy<path><name>.
type policyARN struct {
	partition, account, path, name string
}

// parsePolicyARN parses a managed-policy ARN; an ARN of another form is
// InvalidInput.
func parsePolicyARN(arn string) (policyARN, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && validPartition(parts[1]) && parts[2] == "iam" && parts[3] == "" && parts[4] != "" {
		if rest, ok := strings.CutPrefix(parts[5], "policy/"); ok && rest != "" && !strings.HasSuffix(rest, "/") {
			i := strings.LastIndexByte(rest, '/')
			return policyARN{partition: parts[1], account: parts[4], path: "/" + rest[:i+1], name: rest[i+1:]}, nil
		}
	}
	return policyARN{}, barge.Errorf(EInvalidInput, "ARN %s is not valid. A managed policy ARN has the form arn:aws:iam::aws:policy/<path><name>, e.g. arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy.", arn)
}

// managedPolicyOf returns the AWS managed policy arn names. A policy barge
// does not know is NoSuchEntity, as on AWS, with the hint that fixes the
// usual mistakes: a wrong path, or a customer managed policy.
func managedPolicyOf(member, arn string) (managedPolicy, error) {
	if err := checkPolicyARNLength(member, arn); err != nil {
		return managedPolicy{}, err
	}
	a, err := parsePolicyARN(arn)
	if err != nil {
		return managedPolicy{}, err
	}
	notFound := "Policy " + arn + " does not exist or is not attachable."
	if a.account != "aws" {
		return managedPolicy{}, barge.Errorf(barge.ENotFound, "%s It is not an AWS managed policy (arn:aws:iam::aws:policy/...); create a customer managed policy with CreatePolicy, or put the statements in an inline policy with PutRolePolicy.", notFound)
	}
	known := awsManagedPolicies()
	i := slices.IndexFunc(known, func(p managedPolicy) bool { return p.path == a.path && p.name == a.name })
	if i >= 0 {
		return known[i], nil
	}
	if j := slices.IndexFunc(known, func(p managedPolicy) bool { return strings.EqualFold(p.name, a.name) }); j >= 0 {
		return managedPolicy{}, barge.Errorf(barge.ENotFound, "%s Did you mean %s?", notFound, known[j].arn(a.partition))
	}
	return managedPolicy{}, barge.Errorf(barge.ENotFound, "%s barge knows these AWS managed policies: %s.", notFound, knownPolicyNames())
}

func knownPolicyNames() string {
	var names []string
	for _, p := range awsManagedPolicies() {
		if !p.serviceLinked {
			names = append(names, strings.TrimPrefix(p.path, "/")+p.name)
		}
	}
	return strings.Join(names, ", ")
}

// AttachRolePolicy attaches an AWS managed policy to a role.
func (s *Service) AttachRolePolicy(ctx context.Context, role, policyArn string) error {
	if err := checkRoleName(role); err != nil {
		return err
	}
	if a, err := parsePolicyARN(policyArn); err == nil && a.account == s.account {
		// A customer managed policy: the store checks it exists.
		if err := checkPolicyARNLength("policyArn", policyArn); err != nil {
			return err
		}
		if err := s.checkModifiable(ctx, role); err != nil {
			return err
		}
		return s.store.AttachRolePolicy(ctx, role, policyArn, maxManagedPoliciesPerRole)
	}
	p, err := managedPolicyOf("policyArn", policyArn)
	if err != nil {
		return err
	}
	if p.serviceLinked {
		return barge.Errorf(EPolicyNotAttachable, "Cannot attach a Service Role Policy to a Customer Role: %s is for the service-linked role of its service. Attach a policy from /service-role/ or another path instead.", policyArn)
	}
	if err := s.checkModifiable(ctx, role); err != nil {
		return err
	}
	return s.store.AttachRolePolicy(ctx, role, p.arn(s.partition), maxManagedPoliciesPerRole)
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Service) DetachRolePolicy(ctx context.Context, role, policyArn string) error {
	if err := checkRoleName(role); err != nil {
		return err
	}
	if err := checkPolicyARNLength("policyArn", policyArn); err != nil {
		return err
	}
	if _, err := parsePolicyARN(policyArn); err != nil {
		return err
	}
	if err := s.checkModifiable(ctx, role); err != nil {
		return err
	}
	return s.store.DetachRolePolicy(ctx, role, policyArn)
}

// AttachedPolicy is a managed policy attached to a role.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// ListAttachedRolePolicies lists the managed policies attached to a role,
// in the order they were attached, only those whose path starts with
// pathPrefix if it is not empty.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, role, pathPrefix string, in ListInput) (*Page[AttachedPolicy], error) {
	if err := checkRoleName(role); err != nil {
		return nil, err
	}
	if pathPrefix != "" {
		if err := checkPathPrefix("pathPrefix", pathPrefix); err != nil {
			return nil, err
		}
	}
	arns, err := s.store.ListAttachedRolePolicies(ctx, role)
	if err != nil {
		return nil, err
	}
	var attached []AttachedPolicy
	for _, arn := range arns {
		a, err := parsePolicyARN(arn)
		if err != nil {
			return nil, err // only parsed ARNs are stored
		}
		if strings.HasPrefix(a.path, pathPrefix) {
			attached = append(attached, AttachedPolicy{Name: a.name, ARN: arn})
		}
	}
	return pageOf("attached", attached, in)
}
