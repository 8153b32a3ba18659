package barge

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Bounds of EKS shapes, from the model's documentation.
const (
	maxEksContainers   = 10
	maxNamespaceLen    = 63
	maxEksResourceLen  = 256
	minEksMemoryMiB    = 4
	maxDNSLabelLen     = 63
	maxDNSSubdomainLen = 253
	maxAnnotationValue = 255
)

// The resources an EKS container may ask for.
const (
	EksResourceCPU    = "cpu"
	EksResourceMemory = "memory"
	EksResourceGPU    = "nvidia.com/gpu"
)

var (
	// eksClusterARN matches arn:aws:eks:REGION:ACCOUNT:cluster/NAME; the
	// name is EKS's: letters, digits, hyphens and underscores, from a
	// letter or digit, at most 100.
	eksClusterARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:eks:[a-z0-9-]+:[0-9]{12}:cluster/([A-Za-z0-9][A-Za-z0-9_-]{0,99})$`)
	// dnsLabel is a Kubernetes DNS-1123 label (namespaces, container
	// names).
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// dnsSubdomain is a Kubernetes DNS-1123 subdomain (volume, secret and
	// service account names).
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	// labelName is a label's or an annotation's name segment; labelValue
	// a label's value (which may be empty).
	labelName  = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	labelValue = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$`)
	// eksMemory is a memory quantity as AWS takes it: whole MiB with "Mi".
	eksMemory = regexp.MustCompile(`^[0-9]+Mi$`)
)

// EksClusterName returns the cluster name of an EKS cluster ARN
// (arn:aws:eks:REGION:ACCOUNT:cluster/NAME), and whether arn is one.
func EksClusterName(arn string) (string, bool) {
	m := eksClusterARN.FindStringSubmatch(arn)
	if m == nil {
		return "", false
	}
	return m[2], true
}

// validateEksConfiguration checks a compute environment's eksConfiguration
// and that its capacity is one EKS offers (EC2 or SPOT, never Fargate).
func validateEksConfiguration(ce *ComputeEnvironment) error {
	c := ce.EksConfiguration
	if c.EksClusterArn == "" {
		return invalidf("eksConfiguration.eksClusterArn is required: the ARN of the cluster, arn:aws:eks:REGION:ACCOUNT:cluster/NAME.")
	}
	if _, ok := EksClusterName(c.EksClusterArn); !ok {
		return invalidf("eksConfiguration.eksClusterArn %s is not an EKS cluster ARN. It must look like arn:aws:eks:us-east-1:123456789012:cluster/NAME.", clip(c.EksClusterArn))
	}
	if err := validateNamespace("eksConfiguration.kubernetesNamespace", c.KubernetesNamespace); err != nil {
		return err
	}
	if cr := ce.ComputeResources; cr != nil && cr.Type.IsFargate() {
		return invalidf("computeResources.type %s is not supported with eksConfiguration: AWS Batch on Amazon EKS runs on EC2 or SPOT capacity. Use type EC2 or SPOT.", cr.Type)
	}
	return nil
}

// validateNamespace checks a Kubernetes namespace as AWS restricts it.
func validateNamespace(field, ns string) error {
	const rule = "It must be 1 to 63 lower-case letters, digits and hyphens (-), begin and end with a letter or digit, not be default and not start with kube-."
	switch {
	case ns == "":
		return invalidf("%s is required. %s", field, rule)
	case len(ns) > maxNamespaceLen, !dnsLabel.MatchString(ns), ns == "default", strings.HasPrefix(ns, "kube-"):
		return invalidf("%s %s is not valid. %s", field, clip(ns), rule)
	}
	return nil
}

