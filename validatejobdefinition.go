package barge

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// Job definition types.
const (
	JobDefinitionContainer = "container"
	JobDefinitionMultinode = "multinode"
)

// Bounds of job definitions and jobs.
const (
	maxJobDefinitionSize = 24 * 1024 // bytes, the service quota
	maxImageLen          = 255
	maxRetryAttempts     = 10
	maxEvaluateOnExit    = 5
	maxPatternLen        = 512
	minAttemptDuration   = 60
	maxSchedulingPrio    = 9999
	minEphemeralGiB      = 21
	maxEphemeralGiB      = 200
	minEC2MemoryMiB      = 4
	reservedEnvPrefix    = "AWS_BATCH"
)

// iamRoleARN matches an IAM role ARN, with an optional path:
// arn:aws:iam::123456789012:role/path/name.
var iamRoleARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)

// ValidateJobDefinition checks a RegisterJobDefinition request: the name,
// type, which properties member is given, platformCapabilities and, for
// containerProperties, every container rule for the platform (reference §3.3
// and §5.4), then retryStrategy, timeout, schedulingPriority, parameters,
// tags and the 24 KiB size quota.
//
// The size is measured as d encoded as JSON (HTML escaping off), so the check
// holds however the definition arrived; the server-set members (revision,
// status, createdAt) add a few dozen bytes. The API layer need not check the
// body size for this quota.
//
// eksProperties are checked as AWS checks an EKS job's Pod
// (ValidateEksPodProperties). ecsProperties, nodeProperties and
// consumableResourceProperties are kept as raw JSON and checked only to be
// JSON objects.
func ValidateJobDefinition(d *JobDefinition) error {
	if d == nil {
		return invalidf("The job definition is missing from the request.")
	}
	if err := ValidateResourceName("jobDefinitionName", d.Name); err != nil {
		return err
	}
	fargate, err := validatePlatformCapabilities(d.PlatformCapabilities)
	if err != nil {
		return err
	}
	if err := validateDefinitionKind(d, fargate); err != nil {
		return err
	}
	if c := d.ContainerProperties; c != nil {
		if err := validateContainerProperties("containerProperties", c, fargate); err != nil {
			return err
		}
	}
	if err := validateRetryStrategy("retryStrategy", d.RetryStrategy); err != nil {
		return err
	}
	if err := validateTimeout("timeout", d.Timeout); err != nil {
		return err
	}
	if err := validateSchedulingPriority("schedulingPriority", d.SchedulingPriority); err != nil {
		return err
	}
	for k := range d.Parameters {
		if k == "" {
			return invalidf("parameters has an empty key. Parameter names are referenced in command as Ref::name and must not be empty.")
		}
	}
	if err := ValidateTags("tags", d.Tags); err != nil {
		return err
	}
	if n := jsonLen(d); n > maxJobDefinitionSize {
		return invalidf("The job definition is %d bytes; job definitions can be at most 24 KiB (%d bytes). Shorten the command, environment or parameters, or move data into the image or a file the job reads.", n, maxJobDefinitionSize)
	}
	return nil
}

// validatePlatformCapabilities checks platformCapabilities and reports whether
// the definition targets Fargate. An absent or empty list means EC2.
func validatePlatformCapabilities(pcs []string) (fargate bool, err error) {
	if len(pcs) > 1 {
		return false, invalidf("platformCapabilities has %d entries. Give exactly one: [\"FARGATE\"] or [\"EC2\"] (the default).", len(pcs))
	}
	for _, p := range pcs {
		switch p {
		case PlatformFargate:
			return true, nil
		case PlatformEC2:
		default:
			return false, invalidf("platformCapabilities value %s is not valid. It must be EC2 or FARGATE.", clip(p))
		}
	}
	return false, nil
}

// present reports whether a raw JSON member was given (and is not null).
func present(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && !bytes.Equal(t, []byte("null"))
}

func isJSONObject(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(raw, &m) == nil && m != nil
}

