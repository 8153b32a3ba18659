package barge

// AWS Batch on Amazon EKS: the value shapes of compute environments that
// run their jobs as Pods on a Kubernetes cluster (eksConfiguration), of job
// definitions that describe a Pod (eksProperties), of SubmitJob's overrides
// for them, and of what an attempt's Pod reported. Member names are the
// model's exactly; the wire and the store share them.

// Container orchestration types, as ComputeEnvironmentDetail and
// JobDefinition report them.
const (
	OrchestrationECS = "ECS"
	OrchestrationEKS = "EKS"
)

// EksConfiguration names the cluster and namespace an EKS compute
// environment runs its jobs' Pods in. Neither can change after creation
// (UpdateComputeEnvironment has no such member).
type EksConfiguration struct {
	EksClusterArn       string `json:"eksClusterArn"`
	KubernetesNamespace string `json:"kubernetesNamespace"`
}

// IsEKS reports whether the compute environment runs its jobs on Amazon EKS
// (a Kubernetes cluster).
func (ce *ComputeEnvironment) IsEKS() bool { return ce.EksConfiguration != nil }

// ContainerOrchestrationType is EKS for a compute environment with an
// eksConfiguration, ECS otherwise.
func (ce *ComputeEnvironment) ContainerOrchestrationType() string {
	if ce.IsEKS() {
		return OrchestrationEKS
	}
	return OrchestrationECS
}

// JobQueueType is the jobQueueType of a job queue of compute environments
// like ce: EKS, ECS_FARGATE or ECS.
func (ce *ComputeEnvironment) JobQueueType() string {
	switch {
	case ce.IsEKS():
		return "EKS"
	case ce.IsFargate():
		return "ECS_FARGATE"
	default:
		return "ECS"
	}
}

// EksProperties is a job definition's eksProperties: the Pod each attempt
// runs as.
type EksProperties struct {
	PodProperties *EksPodProperties `json:"podProperties,omitempty"`
}

// EksPodProperties is the Pod of an EKS job: its containers, volumes and
// metadata.
type EksPodProperties struct {
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// HostNetwork is true when absent, as on AWS.
	HostNetwork *bool `json:"hostNetwork,omitempty"`
	// DnsPolicy is Default, ClusterFirst or ClusterFirstWithHostNet; when
	// absent the Pod gets ClusterFirstWithHostNet with host networking,
	// ClusterFirst without.
	DnsPolicy             string               `json:"dnsPolicy,omitempty"`
	ImagePullSecrets      []EksImagePullSecret `json:"imagePullSecrets,omitempty"`
	Containers            []EksContainer       `json:"containers,omitempty"`
	InitContainers        []EksContainer       `json:"initContainers,omitempty"`
	Volumes               []EksVolume          `json:"volumes,omitempty"`
	Metadata              *EksMetadata         `json:"metadata,omitempty"`
	ShareProcessNamespace *bool                `json:"shareProcessNamespace,omitempty"`
}

// UsesHostNetwork reports whether the Pod uses the node's network: unless
// hostNetwork is false.
func (p *EksPodProperties) UsesHostNetwork() bool {
	return p.HostNetwork == nil || *p.HostNetwork
}

// EffectiveDNSPolicy returns the Pod's DNS policy: the one given, else
// ClusterFirstWithHostNet with host networking and ClusterFirst without,
// as AWS documents.
func (p *EksPodProperties) EffectiveDNSPolicy() string {
	switch {
	case p.DnsPolicy != "":
		return p.DnsPolicy
	case p.UsesHostNetwork():
		return "ClusterFirstWithHostNet"
	default:
		return "ClusterFirst"
	}
}

// EksImagePullSecret names a Kubernetes secret to pull images with.
type EksImagePullSecret struct {
	Name string `json:"name"`
}

// EksContainer is one container (or init container) of an EKS job's Pod.
// Command is Kubernetes' command (the image's ENTRYPOINT is replaced), Args
// its args (the image's CMD), unlike containerProperties' command.
type EksContainer struct {
	Name            string              `json:"name,omitempty"`
	Image           string              `json:"image"`
	ImagePullPolicy string              `json:"imagePullPolicy,omitempty"`
	Command         []string            `json:"command,omitempty"`
	Args            []string            `json:"args,omitempty"`
	Env             []EksEnvVar         `json:"env,omitempty"`
	Resources       *EksResources       `json:"resources,omitempty"`
	VolumeMounts    []EksVolumeMount    `json:"volumeMounts,omitempty"`
	SecurityContext *EksSecurityContext `json:"securityContext,omitempty"`
}

// EksEnvVar is one environment variable of an EKS container.
type EksEnvVar struct {
	Name  string  `json:"name"`
	Value *string `json:"value,omitempty"`
}

