package barge

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
)

// Bounds of SubmitJob.
const (
	minArraySize          = 2
	maxArraySize          = 10000
	maxDependencies       = 20
	maxContainerOverrides = 8192 // characters of the JSON encoding
)

const (
	refPrefix              = "Ref::" // a parameter placeholder in command
	containerOverridesPath = "containerOverrides"
)

// Submission is SubmitJob's input after the API layer resolved the job queue
// and job definition. The Has* flags say whether the request carried the
// members barge keeps no typed form of.
type Submission struct {
	JobName                    string
	ShareIdentifier            string
	SchedulingPriorityOverride *int
	ArraySize                  *int // arrayProperties.size when given
	DependsOn                  []JobDependency
	Parameters                 map[string]string
	ContainerOverrides         *ContainerOverrides
	RetryStrategy              *RetryStrategy
	Timeout                    *JobTimeout
	PropagateTags              *bool
	Tags                       map[string]string

	// EksPropertiesOverride is SubmitJob's eksPropertiesOverride.
	EksPropertiesOverride *EksPropertiesOverride

	HasNodeOverrides         bool
	HasEcsPropertiesOverride bool
}

// Validate checks what does not depend on the job queue or job definition:
// the job name, array size, dependencies, retry strategy, timeout, container
// overrides, tags, share identifier format and scheduling priority override.
//
// dependsOn entries may have type N_TO_N, SEQUENTIAL or none. Only a
// SEQUENTIAL entry of an array job may omit jobId (its children then run one
// after another). An N_TO_N or SEQUENTIAL entry with a jobId on a job that is
// not an array is accepted (AWS documents the types only for array jobs and
// says nothing of the rest); it is a plain dependency.
func (s *Submission) Validate() error {
	if err := ValidateJobName(s.JobName); err != nil {
		return err
	}
	if s.ArraySize != nil && (*s.ArraySize < minArraySize || *s.ArraySize > maxArraySize) {
		return invalidf("arrayProperties.size %d is not valid: the array size must be between 2 and 10,000. Omit arrayProperties for a single job.", *s.ArraySize)
	}
	if err := s.validateDependencies(); err != nil {
		return err
	}
	for k := range s.Parameters {
		if k == "" {
			return invalidf("parameters has an empty key. Parameter names are referenced in command as Ref::name and must not be empty.")
		}
	}
	if err := validateRetryStrategy("retryStrategy", s.RetryStrategy); err != nil {
		return err
	}
	if err := validateTimeout("timeout", s.Timeout); err != nil {
		return err
	}
	if err := validateSchedulingPriority("schedulingPriorityOverride", s.SchedulingPriorityOverride); err != nil {
		return err
	}
	if s.ShareIdentifier != "" {
		if err := validateShareIdentifier("shareIdentifier", s.ShareIdentifier, true); err != nil {
			return err
		}
	}
	if o := s.ContainerOverrides; o != nil {
		if err := validateContainerOverrides(o); err != nil {
			return err
		}
	}
	return ValidateTags("tags", s.Tags)
}

func (s *Submission) validateDependencies() error {
	if len(s.DependsOn) > maxDependencies {
		return invalidf("dependsOn has %d entries. A job can depend on at most %d jobs.", len(s.DependsOn), maxDependencies)
	}
	for i, d := range s.DependsOn {
		field := "dependsOn[" + strconv.Itoa(i) + "]"
		switch d.Type {
		case "", DependencyNToN:
		case DependencySequential:
			if s.ArraySize == nil && d.JobID == "" {
				return invalidf("%s.type SEQUENTIAL without a jobId applies only to array jobs. Give arrayProperties.size, or name the job this one waits for in jobId.", field)
			}
		default:
			return invalidf("%s.type %s is not valid. It must be N_TO_N or SEQUENTIAL, or be omitted.", field, clip(d.Type))
		}
		if d.JobID == "" && d.Type != DependencySequential {
			return invalidf("%s.jobId is required. Only a SEQUENTIAL dependency of an array job may omit it.", field)
		}
	}
	return nil
}

func validateContainerOverrides(o *ContainerOverrides) error {
	if err := validateCommand(containerOverridesPath+".command", o.Command); err != nil {
		return err
	}
	if err := validateEnvironment(containerOverridesPath+".environment", o.Environment); err != nil {
		return err
	}
	if err := validateResourceRequirementList(containerOverridesPath+".resourceRequirements", o.ResourceRequirements); err != nil {
		return err
	}
	if n := jsonLen(o); n > maxContainerOverrides {
		return invalidf("Container Overrides length must be at most 8192. containerOverrides is %d characters as JSON; shorten the command or environment, or pass large values through parameters of the job definition or a file.", n)
	}
	return nil
}

