package console

import (
	"context"
	"errors"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
)

// Batch is the AWS Batch control plane (internal/control's Service), which
// the console calls directly: an action from the console meets the same
// validation, defaults and messages as the same call from the aws CLI.
type Batch interface {
	SubmitJob(ctx context.Context, in *control.SubmitJobInput) (*barge.Job, error)
	DescribeJobs(ctx context.Context, in *control.DescribeJobsInput) ([]control.JobDescription, error)
	CancelJob(ctx context.Context, in *control.JobActionInput) error
	TerminateJob(ctx context.Context, in *control.JobActionInput) error
	DescribeJobQueues(ctx context.Context, in *control.DescribeJobQueuesInput) (*control.Page[control.QueueDescription], error)
	UpdateJobQueue(ctx context.Context, in *control.UpdateJobQueueInput) (*barge.JobQueue, error)
	DescribeComputeEnvironments(ctx context.Context, in *control.DescribeComputeEnvironmentsInput) (*control.Page[*barge.ComputeEnvironment], error)
	UpdateComputeEnvironment(ctx context.Context, in *control.UpdateComputeEnvironmentInput) (*barge.ComputeEnvironment, error)
	DescribeJobDefinitions(ctx context.Context, in *control.DescribeJobDefinitionsInput) (*control.Page[*barge.JobDefinition], error)
}

// Wire gives what the console shows as the API would answer it, as JSON
// (internal/batch's encoders): the JSON panels show exactly what
// DescribeJobs, DescribeJobQueues, DescribeComputeEnvironments and
// DescribeJobDefinitions return.
type Wire interface {
	JobJSON(d *control.JobDescription) ([]byte, error)
	JobQueueJSON(q control.QueueDescription) ([]byte, error)
	ComputeEnvironmentJSON(ce *barge.ComputeEnvironment) ([]byte, error)
	JobDefinitionJSON(d *barge.JobDefinition) ([]byte, error)
}

// Backend is what the console reads beside the control plane: pages of
// jobs and logs from the store's indexed queries, capacity from the
// scheduler.
type Backend interface {
	// ListJobs returns a page of jobs by the store's indexed, cursor-paged
	// query (never a count or an offset).
	ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error)
	// Dependents returns the IDs of the jobs that depend on job id.
	Dependents(ctx context.Context, id string) ([]string, error)
	// LogEvents returns events of one log stream; barge.ErrNoLogGroup or
	// barge.ErrNoLogStream when either does not exist (yet).
	LogEvents(ctx context.Context, r barge.LogEventRange) ([]barge.LogEvent, error)
	// Used returns the vCPUs that running jobs hold on a compute environment.
	Used(ce string) float64
}

// Feed is the live view of jobs that internal/jobfeed keeps in memory.
type Feed interface {
	// Counts returns the top-level jobs of a queue by status (an array
	// job counts once, in its parent's status), as ListJobs lists them and
	// barge status counts them; false until known.
	Counts(queue string) (map[barge.JobStatus]int, bool)
	// FinishedPerMinute returns the top-level jobs of a queue that reached
	// SUCCEEDED or FAILED in each of the last 60 minutes, the current one
	// last: the jobs that leave Counts' unfinished statuses.
	FinishedPerMinute(queue string, now time.Time) [60]int
}

// DayCost is what a queue's finished jobs cost on one day (UTC).
type DayCost = barge.DayCost

// Costs gives cost totals per queue and day.
type Costs interface {
	Daily(ctx context.Context, queue string, days int) ([]DayCost, error)
}

// APIError is a refusal the console makes itself, worded as the API would.
type APIError struct {
	Code    string // the AWS error type, such as ClientException
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func asBarge(err error, target **barge.Error) bool { return errors.As(err, target) }