// validateEksDefinition checks a job definition with eksProperties: what
// EKS jobs may not set, then the Pod.
func validateEksDefinition(d *JobDefinition) error {
	if len(d.PlatformCapabilities) > 0 {
		return invalidf("platformCapabilities must not be set for a job definition with eksProperties: EKS jobs run on the EKS compute environment's capacity. Remove platformCapabilities.")
	}
	if d.PropagateTags != nil {
		return invalidf("propagateTags must not be set for a job definition with eksProperties. Remove it; label the Pod with eksProperties.podProperties.metadata.labels instead.")
	}
	if d.EksProperties.PodProperties == nil {
		return invalidf("Containers must be provided for Batch on EKS jobs. Give eksProperties.podProperties.containers, each with an image.")
	}
	return ValidateEksPodProperties("eksProperties.podProperties", d.EksProperties.PodProperties)
}

// ValidateEksPodProperties checks an EKS job's Pod at member path field:
// one to ten containers and at most ten init containers, each valid, the
// volumes they mount declared once each, the DNS policy, image pull
// secrets, service account and metadata.
func ValidateEksPodProperties(field string, p *EksPodProperties) error {
	if len(p.Containers) == 0 {
		return invalidf("Containers must be provided for Batch on EKS jobs. Give %s.containers, each with an image.", field)
	}
	if len(p.Containers) > maxEksContainers {
		return invalidf("%s.containers has %d entries; a Pod can have at most %d.", field, len(p.Containers), maxEksContainers)
	}
	if len(p.InitContainers) > maxEksContainers {
		return invalidf("%s.initContainers has %d entries; a Pod can have at most %d.", field, len(p.InitContainers), maxEksContainers)
	}
	switch p.DnsPolicy {
	case "", "Default", "ClusterFirst", "ClusterFirstWithHostNet":
	default:
		return invalidf("%s.dnsPolicy %s is not valid. It must be Default, ClusterFirst or ClusterFirstWithHostNet.", field, clip(p.DnsPolicy))
	}
	if p.ServiceAccountName != "" && !isDNSSubdomain(p.ServiceAccountName) {
		return invalidf("%s.serviceAccountName %s is not valid. It must be a Kubernetes name: up to 253 lower-case letters, digits, hyphens (-) and periods (.), beginning and ending with a letter or digit.", field, clip(p.ServiceAccountName))
	}
	for i, s := range p.ImagePullSecrets {
		if !isDNSSubdomain(s.Name) {
			return invalidf("%s.imagePullSecrets[%d].name %s is not valid. It must be a Kubernetes secret's name: up to 253 lower-case letters, digits, hyphens (-) and periods (.), beginning and ending with a letter or digit.", field, i, clip(s.Name))
		}
	}
	volumes, err := validateEksVolumes(field+".volumes", p.Volumes)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, set := range []struct {
		member string
		cs     []EksContainer
		app    bool
	}{{"containers", p.Containers, true}, {"initContainers", p.InitContainers, false}} {
		for i, c := range set.cs {
			cf := field + "." + set.member + "[" + strconv.Itoa(i) + "]"
			if err := validateEksContainer(cf, &c, set.app, volumes); err != nil {
				return err
			}
			if c.Name != "" {
				if names[c.Name] {
					return invalidf("%s.name %s is used by another container of the Pod. Container names must be unique.", cf, clip(c.Name))
				}
				names[c.Name] = true
			}
		}
	}
	if m := p.Metadata; m != nil {
		if err := validateEksMetadata(field+".metadata", m); err != nil {
			return err
		}
	}
	return nil
}

func isDNSSubdomain(s string) bool {
	return len(s) <= maxDNSSubdomainLen && dnsSubdomain.MatchString(s)
}