// NewJobSpec checks a submission against its job definition def (whose ARN
// is defARN) and returns the job's specification: the definition with the
// submission's overrides applied. fairShare says whether the job queue has a
// fair-share scheduling policy. It runs s.Validate first.
//
// The merge follows SubmitJob: parameters merge with the submission winning;
// an override command replaces the definition's, and Ref::name placeholders
// in the result are substituted (SubstituteParameters); environment overrides
// add or replace variables by name; resourceRequirements overrides replace
// the definition's entries of the same type; retryStrategy, timeout,
// propagateTags and schedulingPriority overrides replace the definition's.
// The spec's Tags are the job's own, as DescribeJobs shows them on AWS. With
// propagateTags in effect the definition's tags are kept in DefinitionTags,
// for the job's tasks (see TaskTags); more than 50 of them together do not
// make an error here but fail the job, as on AWS (see StartFailure).
//
// An eksProperties definition gives the spec its Pod (EksProperties) with
// the eksPropertiesOverride applied (applyEksOverride), and Ref::name
// placeholders substituted in its containers' command and args. barge runs
// containerProperties and eksProperties definitions: one with ecsProperties
// or nodeProperties is rejected here, as are overrides for another kind of
// definition.
func NewJobSpec(def *JobDefinition, defARN string, s *Submission, fairShare bool) (*JobSpec, error) {
	if def == nil || s == nil {
		return nil, invalidf("The job definition or the submission is missing.")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := checkOverrideKinds(def, s); err != nil {
		return nil, err
	}
	if fairShare && s.ShareIdentifier == "" {
		// AWS's message, then what to do.
		return nil, invalidf("shareIdentifier must be specified. The job queue has a fair-share scheduling policy: give the share identifier the job is charged to.")
	}
	if !fairShare && s.ShareIdentifier != "" {
		return nil, invalidf("shareIdentifier must not be set: the job queue has no fair-share scheduling policy. Remove it.")
	}
	var c *ContainerProperties
	var pod *EksPodProperties
	var err error
	if def.IsEKS() {
		pod, err = applyEksOverride(def.EksProperties.PodProperties, s.EksPropertiesOverride)
	} else {
		c, err = applyContainerOverrides(def, s.ContainerOverrides)
	}
	if err != nil {
		return nil, err
	}

	spec := &JobSpec{
		JobDefinitionArn:     defARN,
		JobDefinitionName:    def.Name,
		ShareIdentifier:      s.ShareIdentifier,
		SchedulingPriority:   cloneInt(def.SchedulingPriority),
		Parameters:           mergeMaps(def.Parameters, s.Parameters),
		Container:            c,
		EksProperties:        pod,
		RetryStrategy:        cloneRetryStrategy(def.RetryStrategy),
		Timeout:              cloneTimeout(def.Timeout),
		DependsOn:            append([]JobDependency(nil), s.DependsOn...),
		PropagateTags:        cloneBool(def.PropagateTags),
		PlatformCapabilities: append([]string(nil), def.PlatformCapabilities...),
	}
	if s.SchedulingPriorityOverride != nil {
		spec.SchedulingPriority = cloneInt(s.SchedulingPriorityOverride)
	}
	if s.RetryStrategy != nil {
		spec.RetryStrategy = cloneRetryStrategy(s.RetryStrategy)
	}
	if s.Timeout != nil {
		spec.Timeout = cloneTimeout(s.Timeout)
	}
	if s.PropagateTags != nil {
		spec.PropagateTags = cloneBool(s.PropagateTags)
	}
	if s.ArraySize != nil {
		spec.ArraySize = *s.ArraySize
	}
	if c != nil {
		spec.Container.Command = SubstituteParameters(spec.Container.Command, spec.Parameters)
	} else {
		substituteEksParameters(pod, spec.Parameters)
	}

	spec.Tags = mergeMaps(nil, s.Tags)
	if spec.PropagateTags != nil && *spec.PropagateTags {
		spec.DefinitionTags = mergeMaps(nil, def.Tags)
	}
	return spec, nil
}

// StartFailure returns why a job of spec fails without running, or "" when
// it can run. AWS accepts such a job and moves it to FAILED: with more than
// 50 tags to propagate (the job's own and, with propagateTags, its job
// definition's), its task cannot be tagged.
func (s *JobSpec) StartFailure() string {
	if n := len(s.TaskTags()); n > maxTags {
		return fmt.Sprintf("Too many tags to propagate: the job's tags and its job definition's tags come to %d, and at most %d can be propagated to the job's task. Remove tags, or set propagateTags to false.", n, maxTags)
	}
	return ""
}

// TaskTags returns the tags the job's tasks get: none unless propagateTags
// is in effect, else the definition's tags and the job's own, the job's
// winning on equal keys, as AWS propagates them to the ECS task.
func (s *JobSpec) TaskTags() map[string]string {
	if s.PropagateTags == nil || !*s.PropagateTags {
		return nil
	}
	return mergeMaps(s.DefinitionTags, s.Tags)
}

// checkOverrideKinds rejects overrides meant for another kind of job
// definition, and definitions barge cannot run.
func checkOverrideKinds(def *JobDefinition, s *Submission) error {
	fargate := def.IsFargate()
	switch {
	case def.IsEKS() && (s.ContainerOverrides != nil || s.HasNodeOverrides):
		// AWS's message, then what to do.
		return invalidf("Container overrides or node overrides should not be set for Batch on EKS jobs. Use eksPropertiesOverride.")
	case def.IsEKS() && s.PropagateTags != nil:
		return invalidf("propagateTags must not be set for Batch on EKS jobs. Remove it.")
	case def.IsEKS():
		return nil
	case s.HasNodeOverrides && fargate:
		return invalidf("nodeOverrides is not applicable for Fargate: Fargate jobs are never multi-node parallel. Remove nodeOverrides.")
	case s.HasNodeOverrides && def.Type != JobDefinitionMultinode:
		return invalidf("nodeOverrides applies only to multi-node parallel (multinode) job definitions, and %s is a %s definition. Use containerOverrides.", clip(def.Name), def.Type)
	case s.EksPropertiesOverride != nil && fargate:
		return invalidf("eksPropertiesOverride is not applicable for Fargate. Use containerOverrides.")
	case s.EksPropertiesOverride != nil:
		return invalidf("eksPropertiesOverride applies only to job definitions with eksProperties, and %s has none. Use containerOverrides.", clip(def.Name))
	case s.HasEcsPropertiesOverride && !present(def.EcsProperties):
		return invalidf("ecsPropertiesOverride applies only to job definitions with ecsProperties, and %s has none. Use containerOverrides.", clip(def.Name))
	case s.ContainerOverrides != nil && def.ContainerProperties == nil:
		return invalidf("containerOverrides applies only to job definitions with containerProperties, and %s has none.", clip(def.Name))
	case def.ContainerProperties == nil:
		return invalidf("Job definition %s has no containerProperties: barge runs only container job definitions with containerProperties, not ecsProperties, eksProperties or multi-node nodeProperties. Register a revision with containerProperties.", clip(def.Name))
	}
	return nil
}

// applyContainerOverrides returns a copy of def's container with o applied,
// after checking the effective resources for the definition's platform.
func applyContainerOverrides(def *JobDefinition, o *ContainerOverrides) (*ContainerProperties, error) {
	c := cloneContainer(def.ContainerProperties)
	if o == nil {
		o = &ContainerOverrides{}
	}
	fargate := def.IsFargate()
	if fargate {
		switch {
		case o.Vcpus != nil:
			return nil, invalidf("vcpus is not applicable for Fargate. Use resource requirements instead. Remove containerOverrides.vcpus and give containerOverrides.resourceRequirements type VCPU.")
		case o.Memory != nil:
			return nil, invalidf("memory is not applicable for Fargate. Use resource requirements instead. Remove containerOverrides.memory and give containerOverrides.resourceRequirements type MEMORY.")
		case o.InstanceType != "":
			return nil, invalidf("containerOverrides.instanceType is not applicable for Fargate. Remove it; Fargate sizes the task from resourceRequirements.")
		}
		for _, r := range o.ResourceRequirements {
			if r.Type == ResourceGPU {
				return nil, invalidf("containerOverrides.resourceRequirements type GPU is not supported on Fargate. Remove it.")
			}
		}
	}
	if len(o.Command) > 0 {
		c.Command = append([]string(nil), o.Command...)
	}
	c.Environment = mergeEnvironment(c.Environment, o.Environment)
	overridden := map[ResourceType]bool{}
	for _, r := range o.ResourceRequirements {
		overridden[r.Type] = true
		c.ResourceRequirements = setRequirement(c.ResourceRequirements, r)
	}
	if o.Vcpus != nil {
		c.Vcpus = cloneInt(o.Vcpus)
	}
	if o.Memory != nil {
		c.Memory = cloneInt(o.Memory)
	}
	if o.InstanceType != "" {
		c.InstanceType = o.InstanceType
	}

	field := "containerProperties.resourceRequirements"
	if overridden[ResourceVCPU] || overridden[ResourceMemory] {
		field = "containerOverrides.resourceRequirements"
	}
	if fargate {
		if err := validateFargateResources(field, c.Requirement(ResourceVCPU), c.Requirement(ResourceMemory)); err != nil {
			return nil, err
		}
		return c, nil
	}
	if err := validateEC2Requirements(containerOverridesPath+".resourceRequirements", o.ResourceRequirements); err != nil {
		return nil, err
	}
	if o.Vcpus != nil && *o.Vcpus < 1 {
		return nil, invalidf("containerOverrides.vcpus %d is not valid. EC2 jobs need at least 1 vCPU.", *o.Vcpus)
	}
	if o.Memory != nil && *o.Memory < minEC2MemoryMiB {
		return nil, invalidf("containerOverrides.memory %d is not valid. Jobs need at least %d MiB of memory.", *o.Memory, minEC2MemoryMiB)
	}
	if c.Requirement(ResourceVCPU) == "" && c.Vcpus == nil {
		return nil, invalidf("vCPU is not provided. Give containerOverrides.resourceRequirements type VCPU, or register the job definition with one.")
	}
	if c.Requirement(ResourceMemory) == "" && c.Memory == nil {
		return nil, invalidf("Memory is not provided. Give containerOverrides.resourceRequirements type MEMORY (MiB), or register the job definition with one.")
	}
	return c, nil
}

// mergeEnvironment returns base with each override replacing the variable of
// the same name in place, or appended when base has none.
func mergeEnvironment(base, overrides []KeyValuePair) []KeyValuePair {
	out := append([]KeyValuePair(nil), base...)
	for _, o := range overrides {
		o = KeyValuePair{Name: cloneString(o.Name), Value: cloneString(o.Value)}
		replaced := false
		for i := range out {
			if out[i].Name != nil && o.Name != nil && *out[i].Name == *o.Name {
				out[i] = o
				replaced = true
			}
		}
		if !replaced {
			out = append(out, o)
		}
	}
	return out
}

// setRequirement returns rrs with r replacing the entry of its type, or
// appended when there is none.
func setRequirement(rrs []ResourceRequirement, r ResourceRequirement) []ResourceRequirement {
	for i := range rrs {
		if rrs[i].Type == r.Type {
			rrs[i] = r
			return rrs
		}
	}
	return append(rrs, r)
}

// SubstituteParameters returns command with each Ref::name placeholder
// replaced by params[name]. An element that is exactly "Ref::name" is
// replaced whole, whatever characters name has. Inside an element, a
// placeholder's name is the longest run of letters, numbers, underscores and
// hyphens after "Ref::" that is a key of params, tried first whole and then
// cut back at each hyphen, so "Ref::out-dir" uses out-dir when it is a
// parameter and out (leaving "-dir") when only that is. Unknown placeholders
// are left as they are; replaced values are not scanned again.
//
// AWS documents only whole-element placeholders; substring substitution and
// unknown names are barge's choice (reference §4.7).
func SubstituteParameters(command []string, params map[string]string) []string {
	if command == nil {
		return nil
	}
	out := make([]string, len(command))
	for i, s := range command {
		out[i] = substitute(s, params)
	}
	return out
}

func substitute(s string, params map[string]string) string {
	if name, ok := strings.CutPrefix(s, refPrefix); ok {
		if v, ok := params[name]; ok {
			return v
		}
	}
	if !strings.Contains(s, refPrefix) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, refPrefix)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		rest := s[i+len(refPrefix):]
		n := 0
		for n < len(rest) && (isAlnum(rest[n]) || rest[n] == '_' || rest[n] == '-') {
			n++
		}
		name := rest[:n]
		for {
			if v, ok := params[name]; ok && name != "" {
				b.WriteString(v)
				s = rest[len(name):]
				break
			}
			j := strings.LastIndexByte(name, '-')
			if j < 0 {
				b.WriteString(refPrefix)
				s = rest
				break
			}
			name = name[:j]
		}
	}
}

func mergeMaps(base, over map[string]string) map[string]string {
	if len(base) == 0 && len(over) == 0 {
		return nil
	}
	out := make(map[string]string, len(base)+len(over))
	maps.Copy(out, base)
	maps.Copy(out, over)
	return out
}

// cloneContainer deep-copies c, so that the job's spec shares nothing with
// the definition.
func cloneContainer(c *ContainerProperties) *ContainerProperties {
	return deepCopy(c)
}

func cloneRetryStrategy(rs *RetryStrategy) *RetryStrategy {
	if rs == nil {
		return nil
	}
	return &RetryStrategy{
		Attempts:       cloneInt(rs.Attempts),
		EvaluateOnExit: append([]EvaluateOnExit(nil), rs.EvaluateOnExit...),
	}
}

func cloneTimeout(t *JobTimeout) *JobTimeout {
	if t == nil {
		return nil
	}
	return &JobTimeout{AttemptDurationSeconds: cloneInt(t.AttemptDurationSeconds)}
}

func cloneInt(p *int) *int {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneBool(p *bool) *bool {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneString(p *string) *string {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