// validateDefinitionKind checks type against which of containerProperties,
// ecsProperties, eksProperties and nodeProperties is given.
func validateDefinitionKind(d *JobDefinition, fargate bool) error {
	raws := []struct {
		name string
		raw  json.RawMessage
	}{
		{"ecsProperties", d.EcsProperties},
		{"nodeProperties", d.NodeProperties},
		{"consumableResourceProperties", d.ConsumableResourceProperties},
	}
	for _, r := range raws {
		if present(r.raw) && !isJSONObject(r.raw) {
			return invalidf("%s must be a JSON object.", r.name)
		}
	}
	var given []string
	if d.ContainerProperties != nil {
		given = append(given, "containerProperties")
	}
	if d.EksProperties != nil {
		given = append(given, "eksProperties")
	}
	for _, r := range raws[:2] {
		if present(r.raw) {
			given = append(given, r.name)
		}
	}
	switch d.Type {
	case JobDefinitionContainer:
		if len(given) != 1 || given[0] == "nodeProperties" {
			return invalidf("A container job definition needs exactly one of containerProperties, ecsProperties or eksProperties; got %s.", describeGiven(given))
		}
	case JobDefinitionMultinode:
		if fargate {
			return invalidf("type multinode is not supported on Fargate. Use type container with platformCapabilities [\"FARGATE\"].")
		}
		if len(given) != 1 || given[0] != "nodeProperties" {
			return invalidf("A multinode job definition needs nodeProperties and none of containerProperties, ecsProperties or eksProperties; got %s.", describeGiven(given))
		}
	case "":
		return invalidf("type is required. It must be container or multinode.")
	default:
		return invalidf("type %s is not valid. It must be container or multinode.", clip(d.Type))
	}
	if fargate && given[0] == "eksProperties" {
		return invalidf("eksProperties is not supported with platformCapabilities FARGATE. Use containerProperties.")
	}
	if given[0] == "eksProperties" {
		return validateEksDefinition(d)
	}
	return nil
}

func describeGiven(given []string) string {
	if len(given) == 0 {
		return "none"
	}
	return strings.Join(given, " and ")
}

// validateContainerProperties checks a definition's containerProperties at
// member path field for the EC2 or Fargate platform.
func validateContainerProperties(field string, c *ContainerProperties, fargate bool) error {
	if err := validateImage(field+".image", c.Image); err != nil {
		return err
	}
	if err := validateCommand(field+".command", c.Command); err != nil {
		return err
	}
	if err := validateEnvironment(field+".environment", c.Environment); err != nil {
		return err
	}
	if err := validateResourceRequirementList(field+".resourceRequirements", c.ResourceRequirements); err != nil {
		return err
	}
	if c.ExecutionRoleArn != "" && !iamRoleARN.MatchString(c.ExecutionRoleArn) {
		return invalidf("executionRoleArn %s is not an iam role arn. %s.executionRoleArn must look like arn:aws:iam::123456789012:role/name.", shorten(c.ExecutionRoleArn), field)
	}
	if err := validateContainerMembers(field, c); err != nil {
		return err
	}
	if fargate {
		return validateFargateContainer(field, c)
	}
	return validateEC2Container(field, c)
}

// validImageChar reports whether r is one of the characters AWS documents
// for image, or "@" for digest references (registry/repository@sha256:...),
// which AWS's own examples use.
func validImageChar(r rune) bool {
	return r < 128 && (isAlnum(byte(r)) || strings.ContainsRune("-_:./#@", r))
}

func validateImage(field, image string) error {
	const rule = "It is up to 255 letters, numbers, hyphens (-), underscores (_), colons (:), periods (.), forward slashes (/), number signs (#) and at signs (@), e.g. public.ecr.aws/docker/library/busybox:latest."
	if image == "" {
		return invalidf("%s is required. %s", field, rule)
	}
	if len(image) > maxImageLen {
		return invalidf("%s is %d characters long. %s", field, len(image), rule)
	}
	for _, r := range image {
		if !validImageChar(r) {
			return invalidf("%s %s is not valid. %s", field, clip(image), rule)
		}
	}
	return nil
}

func validateCommand(field string, cmd []string) error {
	for i, s := range cmd {
		if s == "" {
			return invalidf("Command field cannot have empty strings. %s[%d] is empty; remove it or give a value.", field, i)
		}
	}
	return nil
}