// validateEksVolumes checks the Pod's volumes and returns their names.
func validateEksVolumes(field string, vs []EksVolume) (map[string]bool, error) {
	names := map[string]bool{}
	for i, v := range vs {
		vf := field + "[" + strconv.Itoa(i) + "]"
		if v.Name == "" || len(v.Name) > maxDNSLabelLen || !dnsLabel.MatchString(v.Name) {
			return nil, invalidf("%s.name %s is not valid. A volume's name is required: up to 63 lower-case letters, digits and hyphens (-), beginning and ending with a letter or digit.", vf, clip(v.Name))
		}
		if names[v.Name] {
			return nil, invalidf("%s.name %s is used by another volume. Volume names must be unique.", vf, clip(v.Name))
		}
		names[v.Name] = true
		sources := 0
		for _, set := range []bool{v.HostPath != nil, v.EmptyDir != nil, v.Secret != nil, v.PersistentVolumeClaim != nil} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			return nil, invalidf("%s must have exactly one of hostPath, emptyDir, secret or persistentVolumeClaim; it has %d.", vf, sources)
		}
		switch {
		case v.HostPath != nil && !strings.HasPrefix(v.HostPath.Path, "/"):
			return nil, invalidf("%s.hostPath.path %s is not valid. Give an absolute path on the node.", vf, clip(v.HostPath.Path))
		case v.EmptyDir != nil && v.EmptyDir.Medium != "" && v.EmptyDir.Medium != "Memory":
			return nil, invalidf("%s.emptyDir.medium %s is not valid. It must be \"\" (the node's disk) or Memory.", vf, clip(v.EmptyDir.Medium))
		case v.EmptyDir != nil && len(v.EmptyDir.SizeLimit) > maxEksResourceLen:
			return nil, invalidf("%s.emptyDir.sizeLimit is longer than %d characters.", vf, maxEksResourceLen)
		case v.Secret != nil && !isDNSSubdomain(v.Secret.SecretName):
			return nil, invalidf("%s.secret.secretName %s is not valid. It is required: the name of a Kubernetes secret in the Pod's namespace.", vf, clip(v.Secret.SecretName))
		case v.PersistentVolumeClaim != nil && !isDNSSubdomain(v.PersistentVolumeClaim.ClaimName):
			return nil, invalidf("%s.persistentVolumeClaim.claimName %s is not valid. It is required: the name of a PersistentVolumeClaim in the Pod's namespace.", vf, clip(v.PersistentVolumeClaim.ClaimName))
		}
	}
	return names, nil
}

// validateEksContainer checks one container; app says whether it is one of
// the Pod's containers (which must ask for cpu and memory) rather than an
// init container.
func validateEksContainer(field string, c *EksContainer, app bool, volumes map[string]bool) error {
	if c.Name != "" && (len(c.Name) > maxDNSLabelLen || !dnsLabel.MatchString(c.Name)) {
		return invalidf("%s.name %s is not valid. It must be up to 63 lower-case letters, digits and hyphens (-), beginning and ending with a letter or digit.", field, clip(c.Name))
	}
	if err := validateImage(field+".image", c.Image); err != nil {
		return err
	}
	switch c.ImagePullPolicy {
	case "", "Always", "IfNotPresent", "Never":
	default:
		return invalidf("%s.imagePullPolicy %s is not valid. It must be Always, IfNotPresent or Never.", field, clip(c.ImagePullPolicy))
	}
	if err := validateEksEnv(field+".env", c.Env); err != nil {
		return err
	}
	if err := validateEksResources(field+".resources", c.Resources, app); err != nil {
		return err
	}
	for i, m := range c.VolumeMounts {
		mf := field + ".volumeMounts[" + strconv.Itoa(i) + "]"
		if !volumes[m.Name] {
			return invalidf("%s.name %s names no volume of the Pod. Declare it in podProperties.volumes, or mount one that is.", mf, clip(m.Name))
		}
		if !strings.HasPrefix(m.MountPath, "/") {
			return invalidf("%s.mountPath %s is not valid. Give the absolute path to mount the volume at.", mf, clip(m.MountPath))
		}
		if strings.HasPrefix(m.SubPath, "/") || strings.Contains("/"+m.SubPath+"/", "/../") {
			return invalidf("%s.subPath %s is not valid. It is a relative path within the volume, without \"..\".", mf, clip(m.SubPath))
		}
	}
	if sc := c.SecurityContext; sc != nil {
		if sc.RunAsUser != nil && *sc.RunAsUser < 0 {
			return invalidf("%s.securityContext.runAsUser %d is not valid. It must be 0 or more.", field, *sc.RunAsUser)
		}
		if sc.RunAsGroup != nil && *sc.RunAsGroup < 0 {
			return invalidf("%s.securityContext.runAsGroup %d is not valid. It must be 0 or more.", field, *sc.RunAsGroup)
		}
	}
	return nil
}

