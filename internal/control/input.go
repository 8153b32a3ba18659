package control

import (
	"encoding/json"

	"github.com/bargehq/barge"
)

// The inputs of the control plane's operations are AWS Batch's request
// shapes, with the model's member names exactly, as AWS's own value shapes
// are: the wire decodes a request into them, and the console fills them in.
// What the control plane answers is barge's own types.

// CreateComputeEnvironmentInput is the request of CreateComputeEnvironment.
type CreateComputeEnvironmentInput struct {
	ComputeEnvironmentName string                  `json:"computeEnvironmentName"`
	Type                   barge.CEType            `json:"type"`
	State                  barge.State             `json:"state"`
	UnmanagedvCpus         *int                    `json:"unmanagedvCpus"`
	ComputeResources       *barge.ComputeResource  `json:"computeResources"`
	ServiceRole            string                  `json:"serviceRole"`
	Tags                   map[string]string       `json:"tags"`
	EksConfiguration       *barge.EksConfiguration `json:"eksConfiguration"`
	Context                string                  `json:"context"`
}

// UpdateComputeEnvironmentInput is the request of UpdateComputeEnvironment.
type UpdateComputeEnvironmentInput struct {
	ComputeEnvironment string                       `json:"computeEnvironment"`
	State              barge.State                  `json:"state"`
	UnmanagedvCpus     *int                         `json:"unmanagedvCpus"`
	ComputeResources   *barge.ComputeResourceUpdate `json:"computeResources"`
	ServiceRole        string                       `json:"serviceRole"`
	UpdatePolicy       *barge.UpdatePolicy          `json:"updatePolicy"`
	Context            string                       `json:"context"`
}

// DeleteComputeEnvironmentInput is the request of DeleteComputeEnvironment.
type DeleteComputeEnvironmentInput struct {
	ComputeEnvironment string `json:"computeEnvironment"`
}

// DescribeComputeEnvironmentsInput is the request of DescribeComputeEnvironments.
type DescribeComputeEnvironmentsInput struct {
	ComputeEnvironments []string `json:"computeEnvironments"`
	MaxResults          *int     `json:"maxResults"`
	NextToken           string   `json:"nextToken"`
}

// CreateJobQueueInput is the request of CreateJobQueue.
type CreateJobQueueInput struct {
	JobQueueName             string                          `json:"jobQueueName"`
	State                    barge.State                     `json:"state"`
	SchedulingPolicyArn      string                          `json:"schedulingPolicyArn"`
	Priority                 *int                            `json:"priority"`
	ComputeEnvironmentOrder  []barge.ComputeEnvironmentOrder `json:"computeEnvironmentOrder"`
	ServiceEnvironmentOrder  json.RawMessage                 `json:"serviceEnvironmentOrder"`
	JobQueueType             string                          `json:"jobQueueType"`
	Tags                     map[string]string               `json:"tags"`
	JobStateTimeLimitActions []barge.JobStateTimeLimitAction `json:"jobStateTimeLimitActions"`
}

// UpdateJobQueueInput is the request of UpdateJobQueue.
type UpdateJobQueueInput struct {
	JobQueue                 string                          `json:"jobQueue"`
	State                    barge.State                     `json:"state"`
	SchedulingPolicyArn      string                          `json:"schedulingPolicyArn"`
	Priority                 *int                            `json:"priority"`
	ComputeEnvironmentOrder  []barge.ComputeEnvironmentOrder `json:"computeEnvironmentOrder"`
	ServiceEnvironmentOrder  json.RawMessage                 `json:"serviceEnvironmentOrder"`
	JobStateTimeLimitActions []barge.JobStateTimeLimitAction `json:"jobStateTimeLimitActions"`
}

// DeleteJobQueueInput is the request of DeleteJobQueue.
type DeleteJobQueueInput struct {
	JobQueue string `json:"jobQueue"`
}

// DescribeJobQueuesInput is the request of DescribeJobQueues.
type DescribeJobQueuesInput struct {
	JobQueues  []string `json:"jobQueues"`
	MaxResults *int     `json:"maxResults"`
	NextToken  string   `json:"nextToken"`
}

// RegisterJobDefinitionInput is the request of RegisterJobDefinition.
type RegisterJobDefinitionInput struct {
	JobDefinitionName            string                     `json:"jobDefinitionName"`
	Type                         string                     `json:"type"`
	Parameters                   map[string]string          `json:"parameters"`
	SchedulingPriority           *int                       `json:"schedulingPriority"`
	ContainerProperties          *barge.ContainerProperties `json:"containerProperties"`
	NodeProperties               json.RawMessage            `json:"nodeProperties"`
	RetryStrategy                *barge.RetryStrategy       `json:"retryStrategy"`
	PropagateTags                *bool                      `json:"propagateTags"`
	Timeout                      *barge.JobTimeout          `json:"timeout"`
	Tags                         map[string]string          `json:"tags"`
	PlatformCapabilities         []string                   `json:"platformCapabilities"`
	EksProperties                *barge.EksProperties       `json:"eksProperties"`
	EcsProperties                json.RawMessage            `json:"ecsProperties"`
	ConsumableResourceProperties json.RawMessage            `json:"consumableResourceProperties"`
}