func validateEnvironment(field string, env []KeyValuePair) error {
	for i, kv := range env {
		if kv.Name == nil || *kv.Name == "" {
			return invalidf("%s[%d].name is required. Give the environment variable's name.", field, i)
		}
		if strings.HasPrefix(*kv.Name, reservedEnvPrefix) {
			return invalidf("%s[%d].name %s is not allowed: environment variable names starting with AWS_BATCH are reserved for variables that Batch sets.", field, i, clip(*kv.Name))
		}
	}
	return nil
}

// validateResourceRequirementList checks the shape of a resourceRequirements
// list: known types, each at most once, with a value.
func validateResourceRequirementList(field string, rrs []ResourceRequirement) error {
	seen := map[ResourceType]bool{}
	for i, r := range rrs {
		switch r.Type {
		case ResourceVCPU, ResourceMemory, ResourceGPU:
		case "":
			return invalidf("%s[%d].type is required. It must be VCPU, MEMORY or GPU.", field, i)
		default:
			return invalidf("%s[%d].type %s is not valid. It must be VCPU, MEMORY or GPU.", field, i, clip(string(r.Type)))
		}
		if seen[r.Type] {
			return invalidf("%s has type %s twice. Give each resource type once.", field, r.Type)
		}
		seen[r.Type] = true
		if r.Value == "" {
			return invalidf("%s[%d].value is required for type %s.", field, i, r.Type)
		}
	}
	return nil
}

// validateContainerMembers checks the platform-independent shape of the
// container's nested members: the members the model requires and enums.
func validateContainerMembers(field string, c *ContainerProperties) error {
	for i, s := range c.Secrets {
		if err := validateSecret(field+".secrets["+strconv.Itoa(i)+"]", s); err != nil {
			return err
		}
	}
	if lc := c.LogConfiguration; lc != nil {
		switch lc.LogDriver {
		case "json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "awsfirelens":
		case "":
			return invalidf("%s.logConfiguration.logDriver is required, e.g. awslogs.", field)
		default:
			return invalidf("%s.logConfiguration.logDriver %s is not valid. It must be one of json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens.", field, clip(lc.LogDriver))
		}
		for i, s := range lc.SecretOptions {
			if err := validateSecret(field+".logConfiguration.secretOptions["+strconv.Itoa(i)+"]", s); err != nil {
				return err
			}
		}
	}
	for i, v := range c.Volumes {
		if err := validateVolume(field+".volumes["+strconv.Itoa(i)+"]", v); err != nil {
			return err
		}
	}
	for i, u := range c.Ulimits {
		f := field + ".ulimits[" + strconv.Itoa(i) + "]"
		switch u.Name {
		case "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack":
		default:
			return invalidf("%s.name %s is not valid. It must be one of core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack.", f, clip(u.Name))
		}
	}
	if lp := c.LinuxParameters; lp != nil {
		if s := lp.Swappiness; s != nil && (*s < 0 || *s > 100) {
			return invalidf("%s.linuxParameters.swappiness %d is not valid. It must be between 0 and 100.", field, *s)
		}
		for i, d := range lp.Devices {
			f := field + ".linuxParameters.devices[" + strconv.Itoa(i) + "]"
			if d.HostPath == "" {
				return invalidf("%s.hostPath is required.", f)
			}
			for _, p := range d.Permissions {
				if p != "READ" && p != "WRITE" && p != "MKNOD" {
					return invalidf("%s.permissions value %s is not valid. It must be READ, WRITE or MKNOD.", f, clip(p))
				}
			}
		}
		for i, t := range lp.Tmpfs {
			if t.ContainerPath == "" {
				return invalidf("%s.linuxParameters.tmpfs[%d].containerPath is required.", field, i)
			}
		}
	}
	if rc := c.RepositoryCredentials; rc != nil && rc.CredentialsParameter == "" {
		return invalidf("%s.repositoryCredentials.credentialsParameter is required: the ARN of the secret holding the registry credentials.", field)
	}
	return nil
}

func validateSecret(field string, s Secret) error {
	if s.Name == "" {
		return invalidf("%s.name is required.", field)
	}
	if s.ValueFrom == "" {
		return invalidf("%s.valueFrom is required: a Secrets Manager secret ARN or an SSM parameter ARN or name.", field)
	}
	return nil
}