func validateEksEnv(field string, env []EksEnvVar) error {
	for i, e := range env {
		if e.Name == "" {
			return invalidf("%s[%d].name is required. Give the environment variable's name.", field, i)
		}
		if strings.HasPrefix(e.Name, reservedEnvPrefix) {
			return invalidf("%s[%d].name %s is not allowed: environment variable names starting with AWS_BATCH are reserved for variables that Batch sets.", field, i, clip(e.Name))
		}
	}
	return nil
}

// validateEksResources checks a container's limits and requests as AWS
// does: only cpu, memory and nvidia.com/gpu; cpu in multiples of 0.25 with
// requests at most limits; memory in whole MiB ("1024Mi"), at least 4, and
// GPUs whole, each equal in requests and limits when given in both. An app
// container must ask for cpu and memory, in either.
func validateEksResources(field string, r *EksResources, app bool) error {
	if r == nil {
		r = &EksResources{}
	}
	for _, set := range []struct {
		member string
		m      map[string]string
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		for k, v := range set.m {
			f := field + "." + set.member + "." + k
			if len(v) == 0 || len(v) > maxEksResourceLen {
				return invalidf("%s must be 1 to %d characters.", f, maxEksResourceLen)
			}
			switch k {
			case EksResourceCPU:
				if _, err := parseEksCPU(v); err != nil {
					return invalidf("%s %s is not valid. Give vCPUs as a whole number or a multiple of 0.25 (0.25, 0.5, 1, 2.75), not millicores.", f, clip(v))
				}
			case EksResourceMemory:
				if n, err := parseEksMemory(v); err != nil || n < minEksMemoryMiB {
					return invalidf("%s %s is not valid. Give whole MiB with the Mi suffix, at least %dMi (e.g. 2048Mi).", f, clip(v), minEksMemoryMiB)
				}
			case EksResourceGPU:
				if n, err := strconv.Atoi(v); err != nil || n < 0 {
					return invalidf("%s %s is not valid. Give a whole number of GPUs.", f, clip(v))
				}
			default:
				return invalidf("%s is not supported. The resources of an EKS container are cpu, memory and nvidia.com/gpu.", f)
			}
		}
	}
	if l, q := r.Limits[EksResourceCPU], r.Requests[EksResourceCPU]; l != "" && q != "" {
		lv, _ := parseEksCPU(l)
		qv, _ := parseEksCPU(q)
		if qv > lv {
			return invalidf("%s.requests.cpu %s is more than limits.cpu %s. The cpu limit must be at least the request.", field, clip(q), clip(l))
		}
	}
	for _, k := range []string{EksResourceMemory, EksResourceGPU} {
		if l, q := r.Limits[k], r.Requests[k]; l != "" && q != "" && l != q {
			return invalidf("%s.requests.%s %s differs from limits.%s %s. When %s is in both, they must be equal.", field, k, clip(q), k, clip(l), k)
		}
	}
	if app {
		if r.Limits[EksResourceCPU] == "" && r.Requests[EksResourceCPU] == "" {
			return invalidf("%s must give cpu in limits or requests (e.g. \"cpu\": \"1\").", field)
		}
		if r.Limits[EksResourceMemory] == "" && r.Requests[EksResourceMemory] == "" {
			return invalidf("%s must give memory in limits or requests (e.g. \"memory\": \"2048Mi\").", field)
		}
	}
	return nil
}