// EksResources is an EKS container's resources: Kubernetes' limits and
// requests of cpu, memory and nvidia.com/gpu.
type EksResources struct {
	Limits   map[string]string `json:"limits,omitempty"`
	Requests map[string]string `json:"requests,omitempty"`
}

// EksVolumeMount mounts one of the Pod's volumes in a container.
type EksVolumeMount struct {
	Name      string `json:"name,omitempty"`
	MountPath string `json:"mountPath,omitempty"`
	SubPath   string `json:"subPath,omitempty"`
	ReadOnly  *bool  `json:"readOnly,omitempty"`
}

// EksSecurityContext is an EKS container's security context.
// allowPrivilegeEscalation is false when absent, unlike Kubernetes'.
type EksSecurityContext struct {
	RunAsUser                *int64 `json:"runAsUser,omitempty"`
	RunAsGroup               *int64 `json:"runAsGroup,omitempty"`
	Privileged               *bool  `json:"privileged,omitempty"`
	AllowPrivilegeEscalation *bool  `json:"allowPrivilegeEscalation,omitempty"`
	ReadOnlyRootFilesystem   *bool  `json:"readOnlyRootFilesystem,omitempty"`
	RunAsNonRoot             *bool  `json:"runAsNonRoot,omitempty"`
}

// EksVolume is one volume of an EKS job's Pod: exactly one of its sources.
type EksVolume struct {
	Name                  string                    `json:"name"`
	HostPath              *EksHostPath              `json:"hostPath,omitempty"`
	EmptyDir              *EksEmptyDir              `json:"emptyDir,omitempty"`
	Secret                *EksSecret                `json:"secret,omitempty"`
	PersistentVolumeClaim *EksPersistentVolumeClaim `json:"persistentVolumeClaim,omitempty"`
}

// EksHostPath is a volume from a path on the node.
type EksHostPath struct {
	Path string `json:"path,omitempty"`
}

// EksEmptyDir is a scratch volume: on the node's disk, or in memory
// (medium "Memory").
type EksEmptyDir struct {
	Medium    string `json:"medium,omitempty"`
	SizeLimit string `json:"sizeLimit,omitempty"`
}

// EksSecret is a volume holding a Kubernetes secret's keys as files.
type EksSecret struct {
	SecretName string `json:"secretName"`
	Optional   *bool  `json:"optional,omitempty"`
}

// EksPersistentVolumeClaim is a volume bound to a PersistentVolumeClaim.
type EksPersistentVolumeClaim struct {
	ClaimName string `json:"claimName"`
	ReadOnly  *bool  `json:"readOnly,omitempty"`
}

// EksMetadata is the Pod's labels, annotations and namespace.
type EksMetadata struct {
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Namespace   string            `json:"namespace,omitempty"`
}

// EksPropertiesOverride is SubmitJob's eksPropertiesOverride.
type EksPropertiesOverride struct {
	PodProperties *EksPodPropertiesOverride `json:"podProperties,omitempty"`
}

// EksPodPropertiesOverride overrides some of a Pod's containers and its
// metadata.
type EksPodPropertiesOverride struct {
	Containers     []EksContainerOverride `json:"containers,omitempty"`
	InitContainers []EksContainerOverride `json:"initContainers,omitempty"`
	Metadata       *EksMetadata           `json:"metadata,omitempty"`
}

// EksContainerOverride overrides one container, named by Name (or the only
// one, when the Pod has one and Name is empty).
type EksContainerOverride struct {
	Name      string        `json:"name,omitempty"`
	Image     string        `json:"image,omitempty"`
	Command   []string      `json:"command,omitempty"`
	Args      []string      `json:"args,omitempty"`
	Env       []EksEnvVar   `json:"env,omitempty"`
	Resources *EksResources `json:"resources,omitempty"`
}

// PodRuntime is what an EKS job's attempt knows of its Pod: where it ran and
// how each of its containers ended.
type PodRuntime struct {
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	NodeName  string `json:"nodeName,omitempty"`
	// EksClusterArn is the cluster of the attempt's compute environment.
	EksClusterArn  string                `json:"eksClusterArn,omitempty"`
	Containers     []PodContainerOutcome `json:"containers,omitempty"`
	InitContainers []PodContainerOutcome `json:"initContainers,omitempty"`
}

// PodContainerOutcome is how one container of a Pod ended.
type PodContainerOutcome struct {
	Name        string `json:"name,omitempty"`
	ContainerID string `json:"containerID,omitempty"`
	ExitCode    *int   `json:"exitCode,omitempty"`
	Reason      string `json:"reason,omitempty"`
}
