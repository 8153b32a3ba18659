package barge

// CEType is a compute environment's type.
type CEType string

// The compute environment types.
const (
	CEManaged   CEType = "MANAGED"
	CEUnmanaged CEType = "UNMANAGED"
)

// State is whether a compute environment or job queue takes work.
type State string

// The states.
const (
	StateEnabled  State = "ENABLED"
	StateDisabled State = "DISABLED"
)

// ResourceStatus is the lifecycle status of a compute environment or job
// queue (AWS's CEStatus and JQStatus share their values).
type ResourceStatus string

// The resource statuses.
const (
	StatusCreating ResourceStatus = "CREATING"
	StatusUpdating ResourceStatus = "UPDATING"
	StatusDeleting ResourceStatus = "DELETING"
	StatusDeleted  ResourceStatus = "DELETED"
	StatusValid    ResourceStatus = "VALID"
	StatusInvalid  ResourceStatus = "INVALID"
)

// CRType is the kind of capacity a managed compute environment provides.
type CRType string

// The capacity types.
const (
	CRFargate     CRType = "FARGATE"
	CRFargateSpot CRType = "FARGATE_SPOT"
	CREC2         CRType = "EC2"
	CRSpot        CRType = "SPOT"
)

// IsFargate reports whether t is FARGATE or FARGATE_SPOT.
func (t CRType) IsFargate() bool { return t == CRFargate || t == CRFargateSpot }

// ComputeEnvironment is a pool of capacity, bounded by MaxvCpus, that job
// queues place jobs on.
type ComputeEnvironment struct {
	Name             string            `json:"name"`
	Type             CEType            `json:"type"`
	State            State             `json:"state"`
	Status           ResourceStatus    `json:"status"`
	StatusReason     string            `json:"statusReason,omitempty"`
	ComputeResources *ComputeResource  `json:"computeResources,omitempty"`
	ServiceRole      string            `json:"serviceRole,omitempty"`
	UnmanagedvCpus   *int              `json:"unmanagedvCpus,omitempty"`
	UpdatePolicy     *UpdatePolicy     `json:"updatePolicy,omitempty"`
	Context          string            `json:"context,omitempty"`
	EksConfiguration *EksConfiguration `json:"eksConfiguration,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	UUID             string            `json:"uuid"`
	EcsClusterArn    string            `json:"ecsClusterArn"` // "" for EKS compute environments
	CreatedAt        int64             `json:"createdAt"`
}

// ComputeResource is a managed compute environment's capacity description,
// with AWS's member names.
type ComputeResource struct {
	Type               CRType            `json:"type"`
	AllocationStrategy string            `json:"allocationStrategy,omitempty"`
	MinvCpus           *int              `json:"minvCpus,omitempty"`
	MaxvCpus           *int              `json:"maxvCpus,omitempty"`
	DesiredvCpus       *int              `json:"desiredvCpus,omitempty"`
	InstanceTypes      []string          `json:"instanceTypes,omitempty"`
	ImageID            string            `json:"imageId,omitempty"`
	Subnets            []string          `json:"subnets,omitempty"`
	SecurityGroupIDs   []string          `json:"securityGroupIds,omitempty"`
	Ec2KeyPair         string            `json:"ec2KeyPair,omitempty"`
	InstanceRole       string            `json:"instanceRole,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	PlacementGroup     string            `json:"placementGroup,omitempty"`
	BidPercentage      *int              `json:"bidPercentage,omitempty"`
	SpotIamFleetRole   string            `json:"spotIamFleetRole,omitempty"`
	LaunchTemplate     map[string]any    `json:"launchTemplate,omitempty"`
	Ec2Configuration   []map[string]any  `json:"ec2Configuration,omitempty"`
	ScalingPolicy      map[string]any    `json:"scalingPolicy,omitempty"`
}

// ComputeResourceUpdate is UpdateComputeEnvironment's change to a compute
// environment's capacity; absent members are left as they are.
type ComputeResourceUpdate struct {
	MinvCpus                   *int              `json:"minvCpus,omitempty"`
	MaxvCpus                   *int              `json:"maxvCpus,omitempty"`
	DesiredvCpus               *int              `json:"desiredvCpus,omitempty"`
	Subnets                    []string          `json:"subnets,omitempty"`
	SecurityGroupIDs           []string          `json:"securityGroupIds,omitempty"`
	AllocationStrategy         string            `json:"allocationStrategy,omitempty"`
	InstanceTypes              []string          `json:"instanceTypes,omitempty"`
	Ec2KeyPair                 string            `json:"ec2KeyPair,omitempty"`
	InstanceRole               string            `json:"instanceRole,omitempty"`
	Tags                       map[string]string `json:"tags,omitempty"`
	PlacementGroup             string            `json:"placementGroup,omitempty"`
	BidPercentage              *int              `json:"bidPercentage,omitempty"`
	LaunchTemplate             map[string]any    `json:"launchTemplate,omitempty"`
	Ec2Configuration           []map[string]any  `json:"ec2Configuration,omitempty"`
	UpdateToLatestImageVersion *bool             `json:"updateToLatestImageVersion,omitempty"`
	Type                       CRType            `json:"type,omitempty"`
	ImageID                    string            `json:"imageId,omitempty"`
	ScalingPolicy              map[string]any    `json:"scalingPolicy,omitempty"`
}

// UpdatePolicy governs infrastructure updates of EC2 compute environments.
type UpdatePolicy struct {
	TerminateJobsOnUpdate      *bool  `json:"terminateJobsOnUpdate,omitempty"`
	JobExecutionTimeoutMinutes *int64 `json:"jobExecutionTimeoutMinutes,omitempty"`
}

// MaxvCpus returns the compute environment's vCPU capacity, 0 when unset.
func (ce *ComputeEnvironment) MaxvCpus() int {
	if ce.ComputeResources == nil || ce.ComputeResources.MaxvCpus == nil {
		return 0
	}
	return *ce.ComputeResources.MaxvCpus
}

// IsFargate reports whether the compute environment provides Fargate capacity.
func (ce *ComputeEnvironment) IsFargate() bool {
	return ce.ComputeResources != nil && ce.ComputeResources.Type.IsFargate()
}