// DeregisterJobDefinitionInput is the request of DeregisterJobDefinition.
type DeregisterJobDefinitionInput struct {
	JobDefinition string `json:"jobDefinition"`
}

// DescribeJobDefinitionsInput is the request of DescribeJobDefinitions.
type DescribeJobDefinitionsInput struct {
	JobDefinitions    []string `json:"jobDefinitions"`
	MaxResults        *int     `json:"maxResults"`
	JobDefinitionName string   `json:"jobDefinitionName"`
	Status            string   `json:"status"`
	NextToken         string   `json:"nextToken"`
}

// SubmitJobInput is the request of SubmitJob.
type SubmitJobInput struct {
	JobName                              string                       `json:"jobName"`
	JobQueue                             string                       `json:"jobQueue"`
	ShareIdentifier                      string                       `json:"shareIdentifier"`
	SchedulingPriorityOverride           *int                         `json:"schedulingPriorityOverride"`
	ArrayProperties                      *ArrayProperties             `json:"ArrayProperties"`
	DependsOn                            []barge.JobDependency        `json:"dependsOn"`
	JobDefinition                        string                       `json:"jobDefinition"`
	Parameters                           map[string]string            `json:"parameters"`
	ContainerOverrides                   *barge.ContainerOverrides    `json:"containerOverrides"`
	NodeOverrides                        json.RawMessage              `json:"nodeOverrides"`
	RetryStrategy                        *barge.RetryStrategy         `json:"retryStrategy"`
	PropagateTags                        *bool                        `json:"propagateTags"`
	Timeout                              *barge.JobTimeout            `json:"timeout"`
	Tags                                 map[string]string            `json:"tags"`
	EksPropertiesOverride                *barge.EksPropertiesOverride `json:"eksPropertiesOverride"`
	EcsPropertiesOverride                json.RawMessage              `json:"ecsPropertiesOverride"`
	ConsumableResourcePropertiesOverride json.RawMessage              `json:"consumableResourcePropertiesOverride"`
}

// ArrayProperties is SubmitJob's arrayProperties.
type ArrayProperties struct {
	Size *int `json:"size"`
}

// DescribeJobsInput is the request of DescribeJobs.
type DescribeJobsInput struct {
	Jobs []string `json:"jobs"`
}

// ListJobsInput is the request of ListJobs.
type ListJobsInput struct {
	JobQueue       string          `json:"jobQueue"`
	ArrayJobID     string          `json:"arrayJobId"`
	MultiNodeJobID string          `json:"multiNodeJobId"`
	JobStatus      barge.JobStatus `json:"jobStatus"`
	MaxResults     *int            `json:"maxResults"`
	NextToken      string          `json:"nextToken"`
	Filters        []KeyValuesPair `json:"filters"`
}

// KeyValuesPair is one ListJobs filter.
type KeyValuesPair struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// JobActionInput is the request of CancelJob and TerminateJob.
type JobActionInput struct {
	JobID  string `json:"jobId"`
	Reason string `json:"reason"`
}

// BulkJobActionInput is the request of CancelJobs and TerminateJobs.
type BulkJobActionInput struct {
	Jobs   []string `json:"jobs"`
	Reason string   `json:"reason"`
}

// CreateSchedulingPolicyInput is the request of CreateSchedulingPolicy.
type CreateSchedulingPolicyInput struct {
	Name             string                  `json:"name"`
	FairsharePolicy  *barge.FairsharePolicy  `json:"fairsharePolicy"`
	QuotaSharePolicy *barge.QuotaSharePolicy `json:"quotaSharePolicy"`
	Tags             map[string]string       `json:"tags"`
}

// UpdateSchedulingPolicyInput is the request of UpdateSchedulingPolicy.
type UpdateSchedulingPolicyInput struct {
	Arn              string                  `json:"arn"`
	FairsharePolicy  *barge.FairsharePolicy  `json:"fairsharePolicy"`
	QuotaSharePolicy *barge.QuotaSharePolicy `json:"quotaSharePolicy"`
}

// DeleteSchedulingPolicyInput is the request of DeleteSchedulingPolicy.
type DeleteSchedulingPolicyInput struct {
	Arn string `json:"arn"`
}

// DescribeSchedulingPoliciesInput is the request of DescribeSchedulingPolicies.
type DescribeSchedulingPoliciesInput struct {
	Arns []string `json:"arns"`
}

// ListSchedulingPoliciesInput is the request of ListSchedulingPolicies.
type ListSchedulingPoliciesInput struct {
	MaxResults *int   `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

// TagResourceInput is the request of TagResource.
type TagResourceInput struct {
	ResourceArn string            `json:"-"`
	Tags        map[string]string `json:"tags"`
}

// UntagResourceInput is the request of UntagResource.
type UntagResourceInput struct {
	ResourceArn string   `json:"-"`
	TagKeys     []string `json:"-"`
}

// ListTagsInput is the request of ListTagsForResource.
type ListTagsInput struct {
	ResourceArn string `json:"-"`
}

// GetJobQueueSnapshotInput is the request of GetJobQueueSnapshot.
type GetJobQueueSnapshotInput struct {
	JobQueue string `json:"jobQueue"`
}
