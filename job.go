package barge

import "strconv"

// JobStatus is where a job is in its lifecycle.
type JobStatus string

// The job statuses, in lifecycle order.
const (
	JobSubmitted JobStatus = "SUBMITTED"
	JobPending   JobStatus = "PENDING"
	JobRunnable  JobStatus = "RUNNABLE"
	JobStarting  JobStatus = "STARTING"
	JobRunning   JobStatus = "RUNNING"
	JobSucceeded JobStatus = "SUCCEEDED"
	JobFailed    JobStatus = "FAILED"
)

// JobStatuses lists every job status in lifecycle order.
var JobStatuses = []JobStatus{JobSubmitted, JobPending, JobRunnable, JobStarting, JobRunning, JobSucceeded, JobFailed}

// Valid reports whether s is one of the job statuses.
func (s JobStatus) Valid() bool {
	for _, v := range JobStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// Done reports whether s is terminal.
func (s JobStatus) Done() bool { return s == JobSucceeded || s == JobFailed }

// Started reports whether a job in status s has been placed on capacity.
func (s JobStatus) Started() bool { return s == JobStarting || s == JobRunning }

// CanMove reports whether a job may go from status s to status to, following
// AWS Batch's lifecycle: SUBMITTED → PENDING → RUNNABLE → STARTING → RUNNING
// → SUCCEEDED | FAILED, with a failed attempt going back to RUNNABLE, and
// any unfinished job able to fail. An array parent goes from PENDING to
// SUCCEEDED or FAILED as its children end. A write that keeps the status
// (tags, a cancel request, an attempt of a job failed already) moves
// nowhere and is allowed; a finished job moves nowhere else.
func (s JobStatus) CanMove(to JobStatus) bool {
	if s == to {
		return true
	}
	if s.Done() {
		return false
	}
	switch to {
	case JobFailed:
		return true
	case JobPending:
		return s == JobSubmitted
	case JobRunnable:
		return s == JobSubmitted || s == JobPending || s == JobStarting || s == JobRunning
	case JobStarting:
		return s == JobRunnable
	case JobRunning:
		return s == JobStarting
	case JobSucceeded:
		return s == JobRunning || s == JobPending // an array parent succeeds from PENDING
	}
	return false
}

// Dependency types.
const (
	DependencyNToN       = "N_TO_N"
	DependencySequential = "SEQUENTIAL"
)

// JobDependency is one entry of a job's dependsOn.
type JobDependency struct {
	JobID string `json:"jobId,omitempty"`
	Type  string `json:"type,omitempty"`
}

// Job is a unit of work submitted to a queue. An array job is a parent whose
// children are jobs of their own with IDs "<parent>:<index>"; a child stores
// only what differs from its parent (ArrayIndex, status and runtime state)
// and takes its specification from the parent.
type Job struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	Queue        string            `json:"queue"` // queue name
	Status       JobStatus         `json:"status"`
	StatusReason string            `json:"statusReason,omitempty"`
	CreatedAt    int64             `json:"createdAt"`
	StartedAt    int64             `json:"startedAt,omitempty"`
	StoppedAt    int64             `json:"stoppedAt,omitempty"`
	IsCancelled  bool              `json:"isCancelled,omitempty"`
	IsTerminated bool              `json:"isTerminated,omitempty"`
	ArrayParent  string            `json:"arrayParent,omitempty"` // set on array children
	ArrayIndex   int               `json:"arrayIndex,omitempty"`
	Attempts     []Attempt         `json:"attempts,omitempty"`
	Runtime      *ContainerRuntime `json:"runtime,omitempty"` // the current or last attempt

	// Spec is the job's immutable specification; nil on array children.
	Spec *JobSpec `json:"spec,omitempty"`

	// Seq orders jobs by submission; the store assigns it.
	Seq int64 `json:"-"`
	// WaitsFor lists the jobs this one must wait for, as given when it is
	// inserted; the store keeps them as dependency edges, not in the job.
	WaitsFor []string `json:"-"`
}

// JobSpec is what SubmitJob fixed about a job: the job definition with the
// submit-time overrides applied.
type JobSpec struct {
	JobDefinitionArn   string               `json:"jobDefinitionArn"`
	JobDefinitionName  string               `json:"jobDefinitionName"`
	ShareIdentifier    string               `json:"shareIdentifier,omitempty"`
	SchedulingPriority *int                 `json:"schedulingPriority,omitempty"`
	Parameters         map[string]string    `json:"parameters,omitempty"`
	Container          *ContainerProperties `json:"container,omitempty"`
	// EksProperties is an EKS job's Pod: the definition's with the
	// submission's eksPropertiesOverride applied. An EKS job has no
	// Container.
	EksProperties        *EksPodProperties `json:"eksProperties,omitempty"`
	RetryStrategy        *RetryStrategy    `json:"retryStrategy,omitempty"`
	Timeout              *JobTimeout       `json:"timeout,omitempty"`
	DependsOn            []JobDependency   `json:"dependsOn,omitempty"`
	Tags                 map[string]string `json:"tags,omitempty"` // the job's own
	PropagateTags        *bool             `json:"propagateTags,omitempty"`
	PlatformCapabilities []string          `json:"platformCapabilities,omitempty"`
	ArraySize            int               `json:"arraySize,omitempty"`

	// DefinitionTags are the job definition's tags at submission, kept
	// only while propagateTags is in effect. They are not the job's: they
	// go to its tasks along with Tags (TaskTags).
	DefinitionTags map[string]string `json:"definitionTags,omitempty"`
}

// Attempt records one finished attempt of a job.
type Attempt struct {
	Container    ContainerRuntime `json:"container"`
	StartedAt    int64            `json:"startedAt,omitempty"`
	StoppedAt    int64            `json:"stoppedAt,omitempty"`
	StatusReason string           `json:"statusReason,omitempty"`
}

// ContainerRuntime is what an attempt's container reported.
type ContainerRuntime struct {
	// ComputeEnvironment is the name of the compute environment the attempt
	// was placed on; barge's own, never on the wire.
	ComputeEnvironment string             `json:"computeEnvironment,omitempty"`
	TaskArn            string             `json:"taskArn,omitempty"`
	ExitCode           *int               `json:"exitCode,omitempty"`
	Reason             string             `json:"reason,omitempty"`
	LogStreamName      string             `json:"logStreamName,omitempty"`
	NetworkInterfaces  []NetworkInterface `json:"networkInterfaces,omitempty"`
	// Pod is an EKS job's Pod: its name, node and containers' outcomes.
	Pod *PodRuntime `json:"pod,omitempty"`
}

// NetworkInterface is an attempt's network interface.
type NetworkInterface struct {
	AttachmentID       string `json:"attachmentId,omitempty"`
	Ipv6Address        string `json:"ipv6Address,omitempty"`
	PrivateIpv4Address string `json:"privateIpv4Address,omitempty"`
}

// IsEKS reports whether the job runs as a Pod on Amazon EKS.
func (s *JobSpec) IsEKS() bool { return s != nil && s.EksProperties != nil }

// IsArrayParent reports whether j is the parent of an array job.
func (j *Job) IsArrayParent() bool { return j.Spec != nil && j.Spec.ArraySize > 0 }

// ChildID returns the ID of child index of array job parent.
func ChildID(parent string, index int) string {
	return parent + ":" + strconv.Itoa(index)
}

// ReasonDependentFailed is the statusReason of a job that failed because a
// job it depended on failed.
const ReasonDependentFailed = "Dependent Job failed"
