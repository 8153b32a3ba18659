package barge

// The container shapes below are shared by job definitions, jobs and the
// Batch wire format. Their JSON names are AWS's member names exactly, so that
// a definition registered through the API is stored and echoed unchanged.

// ContainerProperties describes the container a job runs: the
// containerProperties of a job definition.
type ContainerProperties struct {
	Image                        string                        `json:"image,omitempty"`
	Vcpus                        *int                          `json:"vcpus,omitempty"`
	Memory                       *int                          `json:"memory,omitempty"`
	Command                      []string                      `json:"command,omitempty"`
	JobRoleArn                   string                        `json:"jobRoleArn,omitempty"`
	ExecutionRoleArn             string                        `json:"executionRoleArn,omitempty"`
	Volumes                      []Volume                      `json:"volumes,omitempty"`
	Environment                  []KeyValuePair                `json:"environment,omitempty"`
	MountPoints                  []MountPoint                  `json:"mountPoints,omitempty"`
	ReadonlyRootFilesystem       *bool                         `json:"readonlyRootFilesystem,omitempty"`
	Privileged                   *bool                         `json:"privileged,omitempty"`
	Ulimits                      []Ulimit                      `json:"ulimits,omitempty"`
	User                         string                        `json:"user,omitempty"`
	InstanceType                 string                        `json:"instanceType,omitempty"`
	ResourceRequirements         []ResourceRequirement         `json:"resourceRequirements,omitempty"`
	LinuxParameters              *LinuxParameters              `json:"linuxParameters,omitempty"`
	LogConfiguration             *LogConfiguration             `json:"logConfiguration,omitempty"`
	Secrets                      []Secret                      `json:"secrets,omitempty"`
	NetworkConfiguration         *NetworkConfiguration         `json:"networkConfiguration,omitempty"`
	FargatePlatformConfiguration *FargatePlatformConfiguration `json:"fargatePlatformConfiguration,omitempty"`
	EnableExecuteCommand         *bool                         `json:"enableExecuteCommand,omitempty"`
	EphemeralStorage             *EphemeralStorage             `json:"ephemeralStorage,omitempty"`
	RuntimePlatform              *RuntimePlatform              `json:"runtimePlatform,omitempty"`
	RepositoryCredentials        *RepositoryCredentials        `json:"repositoryCredentials,omitempty"`
}

// ResourceType is the type of a ResourceRequirement.
type ResourceType string

// The resource types.
const (
	ResourceVCPU   ResourceType = "VCPU"
	ResourceMemory ResourceType = "MEMORY"
	ResourceGPU    ResourceType = "GPU"
)

// ResourceRequirement is one resource a container asks for. Value is a string
// on the wire ("0.25", "512").
type ResourceRequirement struct {
	Type  ResourceType `json:"type"`
	Value string       `json:"value"`
}

// KeyValuePair is an environment variable.
type KeyValuePair struct {
	Name  *string `json:"name,omitempty"`
	Value *string `json:"value,omitempty"`
}

// Volume is a data volume of a job.
type Volume struct {
	Host                       *Host            `json:"host,omitempty"`
	Name                       string           `json:"name,omitempty"`
	EfsVolumeConfiguration     *EFSVolumeConfig `json:"efsVolumeConfiguration,omitempty"`
	S3filesVolumeConfiguration map[string]any   `json:"s3filesVolumeConfiguration,omitempty"`
}

// Host is a host-path volume source (EC2 only).
type Host struct {
	SourcePath string `json:"sourcePath,omitempty"`
}

// EFSVolumeConfig is an Amazon EFS volume.
type EFSVolumeConfig struct {
	FileSystemID          string         `json:"fileSystemId"`
	RootDirectory         string         `json:"rootDirectory,omitempty"`
	TransitEncryption     string         `json:"transitEncryption,omitempty"`
	TransitEncryptionPort *int           `json:"transitEncryptionPort,omitempty"`
	AuthorizationConfig   *EFSAuthConfig `json:"authorizationConfig,omitempty"`
}

// EFSAuthConfig is the authorization of an EFS volume.
type EFSAuthConfig struct {
	AccessPointID string `json:"accessPointId,omitempty"`
	IAM           string `json:"iam,omitempty"`
}

