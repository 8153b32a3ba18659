package iamservice

import (
	"context"
	"slices"
	"strings"

	"github.com/bargehq/barge"
)

// barge has no customer managed policies (no CreatePolicy): the managed
// policies a role can have attached are AWS's, and of those the ones that
// AWS Batch, ECS and container workloads commonly use, listed here by path
// and name. Their documents are not kept, as barge does not enforce
// permissions.

// managedPolicy is an AWS managed policy barge knows.
type managedPolicy struct {
	path, name string
	// serviceLinked policies belong to service-linked roles; IAM refuses to
	// attach them to any other role.
	serviceLinked bool
}

func (p managedPolicy) arn() string { return "arn:aws:iam::aws:policy" + p.path + p.name }

var awsManagedPolicies = []managedPolicy{
	// Fargate task execution and AWS Batch service roles.
	{path: "/service-role/", name: "AmazonECSTaskExecutionRolePolicy"},
	{path: "/service-role/", name: "AWSBatchServiceRole"},
	{path: "/service-role/", name: "AmazonEC2ContainerServiceforEC2Role"},
	{path: "/service-role/", name: "AmazonEC2ContainerServiceRole"},
	{path: "/service-role/", name: "AmazonECSInfrastructureRolePolicyForVolumes"},
	{path: "/service-role/", name: "AmazonEC2SpotFleetTaggingRole"},
	{path: "/service-role/", name: "AWSBatchServiceEventTargetRole"},
	{path: "/", name: "AWSBatchFullAccess"},
	{path: "/", name: "AmazonECS_FullAccess"},
	// What jobs commonly read and write.
	{path: "/", name: "AmazonS3ReadOnlyAccess"},
	{path: "/", name: "AmazonS3FullAccess"},
	{path: "/", name: "AmazonEC2ContainerRegistryReadOnly"},
	{path: "/", name: "AmazonEC2ContainerRegistryPowerUser"},
	{path: "/", name: "AmazonEC2ContainerRegistryFullAccess"},
	{path: "/", name: "CloudWatchLogsFullAccess"},
	{path: "/", name: "CloudWatchLogsReadOnlyAccess"},
	{path: "/", name: "CloudWatchAgentServerPolicy"},
	{path: "/", name: "AmazonDynamoDBFullAccess"},
	{path: "/", name: "AmazonDynamoDBReadOnlyAccess"},
	{path: "/", name: "AmazonSQSFullAccess"},
	{path: "/", name: "AmazonSQSReadOnlyAccess"},
	{path: "/", name: "AmazonSNSFullAccess"},
	{path: "/", name: "AmazonSSMReadOnlyAccess"},
	{path: "/", name: "SecretsManagerReadWrite"},
	{path: "/", name: "AmazonElasticFileSystemClientReadWriteAccess"},
	{path: "/", name: "AmazonElasticFileSystemClientReadOnlyAccess"},
	{path: "/", name: "AWSXrayWriteOnlyAccess"},
	{path: "/", name: "AdministratorAccess"},
	{path: "/", name: "PowerUserAccess"},
	{path: "/", name: "ReadOnlyAccess"},
	// Policies of the service-linked roles CreateServiceLinkedRole makes.
	{path: "/aws-service-role/", name: "BatchServiceRolePolicy", serviceLinked: true},
	{path: "/aws-service-role/", name: "AmazonECSServiceRolePolicy", serviceLinked: true},
	{path: "/aws-service-role/", name: "AWSEC2SpotServiceRolePolicy", serviceLinked: true},
	{path: "/aws-service-role/", name: "AWSEC2SpotFleetServiceRolePolicy", serviceLinked: true},
}

// policyARN is a parsed managed-policy ARN,
// arn:aws:iam::<account or "aws">:policy<path><name>.
type policyARN struct {
	account, path, name string
}

// parsePolicyARN parses a managed-policy ARN; an ARN of another form is
// InvalidInput.
func parsePolicyARN(arn string) (policyARN, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[1] == "aws" && parts[2] == "iam" && parts[3] == "" && parts[4] != "" {
		if rest, ok := strings.CutPrefix(parts[5], "policy/"); ok && rest != "" && !strings.HasSuffix(rest, "/") {
			i := strings.LastIndexByte(rest, '/')
			return policyARN{account: parts[4], path: "/" + rest[:i+1], name: rest[i+1:]}, nil
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
		return managedPolicy{}, barge.Errorf(barge.ENotFound, "%s barge has no customer managed policies (it does not implement CreatePolicy): attach an AWS managed policy (arn:aws:iam::aws:policy/...), or put the statements in an inline policy with PutRolePolicy.", notFound)
	}
	i := slices.IndexFunc(awsManagedPolicies, func(p managedPolicy) bool { return p.path == a.path && p.name == a.name })
	if i >= 0 {
		return awsManagedPolicies[i], nil
	}
	if j := slices.IndexFunc(awsManagedPolicies, func(p managedPolicy) bool { return strings.EqualFold(p.name, a.name) }); j >= 0 {
		return managedPolicy{}, barge.Errorf(barge.ENotFound, "%s Did you mean %s?", notFound, awsManagedPolicies[j].arn())
	}
	return managedPolicy{}, barge.Errorf(barge.ENotFound, "%s barge knows these AWS managed policies: %s.", notFound, knownPolicyNames())
}

func knownPolicyNames() string {
	var names []string
	for _, p := range awsManagedPolicies {
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
	return s.store.AttachRolePolicy(ctx, role, p.arn(), maxManagedPoliciesPerRole)
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
