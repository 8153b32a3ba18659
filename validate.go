package barge

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The validators in this file and in validatejobdefinition.go and
// submission.go apply the rules AWS Batch applies to requests. Each returns
// nil or an *Error with code EInvalid whose message names the offending
// member by its AWS member path and says what is allowed; where AWS's own
// message is known (reference §6.1) it comes first, verbatim. Validators never
// change their input: defaults and normalisation belong to the caller.

// invalidf returns an EInvalid error. It returns the error interface so that
// validators can return its result directly without a typed nil.
func invalidf(format string, args ...any) error {
	return Errorf(EInvalid, format, args...)
}

// clip quotes a client-supplied value for a message, shortened so that a
// huge value does not make a huge message.
func clip(s string) string {
	return strconv.Quote(shortenTo(s, 64))
}

// shorten cuts a client-supplied value that AWS's message shows unquoted.
func shorten(s string) string { return shortenTo(s, 256) }

func shortenTo(s string, limit int) string {
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit]) + "..."
	}
	return s
}

// Quotas and bounds from the AWS Batch model and service quotas.
const (
	maxNameLen             = 128
	maxTags                = 50
	maxTagKeyLen           = 128
	maxTagValueLen         = 256
	maxComputeEnvsPerQueue = 3
	maxFargateSubnets      = 16
	maxFargateSGs          = 5
	maxShareIdentifierLen  = 255
	maxShareDistribution   = 500
	maxShareDecaySeconds   = 604800
	maxComputeReservation  = 99
	minWeightFactor        = 0.0001
	maxWeightFactor        = 999.9999
	minStateTimeLimit      = 600
	maxStateTimeLimit      = 86400
)

// ValidateResourceName checks the name of a compute environment, job queue,
// job definition or scheduling policy: 1 to 128 letters, numbers, hyphens and
// underscores. field is the request member that carries it, such as
// computeEnvironmentName.
func ValidateResourceName(field, name string) error {
	const rule = "It must be 1 to 128 characters: letters, numbers, hyphens (-) and underscores (_)."
	if name == "" {
		return invalidf("%s is required. %s", field, rule)
	}
	if n := utf8.RuneCountInString(name); n > maxNameLen {
		return invalidf("%s is %d characters long. %s", field, n, rule)
	}
	if !isNameChars(name) {
		return invalidf("%s %s is not valid. %s", field, clip(name), rule)
	}
	return nil
}

