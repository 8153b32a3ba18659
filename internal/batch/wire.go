package batch

import (
	"encoding/json"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// The wire shapes of AWS Batch's top-level responses, with the model's member
// names exactly. The requests are the control plane's inputs (AWS's request
// shapes); nested container, retry and capacity shapes are the root
// package's, which already carry AWS's names: the domain and the wire agree
// on them, and a second copy would only add conversion code.

type computeEnvironmentOutput struct {
	ComputeEnvironmentName string `json:"computeEnvironmentName"`
	ComputeEnvironmentArn  string `json:"computeEnvironmentArn"`
}

type describeComputeEnvironmentsOutput struct {
	ComputeEnvironments []computeEnvironmentDetail `json:"computeEnvironments"`
	NextToken           string                     `json:"nextToken,omitempty"`
}

type computeEnvironmentDetail struct {
	ComputeEnvironmentName     string                  `json:"computeEnvironmentName"`
	ComputeEnvironmentArn      string                  `json:"computeEnvironmentArn"`
	UnmanagedvCpus             *int                    `json:"unmanagedvCpus,omitempty"`
	EcsClusterArn              string                  `json:"ecsClusterArn,omitempty"`
	Tags                       map[string]string       `json:"tags"`
	Type                       barge.CEType            `json:"type"`
	State                      barge.State             `json:"state"`
	Status                     barge.ResourceStatus    `json:"status"`
	StatusReason               string                  `json:"statusReason,omitempty"`
	ComputeResources           *barge.ComputeResource  `json:"computeResources,omitempty"`
	ServiceRole                string                  `json:"serviceRole,omitempty"`
	UpdatePolicy               *barge.UpdatePolicy     `json:"updatePolicy,omitempty"`
	ContainerOrchestrationType string                  `json:"containerOrchestrationType"`
	EksConfiguration           *barge.EksConfiguration `json:"eksConfiguration,omitempty"`
	UUID                       string                  `json:"uuid"`
	Context                    string                  `json:"context,omitempty"`
}

type jobQueueOutput struct {
	JobQueueName string `json:"jobQueueName"`
	JobQueueArn  string `json:"jobQueueArn"`
}

type describeJobQueuesOutput struct {
	JobQueues []jobQueueDetail `json:"jobQueues"`
	NextToken string           `json:"nextToken,omitempty"`
}

type jobQueueDetail struct {
	JobQueueName             string                          `json:"jobQueueName"`
	JobQueueArn              string                          `json:"jobQueueArn"`
	State                    barge.State                     `json:"state"`
	SchedulingPolicyArn      string                          `json:"schedulingPolicyArn,omitempty"`
	Status                   barge.ResourceStatus            `json:"status"`
	StatusReason             string                          `json:"statusReason,omitempty"`
	Priority                 int                             `json:"priority"`
	ComputeEnvironmentOrder  []barge.ComputeEnvironmentOrder `json:"computeEnvironmentOrder"`
	JobQueueType             string                          `json:"jobQueueType,omitempty"`
	Tags                     map[string]string               `json:"tags"`
	JobStateTimeLimitActions []barge.JobStateTimeLimitAction `json:"jobStateTimeLimitActions"`
}

type registerJobDefinitionOutput struct {
	JobDefinitionName string `json:"jobDefinitionName"`
	JobDefinitionArn  string `json:"jobDefinitionArn"`
	Revision          int    `json:"revision"`
}

type describeJobDefinitionsOutput struct {
	JobDefinitions []jobDefinitionDetail `json:"jobDefinitions"`
	NextToken      string                `json:"nextToken,omitempty"`
}

type jobDefinitionDetail struct {
	JobDefinitionName            string                     `json:"jobDefinitionName"`
	JobDefinitionArn             string                     `json:"jobDefinitionArn"`
	Revision                     int                        `json:"revision"`
	Status                       string                     `json:"status"`
	Type                         string                     `json:"type"`
	SchedulingPriority           *int                       `json:"schedulingPriority,omitempty"`
	Parameters                   map[string]string          `json:"parameters"`
	RetryStrategy                *barge.RetryStrategy       `json:"retryStrategy,omitempty"`
	ContainerProperties          *containerPropertiesDetail `json:"containerProperties,omitempty"`
	Timeout                      *barge.JobTimeout          `json:"timeout,omitempty"`
	NodeProperties               json.RawMessage            `json:"nodeProperties,omitempty"`
	Tags                         map[string]string          `json:"tags"`
	PropagateTags                *bool                      `json:"propagateTags,omitempty"`
	PlatformCapabilities         []string                   `json:"platformCapabilities,omitempty"`
	EcsProperties                json.RawMessage            `json:"ecsProperties,omitempty"`
	EksProperties                *barge.EksProperties       `json:"eksProperties,omitempty"`
	ContainerOrchestrationType   string                     `json:"containerOrchestrationType"`
	ConsumableResourceProperties json.RawMessage            `json:"consumableResourceProperties,omitempty"`
}

type submitJobOutput struct {
	JobArn  string `json:"jobArn"`
	JobName string `json:"jobName"`
	JobID   string `json:"jobId"`
}

type describeJobsOutput struct {
	Jobs []jobDetail `json:"jobs"`
}

// AppendJSON encodes the answer for awsproto.WriteJSON, its job details on
// every CPU.
func (o *describeJobsOutput) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"jobs":`...)
	b, err := awsproto.AppendJSONArray(b, o.Jobs)
	return append(b, '}'), err
}

// bargeCostDetail is barge's additive bargeCost member of a finished job in
// DescribeJobs: what its attempts cost priced as Fargate and as Fargate
// Spot, whichever capacity they ran on. AWS has no such member; the SDKs
// skip members they do not know.
type bargeCostDetail struct {
	FargateUSD       float64 `json:"fargateUsd"`
	FargateSpotUSD   float64 `json:"fargateSpotUsd"`
	VCPUSeconds      float64 `json:"vcpuSeconds"`
	GBSeconds        float64 `json:"gbSeconds"`
	StorageGBSeconds float64 `json:"storageGbSeconds,omitempty"`
	// Capacity is the type of the compute environment(s) the attempts ran
	// on (FARGATE, FARGATE_SPOT, EC2, SPOT), which says which of the two
	// prices applied; MIXED when attempts ran on different types, absent
	// when no attempt started or its compute environment is gone.
	Capacity string `json:"capacity,omitempty"`
}

type jobDetail struct {
	JobArn               string                 `json:"jobArn"`
	JobName              string                 `json:"jobName"`
	JobID                string                 `json:"jobId"`
	JobQueue             string                 `json:"jobQueue"`
	Status               barge.JobStatus        `json:"status"`
	ShareIdentifier      string                 `json:"shareIdentifier,omitempty"`
	SchedulingPriority   *int                   `json:"schedulingPriority,omitempty"`
	Attempts             []attemptDetail        `json:"attempts"`
	StatusReason         string                 `json:"statusReason,omitempty"`
	CreatedAt            int64                  `json:"createdAt"`
	RetryStrategy        *barge.RetryStrategy   `json:"retryStrategy,omitempty"`
	StartedAt            int64                  `json:"startedAt,omitempty"`
	StoppedAt            int64                  `json:"stoppedAt,omitempty"`
	DependsOn            []barge.JobDependency  `json:"dependsOn"`
	JobDefinition        string                 `json:"jobDefinition"`
	Parameters           map[string]string      `json:"parameters"`
	Container            *containerDetail       `json:"container,omitempty"`
	EksProperties        *eksPropertiesDetail   `json:"eksProperties,omitempty"`
	EksAttempts          *[]eksAttemptDetail    `json:"eksAttempts,omitempty"` // [] for an EKS job yet to end an attempt
	ArrayProperties      *arrayPropertiesDetail `json:"arrayProperties,omitempty"`
	Timeout              *barge.JobTimeout      `json:"timeout,omitempty"`
	Tags                 map[string]string      `json:"tags"`
	PropagateTags        *bool                  `json:"propagateTags,omitempty"`
	PlatformCapabilities []string               `json:"platformCapabilities"`
	IsCancelled          bool                   `json:"isCancelled"`
	IsTerminated         bool                   `json:"isTerminated"`
	BargeCost            *bargeCostDetail       `json:"bargeCost,omitempty"` // barge's own, finished jobs
}

// containerDetail is the job's resolved container plus the runtime fields of
// its current or last attempt.
type containerDetail struct {
	containerPropertiesDetail
	ExitCode          *int                     `json:"exitCode,omitempty"`
	Reason            string                   `json:"reason,omitempty"`
	TaskArn           string                   `json:"taskArn,omitempty"`
	LogStreamName     string                   `json:"logStreamName,omitempty"`
	NetworkInterfaces []barge.NetworkInterface `json:"networkInterfaces,omitempty"`
}

// eksPropertiesDetail is an EKS job's Pod as DescribeJobs shows it: the
// definition's with the submission's override applied, the containers'
// outcomes, and the Pod's name and node of the current or last attempt.
type eksPropertiesDetail struct {
	PodProperties eksPodPropertiesDetail `json:"podProperties"`
}

type eksPodPropertiesDetail struct {
	ServiceAccountName    string                     `json:"serviceAccountName,omitempty"`
	HostNetwork           *bool                      `json:"hostNetwork,omitempty"`
	DnsPolicy             string                     `json:"dnsPolicy,omitempty"`
	ImagePullSecrets      []barge.EksImagePullSecret `json:"imagePullSecrets,omitempty"`
	Containers            []eksContainerDetail       `json:"containers"`
	InitContainers        []eksContainerDetail       `json:"initContainers,omitempty"`
	Volumes               []barge.EksVolume          `json:"volumes,omitempty"`
	PodName               string                     `json:"podName,omitempty"`
	NodeName              string                     `json:"nodeName,omitempty"`
	Metadata              *barge.EksMetadata         `json:"metadata,omitempty"`
	ShareProcessNamespace *bool                      `json:"shareProcessNamespace,omitempty"`
}

type eksContainerDetail struct {
	barge.EksContainer
	ExitCode *int   `json:"exitCode,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

type eksAttemptDetail struct {
	Containers     []eksAttemptContainerDetail `json:"containers"`
	InitContainers []eksAttemptContainerDetail `json:"initContainers,omitempty"`
	EksClusterArn  string                      `json:"eksClusterArn,omitempty"`
	PodName        string                      `json:"podName,omitempty"`
	PodNamespace   string                      `json:"podNamespace,omitempty"`
	NodeName       string                      `json:"nodeName,omitempty"`
	StartedAt      int64                       `json:"startedAt,omitempty"`
	StoppedAt      int64                       `json:"stoppedAt,omitempty"`
	StatusReason   string                      `json:"statusReason,omitempty"`
}

type eksAttemptContainerDetail struct {
	Name        string `json:"name,omitempty"`
	ContainerID string `json:"containerID,omitempty"`
	ExitCode    *int   `json:"exitCode,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

type attemptDetail struct {
	Container    attemptContainerDetail `json:"container"`
	StartedAt    int64                  `json:"startedAt,omitempty"`
	StoppedAt    int64                  `json:"stoppedAt,omitempty"`
	StatusReason string                 `json:"statusReason,omitempty"`
}

type attemptContainerDetail struct {
	TaskArn           string                   `json:"taskArn,omitempty"`
	ExitCode          *int                     `json:"exitCode,omitempty"`
	Reason            string                   `json:"reason,omitempty"`
	LogStreamName     string                   `json:"logStreamName,omitempty"`
	NetworkInterfaces []barge.NetworkInterface `json:"networkInterfaces,omitempty"`
}

type arrayPropertiesDetail struct {
	StatusSummary              map[barge.JobStatus]int `json:"statusSummary,omitempty"`
	StatusSummaryLastUpdatedAt int64                   `json:"statusSummaryLastUpdatedAt,omitempty"`
	Size                       int                     `json:"size,omitempty"`
	Index                      *int                    `json:"index,omitempty"`
}

type listJobsOutput struct {
	JobSummaryList []jobSummary `json:"jobSummaryList"`
	NextToken      string       `json:"nextToken,omitempty"`
}

type jobSummary struct {
	JobArn          string                 `json:"jobArn"`
	JobID           string                 `json:"jobId"`
	JobName         string                 `json:"jobName"`
	CreatedAt       int64                  `json:"createdAt"`
	ShareIdentifier string                 `json:"shareIdentifier,omitempty"`
	Status          barge.JobStatus        `json:"status"`
	StatusReason    string                 `json:"statusReason,omitempty"`
	StartedAt       int64                  `json:"startedAt,omitempty"`
	StoppedAt       int64                  `json:"stoppedAt,omitempty"`
	Container       *containerSummary      `json:"container,omitempty"`
	ArrayProperties *arrayPropertiesDetail `json:"arrayProperties,omitempty"`
	JobDefinition   string                 `json:"jobDefinition,omitempty"`
}

type containerSummary struct {
	ExitCode *int   `json:"exitCode,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

type bulkJobActionOutput struct {
	Successful []string           `json:"successful"`
	Errors     []bulkJobActionErr `json:"errors"`
}

type bulkJobActionErr struct {
	Job     string `json:"job"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type createSchedulingPolicyOutput struct {
	Name string `json:"name"`
	Arn  string `json:"arn"`
}

type describeSchedulingPoliciesOutput struct {
	SchedulingPolicies []schedulingPolicyDetail `json:"schedulingPolicies"`
}

type schedulingPolicyDetail struct {
	Name             string                  `json:"name"`
	Arn              string                  `json:"arn"`
	FairsharePolicy  *barge.FairsharePolicy  `json:"fairsharePolicy,omitempty"`
	QuotaSharePolicy *barge.QuotaSharePolicy `json:"quotaSharePolicy,omitempty"`
	Tags             map[string]string       `json:"tags"`
}

type listSchedulingPoliciesOutput struct {
	SchedulingPolicies []schedulingPolicyListing `json:"schedulingPolicies"`
	NextToken          string                    `json:"nextToken,omitempty"`
}

type schedulingPolicyListing struct {
	Arn string `json:"arn"`
}

type tagsOutput struct {
	Tags map[string]string `json:"tags"`
}

type getJobQueueSnapshotOutput struct {
	FrontOfQueue     frontOfQueueDetail      `json:"frontOfQueue"`
	QueueUtilization *queueUtilizationDetail `json:"queueUtilization,omitempty"`
}

type queueUtilizationDetail struct {
	TotalCapacityUsage   []capacityUsage             `json:"totalCapacityUsage"`
	FairshareUtilization *fairshareUtilizationDetail `json:"fairshareUtilization,omitempty"`
	LastUpdatedAt        int64                       `json:"lastUpdatedAt"`
}

type capacityUsage struct {
	CapacityUnit string  `json:"capacityUnit"`
	Quantity     float64 `json:"quantity"`
}

type fairshareUtilizationDetail struct {
	ActiveShareCount       int                `json:"activeShareCount"`
	TopCapacityUtilization []shareUtilization `json:"topCapacityUtilization"`
}

type shareUtilization struct {
	ShareIdentifier string          `json:"shareIdentifier"`
	CapacityUsage   []capacityUsage `json:"capacityUsage"`
}

type frontOfQueueDetail struct {
	Jobs          []frontOfQueueJob `json:"jobs"`
	LastUpdatedAt int64             `json:"lastUpdatedAt"`
}

type frontOfQueueJob struct {
	JobArn                 string `json:"jobArn"`
	EarliestTimeAtPosition int64  `json:"earliestTimeAtPosition"`
}