func validateVolume(field string, v Volume) error {
	efs := v.EfsVolumeConfiguration
	if efs == nil {
		return nil
	}
	f := field + ".efsVolumeConfiguration"
	if efs.FileSystemID == "" {
		return invalidf("%s.fileSystemId is required.", f)
	}
	if len(efs.RootDirectory) > 4096 {
		return invalidf("%s.rootDirectory is %d characters long; the maximum is 4096.", f, len(efs.RootDirectory))
	}
	if e := efs.TransitEncryption; e != "" && e != "ENABLED" && e != "DISABLED" {
		return invalidf("%s.transitEncryption %s is not valid. It must be ENABLED or DISABLED.", f, clip(e))
	}
	if p := efs.TransitEncryptionPort; p != nil && (*p < 0 || *p > 65535) {
		return invalidf("%s.transitEncryptionPort %d is not valid. It must be between 0 and 65535.", f, *p)
	}
	if a := efs.AuthorizationConfig; a != nil && a.IAM != "" && a.IAM != "ENABLED" && a.IAM != "DISABLED" {
		return invalidf("%s.authorizationConfig.iam %s is not valid. It must be ENABLED or DISABLED.", f, clip(a.IAM))
	}
	return nil
}

// validateFargateContainer applies the Fargate rules of reference §5.4.
func validateFargateContainer(field string, c *ContainerProperties) error {
	if c.Vcpus != nil {
		return invalidf("vcpus is not applicable for Fargate. Use resource requirements instead. Remove %s.vcpus and give a %s.resourceRequirements entry of type VCPU.", field, field)
	}
	if c.Memory != nil {
		return invalidf("memory is not applicable for Fargate. Use resource requirements instead. Remove %s.memory and give a %s.resourceRequirements entry of type MEMORY.", field, field)
	}
	if c.Requirement(ResourceGPU) != "" {
		return invalidf("%s.resourceRequirements type GPU is not supported on Fargate. Remove it, or register an EC2 job definition.", field)
	}
	if err := validateFargateResources(field+".resourceRequirements", c.Requirement(ResourceVCPU), c.Requirement(ResourceMemory)); err != nil {
		return err
	}
	if c.ExecutionRoleArn == "" {
		return invalidf("%s.executionRoleArn is required for Fargate job definitions: the IAM role ECS assumes to pull the image and write logs, e.g. arn:aws:iam::123456789012:role/ecsTaskExecutionRole.", field)
	}
	forbidden := []member{
		{"instanceType", c.InstanceType != ""},
		{"ulimits", c.Ulimits != nil},
		{"privileged", c.Privileged != nil && *c.Privileged},
	}
	if lp := c.LinuxParameters; lp != nil {
		forbidden = append(forbidden, []member{
			{"linuxParameters.devices", lp.Devices != nil},
			{"linuxParameters.sharedMemorySize", lp.SharedMemorySize != nil},
			{"linuxParameters.tmpfs", lp.Tmpfs != nil},
			{"linuxParameters.maxSwap", lp.MaxSwap != nil},
			{"linuxParameters.swappiness", lp.Swappiness != nil},
		}...)
	}
	if name, ok := firstSet(forbidden); ok {
		return invalidf("%s.%s is not applicable to Fargate job definitions. Remove it.", field, name)
	}
	efs := false
	for i, v := range c.Volumes {
		if v.Host != nil {
			return invalidf("%s.volumes[%d].host is not applicable to Fargate job definitions: Fargate tasks cannot mount host paths. Use an EFS volume or remove it.", field, i)
		}
		efs = efs || v.EfsVolumeConfiguration != nil
	}
	if lc := c.LogConfiguration; lc != nil && lc.LogDriver != "awslogs" && lc.LogDriver != "splunk" {
		return invalidf("%s.logConfiguration.logDriver %s is not supported on Fargate. It must be awslogs or splunk.", field, clip(lc.LogDriver))
	}
	if es := c.EphemeralStorage; es != nil && (es.SizeInGiB < minEphemeralGiB || es.SizeInGiB > maxEphemeralGiB) {
		return invalidf("%s.ephemeralStorage.sizeInGiB %d is not valid. It must be between %d and %d.", field, es.SizeInGiB, minEphemeralGiB, maxEphemeralGiB)
	}
	if fpc := c.FargatePlatformConfiguration; fpc != nil {
		switch fpc.PlatformVersion {
		case "", "LATEST", "1.4.0":
		case "1.3.0":
			if efs {
				return invalidf("%s.fargatePlatformConfiguration.platformVersion 1.3.0 does not support EFS volumes. Use 1.4.0 or LATEST.", field)
			}
		default:
			return invalidf("%s.fargatePlatformConfiguration.platformVersion %s is not valid. It must be LATEST, 1.4.0 or 1.3.0.", field, clip(fpc.PlatformVersion))
		}
	}
	if nc := c.NetworkConfiguration; nc != nil {
		if ip := nc.AssignPublicIP; ip != "" && ip != "ENABLED" && ip != "DISABLED" {
			return invalidf("%s.networkConfiguration.assignPublicIp %s is not valid. It must be ENABLED or DISABLED.", field, clip(ip))
		}
	}
	if rp := c.RuntimePlatform; rp != nil {
		return validateRuntimePlatform(field, c, rp, efs)
	}
	return nil
}