// MountPoint mounts a volume into the container.
type MountPoint struct {
	ContainerPath string `json:"containerPath,omitempty"`
	ReadOnly      *bool  `json:"readOnly,omitempty"`
	SourceVolume  string `json:"sourceVolume,omitempty"`
}

// Ulimit is a resource limit (EC2 only).
type Ulimit struct {
	Name      string `json:"name"`
	SoftLimit int    `json:"softLimit"`
	HardLimit int    `json:"hardLimit"`
}

// LinuxParameters are Linux-specific container options.
type LinuxParameters struct {
	Devices            []Device `json:"devices,omitempty"`
	InitProcessEnabled *bool    `json:"initProcessEnabled,omitempty"`
	SharedMemorySize   *int     `json:"sharedMemorySize,omitempty"`
	Tmpfs              []Tmpfs  `json:"tmpfs,omitempty"`
	MaxSwap            *int     `json:"maxSwap,omitempty"`
	Swappiness         *int     `json:"swappiness,omitempty"`
}

// Device is a host device exposed to the container (EC2 only).
type Device struct {
	HostPath      string   `json:"hostPath"`
	ContainerPath string   `json:"containerPath,omitempty"`
	Permissions   []string `json:"permissions,omitempty"`
}

// Tmpfs is a tmpfs mount (EC2 only).
type Tmpfs struct {
	ContainerPath string   `json:"containerPath"`
	Size          int      `json:"size"`
	MountOptions  []string `json:"mountOptions,omitempty"`
}

// LogConfiguration selects the container's log driver.
type LogConfiguration struct {
	LogDriver     string            `json:"logDriver"`
	Options       map[string]string `json:"options,omitempty"`
	SecretOptions []Secret          `json:"secretOptions,omitempty"`
}

// Secret exposes a secret to the container.
type Secret struct {
	Name      string `json:"name"`
	ValueFrom string `json:"valueFrom"`
}

// NetworkConfiguration is a Fargate job's network configuration.
type NetworkConfiguration struct {
	AssignPublicIP string `json:"assignPublicIp,omitempty"`
}

// FargatePlatformConfiguration selects the Fargate platform version.
type FargatePlatformConfiguration struct {
	PlatformVersion string `json:"platformVersion,omitempty"`
}

// EphemeralStorage is the size of a Fargate task's storage.
type EphemeralStorage struct {
	SizeInGiB int `json:"sizeInGiB"`
}

// RuntimePlatform selects the operating system and CPU architecture.
type RuntimePlatform struct {
	OperatingSystemFamily string `json:"operatingSystemFamily,omitempty"`
	CPUArchitecture       string `json:"cpuArchitecture,omitempty"`
}

// RepositoryCredentials names a private registry's credentials.
type RepositoryCredentials struct {
	CredentialsParameter string `json:"credentialsParameter"`
}

// RetryStrategy is how many attempts a job gets and which failures retry.
type RetryStrategy struct {
	Attempts       *int             `json:"attempts,omitempty"`
	EvaluateOnExit []EvaluateOnExit `json:"evaluateOnExit,omitempty"`
}

// EvaluateOnExit is one retry rule: the first rule whose conditions all match
// an attempt's outcome decides whether to retry or exit.
type EvaluateOnExit struct {
	OnStatusReason string `json:"onStatusReason,omitempty"`
	OnReason       string `json:"onReason,omitempty"`
	OnExitCode     string `json:"onExitCode,omitempty"`
	Action         string `json:"action"`
}

// JobTimeout bounds each attempt's duration.
type JobTimeout struct {
	AttemptDurationSeconds *int `json:"attemptDurationSeconds,omitempty"`
}

// ContainerOverrides are SubmitJob's changes to the definition's container.
type ContainerOverrides struct {
	Vcpus                *int                  `json:"vcpus,omitempty"`
	Memory               *int                  `json:"memory,omitempty"`
	Command              []string              `json:"command,omitempty"`
	InstanceType         string                `json:"instanceType,omitempty"`
	Environment          []KeyValuePair        `json:"environment,omitempty"`
	ResourceRequirements []ResourceRequirement `json:"resourceRequirements,omitempty"`
}

// Requirement returns the value of the resource requirement of type t, or ""
// when there is none.
func (c *ContainerProperties) Requirement(t ResourceType) string {
	for _, r := range c.ResourceRequirements {
		if r.Type == t {
			return r.Value
		}
	}
	return ""
}
