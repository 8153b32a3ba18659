package control

import (
	"context"

	"github.com/bargehq/barge"
)

// maxBulkJobs is the most job IDs CancelJobs and TerminateJobs take.
const maxBulkJobs = 50

// CancelJob fails a job that has not started (SUBMITTED, PENDING, RUNNABLE)
// with the caller's reason, a PENDING one once its dependencies have ended;
// a started job is left alone, as on AWS (see stopJob). A job that does
// not exist is no error: AWS Batch answers 200 with {} for it.
func (s *Service) CancelJob(ctx context.Context, in *JobActionInput) error {
	if err := checkStopInput(in.JobID, in.Reason); err != nil {
		return err
	}
	return unknownIsDone(s.jobs.Cancel(ctx, in.JobID, in.Reason))
}

// TerminateJob fails a STARTING or RUNNING job with the caller's reason and
// stops its task; a job that has not started is cancelled as by CancelJob.
// A job that does not exist is no error, as on AWS.
func (s *Service) TerminateJob(ctx context.Context, in *JobActionInput) error {
	if err := checkStopInput(in.JobID, in.Reason); err != nil {
		return err
	}
	return unknownIsDone(s.jobs.Terminate(ctx, in.JobID, in.Reason))
}

// unknownIsDone drops err if it says the job does not exist: AWS Batch's
// CancelJob and TerminateJob answer 200 with {} for a job ID it does not
// know (aws/aws-cli#2551), and CancelJobs and TerminateJobs count such IDs
// as successful.
func unknownIsDone(err error) error {
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return nil
	}
	return err
}

// CancelJobs cancels up to 50 jobs; each outcome is reported, and unknown IDs
// count as successful.
func (s *Service) CancelJobs(ctx context.Context, in *BulkJobActionInput) (*BulkResult, error) {
	return s.stopJobs(ctx, in, false)
}

// TerminateJobs terminates up to 50 jobs, reporting each outcome.
func (s *Service) TerminateJobs(ctx context.Context, in *BulkJobActionInput) (*BulkResult, error) {
	return s.stopJobs(ctx, in, true)
}

// BulkResult is the outcome of CancelJobs or TerminateJobs: the jobs
// stopped (or unknown), and those refused, with why.
type BulkResult struct {
	Successful []string
	Failed     []JobError
}

// JobError is why a job of a bulk request was refused: a barge.Error of a
// client-side code.
type JobError struct {
	JobID string
	Err   error
}

func (s *Service) stopJobs(ctx context.Context, in *BulkJobActionInput, terminate bool) (*BulkResult, error) {
	if len(in.Jobs) == 0 || len(in.Jobs) > maxBulkJobs {
		return nil, barge.Errorf(barge.EInvalid, "jobs must list 1 to %d job IDs; got %d.", maxBulkJobs, len(in.Jobs))
	}
	if err := checkStopInput(in.Jobs[0], in.Reason); err != nil {
		return nil, err
	}
	out := &BulkResult{Successful: []string{}}
	for _, id := range in.Jobs {
		stop := s.jobs.Cancel
		if terminate {
			stop = s.jobs.Terminate
		}
		if err := unknownIsDone(stop(ctx, id, in.Reason)); err != nil {
			if barge.ErrorCodeOf(err) == barge.EInternal {
				return nil, err
			}
			out.Failed = append(out.Failed, JobError{JobID: id, Err: err})
			continue
		}
		out.Successful = append(out.Successful, id)
	}
	return out, nil
}

func checkStopInput(id, reason string) error {
	if err := required("jobId", id); err != nil {
		return err
	}
	if err := required("reason", reason); err != nil {
		return err
	}
	if len(reason) > 1024 {
		return barge.Errorf(barge.EInvalid, "reason is %d characters long; the limit is 1024.", len(reason))
	}
	return nil
}