// ValidateJobName checks SubmitJob's jobName against
// ^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$.
func ValidateJobName(name string) error {
	if len(name) > 0 && len(name) <= maxNameLen && isAlnum(name[0]) && isNameChars(name) {
		return nil
	}
	what := clip(name)
	if name == "" {
		what = "is empty and"
	} else if n := utf8.RuneCountInString(name); n > maxNameLen {
		what = "is " + strconv.Itoa(n) + " characters long and"
	}
	return invalidf("Job name should match valid pattern. jobName %s must be 1 to 128 characters, start with a letter or number, and contain only letters, numbers, hyphens (-) and underscores (_).", what)
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// ValidateTags checks a resource's tags: at most 50, keys of 1 to 128
// characters that do not start with the reserved "aws:" prefix, values of at
// most 256 characters. field is the member carrying them, usually "tags".
//
// The model says a tag map has at least one entry, but an empty map is
// accepted and means no tags: SDKs and tools send {} for "no tags", and
// rejecting it would break them for no gain.
func ValidateTags(field string, tags map[string]string) error {
	if len(tags) > maxTags {
		return invalidf("%s has %d tags; a resource can have at most %d.", field, len(tags), maxTags)
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if k == "" {
			return invalidf("%s has an empty key. Tag keys are 1 to %d characters.", field, maxTagKeyLen)
		}
		if n := utf8.RuneCountInString(k); n > maxTagKeyLen {
			return invalidf("%s key %s is %d characters long. Tag keys are at most %d characters.", field, clip(k), n, maxTagKeyLen)
		}
		if len(k) >= 4 && strings.EqualFold(k[:4], "aws:") {
			return invalidf("%s key %s is not allowed: the aws: prefix is reserved for AWS use.", field, clip(k))
		}
		if n := utf8.RuneCountInString(tags[k]); n > maxTagValueLen {
			return invalidf("%s value of key %s is %d characters long. Tag values are at most %d characters.", field, clip(k), n, maxTagValueLen)
		}
	}
	return nil
}

func validState(field string, s State) error {
	switch s {
	case "", StateEnabled, StateDisabled:
		return nil
	}
	return invalidf("%s %s is not valid. It must be ENABLED or DISABLED.", field, clip(string(s)))
}

// member is an optional request member and whether the request set it, for
// rules that forbid members in some context.
type member struct {
	name string
	set  bool
}

// firstSet returns the name of the first member of ms that is set.
func firstSet(ms []member) (string, bool) {
	for _, m := range ms {
		if m.set {
			return m.name, true
		}
	}
	return "", false
}

// fargateForbidden lists, in the model's order, the computeResources members
// a Fargate compute environment must not set.
func fargateForbidden(cr *ComputeResource) []member {
	return []member{
		{"allocationStrategy", cr.AllocationStrategy != ""},
		{"minvCpus", cr.MinvCpus != nil},
		{"desiredvCpus", cr.DesiredvCpus != nil},
		{"instanceTypes", cr.InstanceTypes != nil},
		{"imageId", cr.ImageID != ""},
		{"ec2KeyPair", cr.Ec2KeyPair != ""},
		{"instanceRole", cr.InstanceRole != ""},
		{"tags", cr.Tags != nil},
		{"placementGroup", cr.PlacementGroup != ""},
		{"bidPercentage", cr.BidPercentage != nil},
		{"spotIamFleetRole", cr.SpotIamFleetRole != ""},
		{"launchTemplate", cr.LaunchTemplate != nil},
		{"ec2Configuration", cr.Ec2Configuration != nil},
		{"scalingPolicy", cr.ScalingPolicy != nil},
	}
}

// ValidateComputeEnvironment checks a CreateComputeEnvironment request. Fargate
// compute environments get AWS's Fargate rules in full; EC2 and SPOT ones are
// checked only for shape (barge accepts them and marks them INVALID).
//
// maxvCpus may be 0 (a compute environment that runs nothing until updated);
// AWS documents no lower bound and the model's Integer caps it at 2^31-1.
func ValidateComputeEnvironment(ce *ComputeEnvironment) error {
	if ce == nil {
		return invalidf("The compute environment is missing from the request.")
	}
	if err := ValidateResourceName("computeEnvironmentName", ce.Name); err != nil {
		return err
	}
	switch ce.Type {
	case CEManaged, CEUnmanaged:
	case "":
		return invalidf("type is required. It must be MANAGED (Fargate, EC2 or SPOT capacity) or UNMANAGED.")
	default:
		return invalidf("type %s is not valid. It must be MANAGED or UNMANAGED.", clip(string(ce.Type)))
	}
	if err := validState("state", ce.State); err != nil {
		return err
	}
	if ce.UpdatePolicy != nil && ce.UpdatePolicy.JobExecutionTimeoutMinutes != nil {
		if m := *ce.UpdatePolicy.JobExecutionTimeoutMinutes; m < 1 || m > 360 {
			return invalidf("updatePolicy.jobExecutionTimeoutMinutes %d is not valid. It must be between 1 and 360.", m)
		}
	}
	if ce.EksConfiguration != nil {
		if err := validateEksConfiguration(ce); err != nil {
			return err
		}
	}
	if ce.Type == CEUnmanaged {
		if ce.ComputeResources != nil {
			return invalidf("computeResources is not applicable to UNMANAGED compute environments. Remove it, or use type MANAGED.")
		}
		if ce.UnmanagedvCpus != nil && *ce.UnmanagedvCpus < 0 {
			return invalidf("unmanagedvCpus %d is not valid. It must be 0 or more.", *ce.UnmanagedvCpus)
		}
		return ValidateTags("tags", ce.Tags)
	}
	if ce.UnmanagedvCpus != nil {
		return invalidf("unmanagedvCpus is only supported when type is UNMANAGED. Remove it; a MANAGED compute environment's capacity is computeResources.maxvCpus.")
	}
	cr := ce.ComputeResources
	if cr == nil {
		return invalidf("computeResources is required for MANAGED compute environments. For Fargate give {\"type\": \"FARGATE\", \"maxvCpus\": N, \"subnets\": [...], \"securityGroupIds\": [...]}.")
	}
	switch cr.Type {
	case CRFargate, CRFargateSpot, CREC2, CRSpot:
	case "":
		return invalidf("computeResources.type is required. It must be FARGATE, FARGATE_SPOT, EC2 or SPOT.")
	default:
		return invalidf("computeResources.type %s is not valid. It must be FARGATE, FARGATE_SPOT, EC2 or SPOT.", clip(string(cr.Type)))
	}
	if cr.MaxvCpus == nil {
		return invalidf("computeResources.maxvCpus is required: the most vCPUs the compute environment may use at once.")
	}
	if m := *cr.MaxvCpus; m < 0 || m > math.MaxInt32 {
		return invalidf("computeResources.maxvCpus %d is not valid. It must be between 0 and %d.", m, math.MaxInt32)
	}
	if cr.Type.IsFargate() {
		if err := validateFargateComputeResources(cr); err != nil {
			return err
		}
	} else if err := validateEC2ComputeResources(cr); err != nil {
		return err
	}
	return ValidateTags("tags", ce.Tags)
}

func validateFargateComputeResources(cr *ComputeResource) error {
	if name, ok := firstSet(fargateForbidden(cr)); ok {
		return invalidf("computeResources.%s is not applicable to %s compute environments. Remove it; Fargate compute resources take only type, maxvCpus, subnets and securityGroupIds (use the top-level tags for tags).", name, cr.Type)
	}
	if err := validateIDList("computeResources.subnets", cr.Subnets, maxFargateSubnets, "subnet"); err != nil {
		return err
	}
	return validateIDList("computeResources.securityGroupIds", cr.SecurityGroupIDs, maxFargateSGs, "security group")
}

// validateIDList checks a Fargate list of subnet or security group IDs: 1
// to limit entries, none empty.
func validateIDList(field string, ids []string, limit int, what string) error {
	if len(ids) == 0 {
		return invalidf("%s is required for Fargate compute environments. Give 1 to %d %s IDs.", field, limit, what)
	}
	if len(ids) > limit {
		return invalidf("%s has %d entries. Fargate compute environments take at most %d.", field, len(ids), limit)
	}
	for i, id := range ids {
		if id == "" {
			return invalidf("%s[%d] is empty. Give a %s ID.", field, i, what)
		}
	}
	return nil
}

func validateEC2ComputeResources(cr *ComputeResource) error {
	if cr.Subnets == nil {
		return invalidf("computeResources.subnets is required. Give the VPC subnets the compute resources are launched in.")
	}
	if cr.InstanceRole == "" {
		// AWS requires it of EC2 and SPOT compute resources.
		return invalidf("computeResources.instanceRole is required for %s compute environments: the ECS instance profile its instances run with, e.g. ecsInstanceRole.", cr.Type)
	}
	switch cr.AllocationStrategy {
	case "", "BEST_FIT", "BEST_FIT_PROGRESSIVE", "SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED":
	default:
		return invalidf("computeResources.allocationStrategy %s is not valid. It must be BEST_FIT, BEST_FIT_PROGRESSIVE, SPOT_CAPACITY_OPTIMIZED or SPOT_PRICE_CAPACITY_OPTIMIZED.", clip(cr.AllocationStrategy))
	}
	return validateEC2vCpus("computeResources", cr.MinvCpus, cr.MaxvCpus, cr.DesiredvCpus, cr.BidPercentage)
}

// validateEC2vCpus checks the vCPU bounds and bid percentage of EC2 and SPOT
// compute resources when they are given.
func validateEC2vCpus(field string, lo, hi, desired, bid *int) error {
	if lo != nil && *lo < 0 {
		return invalidf("%s.minvCpus %d is not valid. It must be 0 or more.", field, *lo)
	}
	if lo != nil && hi != nil && *lo > *hi {
		return invalidf("%s.minvCpus %d is greater than maxvCpus %d. minvCpus must not exceed maxvCpus.", field, *lo, *hi)
	}
	if desired != nil {
		if *desired < 0 || (lo != nil && *desired < *lo) || (hi != nil && *desired > *hi) {
			return invalidf("%s.desiredvCpus %d is not valid. It must be between minvCpus and maxvCpus.", field, *desired)
		}
	}
	if bid != nil && (*bid < 0 || *bid > 100) {
		return invalidf("%s.bidPercentage %d is not valid. It must be between 0 and 100.", field, *bid)
	}
	return nil
}

// ValidateComputeResourceUpdate checks UpdateComputeEnvironment's
// computeResources against the compute environment current it changes.
//
// On a Fargate compute environment only maxvCpus, subnets (at most 16) and
// securityGroupIds (at most 5) may change; empty lists mean "no change", as
// AWS documents. AWS's guide also lists minvCpus and desiredvCpus as Fargate
// scaling updates while the API reference says not to specify them on
// Fargate; barge rejects them, as CreateComputeEnvironment does. type may be
// sent only unchanged: moving between FARGATE and FARGATE_SPOT (or EC2) is an
// infrastructure update, which AWS does not offer for Fargate.
func ValidateComputeResourceUpdate(current *ComputeEnvironment, u *ComputeResourceUpdate) error {
	if u == nil || current == nil {
		return nil
	}
	if current.Type == CEUnmanaged || current.ComputeResources == nil {
		return invalidf("computeResources cannot be updated on UNMANAGED compute environment %s: it has no compute resources. Remove computeResources from the request.", clip(current.Name))
	}
	if u.MaxvCpus != nil && (*u.MaxvCpus < 0 || *u.MaxvCpus > math.MaxInt32) {
		return invalidf("computeResources.maxvCpus %d is not valid. It must be between 0 and %d.", *u.MaxvCpus, math.MaxInt32)
	}
	curType := current.ComputeResources.Type
	if !curType.IsFargate() {
		if u.Type != "" && u.Type != CREC2 && u.Type != CRSpot {
			return invalidf("computeResources.type %s is not valid for compute environment %s. An EC2 or SPOT compute environment can only change to EC2 or SPOT; create a new compute environment for Fargate.", clip(string(u.Type)), clip(current.Name))
		}
		switch u.AllocationStrategy {
		case "", "BEST_FIT_PROGRESSIVE", "SPOT_CAPACITY_OPTIMIZED", "SPOT_PRICE_CAPACITY_OPTIMIZED":
		default:
			return invalidf("computeResources.allocationStrategy %s is not valid in an update. It must be BEST_FIT_PROGRESSIVE, SPOT_CAPACITY_OPTIMIZED or SPOT_PRICE_CAPACITY_OPTIMIZED.", clip(u.AllocationStrategy))
		}
		hi := u.MaxvCpus
		if hi == nil {
			hi = current.ComputeResources.MaxvCpus
		}
		return validateEC2vCpus("computeResources", u.MinvCpus, hi, u.DesiredvCpus, u.BidPercentage)
	}
	if u.Type != "" && u.Type != curType {
		return invalidf("computeResources.type cannot change from %s to %s: Fargate compute environments can only update maxvCpus, subnets and securityGroupIds. Create a new compute environment instead.", curType, clip(string(u.Type)))
	}
	forbidden := []member{
		{"minvCpus", u.MinvCpus != nil},
		{"desiredvCpus", u.DesiredvCpus != nil},
		{"allocationStrategy", u.AllocationStrategy != ""},
		{"instanceTypes", u.InstanceTypes != nil},
		{"ec2KeyPair", u.Ec2KeyPair != ""},
		{"instanceRole", u.InstanceRole != ""},
		{"tags", u.Tags != nil},
		{"placementGroup", u.PlacementGroup != ""},
		{"bidPercentage", u.BidPercentage != nil},
		{"launchTemplate", u.LaunchTemplate != nil},
		{"ec2Configuration", u.Ec2Configuration != nil},
		{"updateToLatestImageVersion", u.UpdateToLatestImageVersion != nil},
		{"imageId", u.ImageID != ""},
		{"scalingPolicy", u.ScalingPolicy != nil},
	}
	if name, ok := firstSet(forbidden); ok {
		return invalidf("computeResources.%s is not applicable to %s compute environments. Only maxvCpus, subnets and securityGroupIds can be updated.", name, curType)
	}
	if len(u.Subnets) > 0 {
		if err := validateIDList("computeResources.subnets", u.Subnets, maxFargateSubnets, "subnet"); err != nil {
			return err
		}
	}
	if len(u.SecurityGroupIDs) > 0 {
		return validateIDList("computeResources.securityGroupIds", u.SecurityGroupIDs, maxFargateSGs, "security group")
	}
	return nil
}

// ValidateJobQueue checks a job queue as CreateJobQueue or UpdateJobQueue
// would leave it. ces[i] is the compute environment q.ComputeEnvironmentOrder[i]
// names, resolved by the caller, which reports unknown names itself; a nil or
// missing entry is skipped by the type checks.
//
// priority must be 0 or more: the model sets no bounds and AWS documents
// none beyond "higher is first", so barge takes any non-negative int32.
// order values must be 0 or more and distinct, and so must the compute
// environments.
func ValidateJobQueue(q *JobQueue, ces []*ComputeEnvironment) error {
	if q == nil {
		return invalidf("The job queue is missing from the request.")
	}
	if err := ValidateResourceName("jobQueueName", q.Name); err != nil {
		return err
	}
	if q.Priority < 0 || q.Priority > math.MaxInt32 {
		return invalidf("priority %d is not valid. It must be between 0 and %d; queues with a higher priority are scheduled first.", q.Priority, math.MaxInt32)
	}
	if err := validState("state", q.State); err != nil {
		return err
	}
	switch q.JobQueueType {
	case "", "ECS", "ECS_FARGATE":
	case "SAGEMAKER_TRAINING":
		return invalidf("jobQueueType SAGEMAKER_TRAINING is not supported: barge runs container jobs on Fargate-style compute environments only, not SageMaker Training service environments. Omit jobQueueType and give computeEnvironmentOrder.")
	case "EKS":
	default:
		return invalidf("jobQueueType %s is not valid. Omit it; barge derives it from the compute environments.", clip(q.JobQueueType))
	}
	if err := validateComputeEnvironmentOrder(q, ces); err != nil {
		return err
	}
	for i, a := range q.JobStateTimeLimitActions {
		if err := validateStateTimeLimitAction("jobStateTimeLimitActions["+strconv.Itoa(i)+"]", a); err != nil {
			return err
		}
	}
	return ValidateTags("tags", q.Tags)
}

func validateComputeEnvironmentOrder(q *JobQueue, ces []*ComputeEnvironment) error {
	order := q.ComputeEnvironmentOrder
	if len(order) == 0 {
		return invalidf("computeEnvironmentOrder is required. Give 1 to %d compute environments, each with an order (lower is tried first).", maxComputeEnvsPerQueue)
	}
	if len(order) > maxComputeEnvsPerQueue {
		return invalidf("computeEnvironmentOrder has %d entries. A job queue can use at most %d compute environments.", len(order), maxComputeEnvsPerQueue)
	}
	orders := map[int]bool{}
	names := map[string]bool{}
	var first *ComputeEnvironment
	for i, o := range order {
		field := "computeEnvironmentOrder[" + strconv.Itoa(i) + "]"
		if o.ComputeEnvironment == "" {
			return invalidf("%s.computeEnvironment is required. Give a compute environment name or ARN.", field)
		}
		if o.Order < 0 || o.Order > math.MaxInt32 {
			return invalidf("%s.order %d is not valid. It must be 0 or more.", field, o.Order)
		}
		if orders[o.Order] {
			return invalidf("%s.order %d is used twice. Each compute environment of a job queue needs a different order.", field, o.Order)
		}
		orders[o.Order] = true
		var ce *ComputeEnvironment
		if i < len(ces) {
			ce = ces[i]
		}
		name := o.ComputeEnvironment
		if ce != nil {
			name = ce.Name
		}
		if names[name] {
			return invalidf("%s.computeEnvironment %s is listed twice. Each compute environment can appear once in a job queue.", field, clip(name))
		}
		names[name] = true
		if ce == nil {
			continue
		}
		if first == nil {
			first = ce
		} else if first.IsEKS() != ce.IsEKS() {
			return invalidf("computeEnvironmentOrder: the compute environments of a job queue must all be EKS (eksConfiguration) or all ECS. %s is %s but %s is %s.",
				clip(first.Name), first.ContainerOrchestrationType(), clip(ce.Name), ce.ContainerOrchestrationType())
		} else if first.IsFargate() != ce.IsFargate() {
			return invalidf("computeEnvironmentOrder: the compute environments of a job queue must all be of the same type: all EC2 (EC2, SPOT) or all Fargate (FARGATE, FARGATE_SPOT). %s is %s but %s is %s.",
				clip(first.Name), capacityKind(first), clip(ce.Name), capacityKind(ce))
		}
	}
	if first != nil && q.JobQueueType != "" {
		if want := first.JobQueueType(); q.JobQueueType != want {
			return invalidf("jobQueueType %s does not match the compute environments, which need %s. Omit jobQueueType.", q.JobQueueType, want)
		}
	}
	return nil
}

func capacityKind(ce *ComputeEnvironment) string {
	if ce.ComputeResources == nil {
		return string(ce.Type)
	}
	return string(ce.ComputeResources.Type)
}

func validateStateTimeLimitAction(field string, a JobStateTimeLimitAction) error {
	if a.Reason == "" {
		return invalidf("%s.reason is required: the text recorded as the statusReason of the jobs it cancels.", field)
	}
	if a.State != "RUNNABLE" {
		return invalidf("%s.state %s is not valid. The only supported value is RUNNABLE.", field, clip(a.State))
	}
	if a.MaxTimeSeconds < minStateTimeLimit || a.MaxTimeSeconds > maxStateTimeLimit {
		return invalidf("%s.maxTimeSeconds %d is not valid. It must be between %d (10 minutes) and %d (24 hours).", field, a.MaxTimeSeconds, minStateTimeLimit, maxStateTimeLimit)
	}
	switch a.Action {
	case "CANCEL":
		return nil
	case "TERMINATE":
		return invalidf("%s.action TERMINATE is only for SageMaker Training job queues. For queues of compute environments the only supported value is CANCEL.", field)
	}
	return invalidf("%s.action %s is not valid. The only supported value is CANCEL.", field, clip(a.Action))
}

// ValidateSchedulingPolicy checks a CreateSchedulingPolicy or
// UpdateSchedulingPolicy request.
//
// A share identifier needs at least one character before its optional
// trailing "*": AWS documents "255 alphanumeric characters, optionally
// followed by an asterisk", and a bare "*" would overlap every other entry.
func ValidateSchedulingPolicy(p *SchedulingPolicy) error {
	if p == nil {
		return invalidf("The scheduling policy is missing from the request.")
	}
	if err := ValidateResourceName("name", p.Name); err != nil {
		return err
	}
	if p.FairsharePolicy != nil && p.QuotaSharePolicy != nil {
		return invalidf("fairsharePolicy and quotaSharePolicy cannot both be set. A scheduling policy is either fair-share or quota-share.")
	}
	if qs := p.QuotaSharePolicy; qs != nil && qs.IdleResourceAssignmentStrategy != "FIFO" {
		return invalidf("quotaSharePolicy.idleResourceAssignmentStrategy %s is not valid. The only supported value is FIFO.", clip(qs.IdleResourceAssignmentStrategy))
	}
	if fp := p.FairsharePolicy; fp != nil {
		if err := validateFairsharePolicy(fp); err != nil {
			return err
		}
	}
	return ValidateTags("tags", p.Tags)
}

func validateFairsharePolicy(fp *FairsharePolicy) error {
	if s := fp.ShareDecaySeconds; s != nil && (*s < 0 || *s > maxShareDecaySeconds) {
		return invalidf("fairsharePolicy.shareDecaySeconds %d is not valid. It must be between 0 (the default window of 600 seconds) and %d (one week).", *s, maxShareDecaySeconds)
	}
	if c := fp.ComputeReservation; c != nil && (*c < 0 || *c > maxComputeReservation) {
		return invalidf("fairsharePolicy.computeReservation %d is not valid. It must be between 0 and %d.", *c, maxComputeReservation)
	}
	dist := fp.ShareDistribution
	if len(dist) > maxShareDistribution {
		return invalidf("fairsharePolicy.shareDistribution has %d entries. A fair-share policy can have at most %d share identifiers.", len(dist), maxShareDistribution)
	}
	for i, s := range dist {
		field := "fairsharePolicy.shareDistribution[" + strconv.Itoa(i) + "]"
		if err := validateShareIdentifier(field+".shareIdentifier", s.ShareIdentifier, true); err != nil {
			return err
		}
		if w := s.WeightFactor; w != nil && !(*w >= minWeightFactor && *w <= maxWeightFactor) {
			return invalidf("%s.weightFactor %g is not valid. It must be between 0.0001 and 999.9999 (lower weights get more capacity; the default is 1.0).", field, *w)
		}
		for j := range i {
			if sharesOverlap(dist[j].ShareIdentifier, s.ShareIdentifier) {
				return invalidf("%s.shareIdentifier %s overlaps %s (entry %d). Share identifiers and prefixes (ending in *) in a fair-share policy must not overlap.", field, clip(s.ShareIdentifier), clip(dist[j].ShareIdentifier), j)
			}
		}
	}
	return nil
}

// validateShareIdentifier checks a share identifier: 1 to 255 letters and
// numbers, optionally followed by "*" when star is true.
func validateShareIdentifier(field, id string, star bool) error {
	rule := "It must be 1 to 255 letters and numbers"
	if star {
		rule += ", optionally followed by * to match a prefix"
	}
	rule += "."
	if id == "" {
		return invalidf("%s is required. %s", field, rule)
	}
	body := id
	if star {
		body = strings.TrimSuffix(id, "*")
	}
	if body == "" || len(body) > maxShareIdentifierLen || !isAlnumString(body) {
		return invalidf("%s %s is not valid. %s", field, clip(id), rule)
	}
	return nil
}

func isAlnumString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// sharesOverlap reports whether two share identifiers (or prefixes ending in
// "*") can match the same share.
func sharesOverlap(a, b string) bool {
	ap, aStar := strings.CutSuffix(a, "*")
	bp, bStar := strings.CutSuffix(b, "*")
	switch {
	case aStar && bStar:
		return strings.HasPrefix(ap, bp) || strings.HasPrefix(bp, ap)
	case aStar:
		return strings.HasPrefix(bp, ap)
	case bStar:
		return strings.HasPrefix(ap, bp)
	}
	return a == b
}
