package console

import (
	"context"
	"errors"
	"time"

	"github.com/bargehq/barge"
)

// Backend is what the console reads and changes. cmd/barge implements it
// over the real services: Call goes through the AWS Batch API's own handler,
// so an action from the console is validated and answered exactly as the
// same call from the aws CLI would be.
type Backend interface {
	// Call runs one AWS Batch operation (its restJson1 name, such as
	// "DescribeJobs") with in as the request body, decoding the answer into
	// out. A refusal is an *APIError.
	Call(ctx context.Context, op string, in, out any) error
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
	// Counts returns the jobs of a queue by status; false until known.
	Counts(queue string) (map[barge.JobStatus]int, bool)
	// FinishedPerMinute returns the jobs of a queue that reached SUCCEEDED
	// or FAILED in each of the last 60 minutes, the current one last.
	FinishedPerMinute(queue string, now time.Time) [60]int
}

// DayCost is what a queue's finished jobs cost on one day (UTC).
type DayCost = barge.DayCost

// Costs gives cost totals per queue and day.
type Costs interface {
	Daily(ctx context.Context, queue string, days int) ([]DayCost, error)
}

// APIError is a refusal of the Batch API, as a client sees it.
type APIError struct {
	Code    string // the AWS error type, such as ClientException
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func asBarge(err error, target **barge.Error) bool { return errors.As(err, target) }