// parseEksCPU parses a cpu quantity: a positive multiple of 0.25.
func parseEksCPU(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || strings.ContainsAny(v, "eEnNxXpP_+") {
		return 0, invalidf("cpu %s is not a number", clip(v))
	}
	if f < 0.25 || math.IsInf(f, 0) || f != math.Round(f*4)/4 {
		return 0, invalidf("cpu %s is not a multiple of 0.25", clip(v))
	}
	return f, nil
}

// parseEksMemory parses a memory quantity, "NNNMi", into MiB.
func parseEksMemory(v string) (int, error) {
	if !eksMemory.MatchString(v) {
		return 0, invalidf("memory %s is not NNNMi", clip(v))
	}
	return strconv.Atoi(strings.TrimSuffix(v, "Mi"))
}

// validateEksMetadata checks the Pod's labels, annotations and namespace.
func validateEksMetadata(field string, m *EksMetadata) error {
	if m.Namespace != "" {
		if err := validateNamespace(field+".namespace", m.Namespace); err != nil {
			return err
		}
	}
	for k, v := range m.Labels {
		if !validQualifiedName(k) {
			return invalidf("%s.labels key %s is not valid. A label's name is up to 63 letters, digits, hyphens (-), underscores (_) and periods (.), beginning and ending with a letter or digit, optionally after a DNS prefix and a slash.", field, clip(k))
		}
		if len(v) > maxDNSLabelLen || !labelValue.MatchString(v) {
			return invalidf("%s.labels[%s] %s is not valid. A label's value is up to 63 letters, digits, hyphens (-), underscores (_) and periods (.), beginning and ending with a letter or digit.", field, clip(k), clip(v))
		}
	}
	for k, v := range m.Annotations {
		if !validQualifiedName(k) {
			return invalidf("%s.annotations key %s is not valid. An annotation's name is up to 63 letters, digits, hyphens (-), underscores (_) and periods (.), beginning and ending with a letter or digit, optionally after a DNS prefix and a slash.", field, clip(k))
		}
		if len(v) > maxAnnotationValue {
			return invalidf("%s.annotations[%s] is %d characters; an annotation's value can be at most %d.", field, clip(k), len(v), maxAnnotationValue)
		}
	}
	return nil
}

// validQualifiedName reports whether k is a Kubernetes qualified name:
// [prefix/]name, the prefix a DNS subdomain.
func validQualifiedName(k string) bool {
	prefix, name, hasPrefix := strings.Cut(k, "/")
	if !hasPrefix {
		name, prefix = prefix, ""
	} else if !isDNSSubdomain(prefix) {
		return false
	}
	return len(name) <= maxDNSLabelLen && name != "" && labelName.MatchString(name)
}

// EksPodCPU returns the vCPUs a Pod asks for: the sum over its containers
// of each one's cpu request (its limit when it gives none), or the largest
// init container's when more, as Kubernetes sizes a Pod.
func EksPodCPU(p *EksPodProperties) float64 {
	return eksPodSum(p, func(c *EksContainer) float64 {
		v, _ := parseEksCPU(eksRequest(c, EksResourceCPU))
		return v
	})
}

// EksPodMemoryMiB returns the MiB a Pod asks for, summed as EksPodCPU sums
// cpu.
func EksPodMemoryMiB(p *EksPodProperties) int {
	return int(eksPodSum(p, func(c *EksContainer) float64 {
		n, _ := parseEksMemory(eksRequest(c, EksResourceMemory))
		return float64(n)
	}))
}

func eksPodSum(p *EksPodProperties, of func(*EksContainer) float64) float64 {
	var sum, initMax float64
	for i := range p.Containers {
		sum += of(&p.Containers[i])
	}
	for i := range p.InitContainers {
		initMax = max(initMax, of(&p.InitContainers[i]))
	}
	return max(sum, initMax)
}

// eksRequest returns what a container requests of resource: its request,
// else its limit (which AWS copies into the request).
func eksRequest(c *EksContainer, resource string) string {
	if c.Resources == nil {
		return ""
	}
	if v := c.Resources.Requests[resource]; v != "" {
		return v
	}
	return c.Resources.Limits[resource]
}
