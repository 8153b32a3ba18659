package barge

import (
	"strconv"
	"strings"
)

// ResourceKind is the resource-type segment of a Batch ARN.
type ResourceKind string

// The Batch resource kinds that have ARNs.
const (
	KindComputeEnvironment ResourceKind = "compute-environment"
	KindJobQueue           ResourceKind = "job-queue"
	KindJobDefinition      ResourceKind = "job-definition"
	KindJob                ResourceKind = "job"
	KindSchedulingPolicy   ResourceKind = "scheduling-policy"
)

// Scope is the region and account that a server answers for; every ARN it
// hands out carries them.
type Scope struct {
	Region  string
	Account string
}

// ARN returns the Batch ARN of the resource kind/name in this scope.
func (s Scope) ARN(kind ResourceKind, name string) string {
	return s.ARNPrefix("batch") + string(kind) + "/" + name
}

// Partition returns the AWS partition of region: aws-cn for China's
// regions (cn-north-1, cn-northwest-1), aws-us-gov for GovCloud's
// (us-gov-west-1, us-gov-east-1), aws elsewhere. Every ARN starts
// arn:<partition>:.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Partition returns the scope's partition (see Partition).
func (s Scope) Partition() string { return Partition(s.Region) }

// ARNPrefix returns "arn:<partition>:<service>:<region>:<account>:", how
// the ARNs of service's resources in this scope start.
func (s Scope) ARNPrefix(service string) string {
	return "arn:" + s.Partition() + ":" + service + ":" + s.Region + ":" + s.Account + ":"
}

// JobDefinitionARN returns the ARN of revision rev of job definition name.
func (s Scope) JobDefinitionARN(name string, rev int) string {
	return s.ARN(KindJobDefinition, name+":"+strconv.Itoa(rev))
}

// ARN is a parsed Batch ARN.
type ARN struct {
	Region   string
	Account  string
	Kind     ResourceKind
	Resource string // the part after "<kind>/", e.g. "name" or "name:3"
}

// ParseARN parses a Batch ARN of the form
// arn:aws:batch:<region>:<account>:<kind>/<resource>. ok is false for any
// other string.
func ParseARN(s string) (a ARN, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "batch" || !strings.HasPrefix(parts[1], "aws") {
		return ARN{}, false
	}
	kind, res, found := strings.Cut(parts[5], "/")
	if !found || res == "" {
		return ARN{}, false
	}
	return ARN{Region: parts[3], Account: parts[4], Kind: ResourceKind(kind), Resource: res}, true
}

// NameFromRef returns the resource name of ref, which is either a bare name or
// a Batch ARN of the given kind. ok is false when ref is an ARN of another
// kind, scope, or not an ARN at all while containing characters a name
// cannot.
func (s Scope) NameFromRef(kind ResourceKind, ref string) (name string, ok bool) {
	if !strings.HasPrefix(ref, "arn:") {
		return ref, ref != ""
	}
	a, ok := ParseARN(ref)
	if !ok || a.Kind != kind || a.Region != s.Region || a.Account != s.Account {
		return "", false
	}
	return a.Resource, true
}