func validateRuntimePlatform(field string, c *ContainerProperties, rp *RuntimePlatform, efs bool) error {
	switch rp.CPUArchitecture {
	case "", "X86_64", "ARM64":
	default:
		return invalidf("%s.runtimePlatform.cpuArchitecture %s is not valid. It must be X86_64 or ARM64.", field, clip(rp.CPUArchitecture))
	}
	switch rp.OperatingSystemFamily {
	case "", "LINUX":
		return nil
	case "WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2022_FULL":
	default:
		return invalidf("%s.runtimePlatform.operatingSystemFamily %s is not valid. It must be LINUX, WINDOWS_SERVER_2019_CORE, WINDOWS_SERVER_2019_FULL, WINDOWS_SERVER_2022_CORE or WINDOWS_SERVER_2022_FULL.", field, clip(rp.OperatingSystemFamily))
	}
	if rp.CPUArchitecture == "ARM64" {
		return invalidf("%s.runtimePlatform.cpuArchitecture must be X86_64 for Windows containers.", field)
	}
	forbidden := []member{
		{"linuxParameters", c.LinuxParameters != nil},
		{"privileged", c.Privileged != nil && *c.Privileged},
		{"user", c.User != ""},
		{"readonlyRootFilesystem", c.ReadonlyRootFilesystem != nil && *c.ReadonlyRootFilesystem},
		{"volumes[].efsVolumeConfiguration", efs},
	}
	if name, ok := firstSet(forbidden); ok {
		return invalidf("%s.%s cannot be set for Windows containers (runtimePlatform.operatingSystemFamily %s). Remove it.", field, name, rp.OperatingSystemFamily)
	}
	return nil
}

// validateEC2Container applies the rules for EC2 definitions: integer vCPUs
// of at least 1, at least 4 MiB of memory, and no Fargate-only members.
func validateEC2Container(field string, c *ContainerProperties) error {
	fargateOnly := []member{
		{"networkConfiguration", c.NetworkConfiguration != nil},
		{"fargatePlatformConfiguration", c.FargatePlatformConfiguration != nil},
		{"ephemeralStorage", c.EphemeralStorage != nil},
		{"runtimePlatform", c.RuntimePlatform != nil},
	}
	if name, ok := firstSet(fargateOnly); ok {
		return invalidf("%s.%s applies only to Fargate job definitions. Remove it, or register with platformCapabilities [\"FARGATE\"].", field, name)
	}
	if c.Vcpus != nil && *c.Vcpus < 1 {
		return invalidf("%s.vcpus %d is not valid. EC2 jobs need at least 1 vCPU.", field, *c.Vcpus)
	}
	if c.Memory != nil && *c.Memory < minEC2MemoryMiB {
		return invalidf("%s.memory %d is not valid. Jobs need at least %d MiB of memory.", field, *c.Memory, minEC2MemoryMiB)
	}
	return validateEC2Requirements(field+".resourceRequirements", c.ResourceRequirements)
}

// validateEC2Requirements checks EC2 resource requirement values: VCPU a
// whole number of at least 1 ("1.0" is rejected, as AWS does), MEMORY a whole
// number of MiB of at least 4, GPU a whole number.
func validateEC2Requirements(field string, rrs []ResourceRequirement) error {
	for _, r := range rrs {
		n, ok := parseWholeNumber(r.Value)
		if !ok {
			return invalidf("Value %s for type %s in resourceRequirement is not valid. Please provide a numeric value. On EC2 %s %s is a whole number.", shorten(r.Value), r.Type, field, r.Type)
		}
		switch {
		case r.Type == ResourceVCPU && n < 1:
			return invalidf("%s VCPU %d is not valid. EC2 jobs need at least 1 vCPU.", field, n)
		case r.Type == ResourceMemory && n < minEC2MemoryMiB:
			return invalidf("%s MEMORY %d is not valid. Jobs need at least %d MiB of memory.", field, n, minEC2MemoryMiB)
		}
	}
	return nil
}

// validateRetryStrategy checks a retryStrategy. Actions are compared without
// regard to case, as AWS documents, and kept as sent: AWS echoes them
// unchanged, so whoever evaluates them must use strings.EqualFold.
func validateRetryStrategy(field string, rs *RetryStrategy) error {
	if rs == nil {
		return nil
	}
	if a := rs.Attempts; a != nil && (*a < 1 || *a > maxRetryAttempts) {
		return invalidf("%s.attempts %d is not valid. It must be between 1 and %d.", field, *a, maxRetryAttempts)
	}
	if len(rs.EvaluateOnExit) > maxEvaluateOnExit {
		return invalidf("%s.evaluateOnExit has %d entries. It can have at most %d.", field, len(rs.EvaluateOnExit), maxEvaluateOnExit)
	}
	if len(rs.EvaluateOnExit) > 0 && rs.Attempts == nil {
		return invalidf("%s.attempts is required when %s.evaluateOnExit is given.", field, field)
	}
	for i, e := range rs.EvaluateOnExit {
		f := field + ".evaluateOnExit[" + strconv.Itoa(i) + "]"
		if !strings.EqualFold(e.Action, "RETRY") && !strings.EqualFold(e.Action, "EXIT") {
			return invalidf("%s.action %s is not valid. It must be RETRY or EXIT.", f, clip(e.Action))
		}
		patterns := []struct {
			name, value string
			ok          func(rune) bool
			rule        string
		}{
			{"onStatusReason", e.OnStatusReason, reasonPatternChar, "letters, numbers, periods (.), colons (:) and white space"},
			{"onReason", e.OnReason, reasonPatternChar, "letters, numbers, periods (.), colons (:) and white space"},
			{"onExitCode", e.OnExitCode, func(r rune) bool { return '0' <= r && r <= '9' }, "numbers"},
		}
		for _, p := range patterns {
			if len(p.value) > maxPatternLen {
				return invalidf("%s.%s is %d characters long. Patterns can be at most %d characters.", f, p.name, len(p.value), maxPatternLen)
			}
			body := strings.TrimSuffix(p.value, "*")
			for _, r := range body {
				if !p.ok(r) {
					return invalidf("Evaluate on exit condition contains restricted characters. %s.%s %s may contain only %s, optionally ending with *.", f, p.name, clip(p.value), p.rule)
				}
			}
		}
	}
	return nil
}

func reasonPatternChar(r rune) bool {
	switch r {
	case '.', ':', ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return r < 128 && isAlnum(byte(r))
}

func validateTimeout(field string, t *JobTimeout) error {
	if t == nil || t.AttemptDurationSeconds == nil {
		return nil
	}
	if s := *t.AttemptDurationSeconds; s < minAttemptDuration {
		return invalidf("%s.attemptDurationSeconds %d is not valid. The minimum is %d seconds.", field, s, minAttemptDuration)
	}
	return nil
}

func validateSchedulingPriority(field string, p *int) error {
	if p != nil && (*p < 0 || *p > maxSchedulingPrio) {
		return invalidf("%s %d is not valid. It must be between 0 and %d.", field, *p, maxSchedulingPrio)
	}
	return nil
}

// jsonLen returns the length of v encoded as JSON without HTML escaping, or 0
// if v cannot be encoded (the caller's other checks then apply).
func jsonLen(v any) int {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return 0
	}
	return b.Len() - 1 // Encode adds a newline
}
