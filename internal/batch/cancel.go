package batch

import (
	"context"

	"github.com/bargehq/barge"
)

// maxBulkJobs is the most job IDs CancelJobs and TerminateJobs take.
const maxBulkJobs = 50

// CancelJob fails a job that has not started (SUBMITTED, PENDING, RUNNABLE)
// with the caller's reason; a started job is left alone, as on AWS.
func (s *Service) CancelJob(ctx context.Context, in *jobActionInput) (*empty, error) {
	if err := checkStopInput(in.JobID, in.Reason); err != nil {
		return nil, err
	}
	return &empty{}, s.stopJob(ctx, in.JobID, in.Reason, false, true)
}

// TerminateJob fails any unfinished job with the caller's reason, stopping
// it if it runs.
func (s *Service) TerminateJob(ctx context.Context, in *jobActionInput) (*empty, error) {
	if err := checkStopInput(in.JobID, in.Reason); err != nil {
		return nil, err
	}
	return &empty{}, s.stopJob(ctx, in.JobID, in.Reason, true, true)
}

// CancelJobs cancels up to 50 jobs; each outcome is reported, and unknown IDs
// count as successful.
func (s *Service) CancelJobs(ctx context.Context, in *bulkJobActionInput) (*bulkJobActionOutput, error) {
	return s.stopJobs(ctx, in, false)
}

// TerminateJobs terminates up to 50 jobs, reporting each outcome.
func (s *Service) TerminateJobs(ctx context.Context, in *bulkJobActionInput) (*bulkJobActionOutput, error) {
	return s.stopJobs(ctx, in, true)
}

func (s *Service) stopJobs(ctx context.Context, in *bulkJobActionInput, terminate bool) (*bulkJobActionOutput, error) {
	if len(in.Jobs) == 0 || len(in.Jobs) > maxBulkJobs {
		return nil, barge.Errorf(barge.EInvalid, "jobs must list 1 to %d job IDs; got %d.", maxBulkJobs, len(in.Jobs))
	}
	if err := checkStopInput(in.Jobs[0], in.Reason); err != nil {
		return nil, err
	}
	out := &bulkJobActionOutput{Successful: []string{}, Errors: []bulkJobActionErr{}}
	for _, id := range in.Jobs {
		if err := s.stopJob(ctx, id, in.Reason, terminate, false); err != nil {
			if barge.ErrorCodeOf(err) == barge.EInternal {
				return nil, err
			}
			out.Errors = append(out.Errors, bulkJobActionErr{Job: id, Code: "ClientException", Message: barge.ErrorMessage(err)})
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

// stopJob cancels (terminate=false) or terminates one job. An array parent
// passes the request on to its children and fails once they are all done.
// Each write is conditional on the status read; on a conflict the job is
// read again.
func (s *Service) stopJob(ctx context.Context, id, reason string, terminate, mustExist bool) error {
	for try := 0; ; try++ {
		found, err := s.store.GetJobs(ctx, []string{id})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			if mustExist {
				return barge.Errorf(barge.ENotFound, "Job %s does not exist. Check the job ID; jobs are kept at least 7 days after they finish.", id)
			}
			return nil
		}
		j := found[0]
		if j.Status.Done() {
			return nil
		}
		if j.IsArrayParent() {
			err := s.stopArray(ctx, j, reason, terminate)
			if barge.ErrorCodeOf(err) == barge.EConflict && try < 10 {
				continue // the parent changed meanwhile: read it again
			}
			return err
		}
		if j.Status.Started() && !terminate {
			return nil
		}
		from := j.Status
		s.fail(j, reason, terminate)
		err = s.store.UpdateJob(ctx, j, from)
		if barge.ErrorCodeOf(err) == barge.EConflict && try < 10 {
			continue
		}
		if err != nil {
			return err
		}
		if from.Started() {
			s.stopTask(ctx, j.ID)
		}
		return s.flow.Finished(ctx, j)
	}
}

// fail marks j FAILED by a cancel or terminate request.
func (s *Service) fail(j *barge.Job, reason string, terminate bool) {
	j.Status = barge.JobFailed
	j.StatusReason = reason
	j.StoppedAt = s.nowMillis()
	if terminate {
		j.IsTerminated = true
	} else {
		j.IsCancelled = true
	}
}

// stopArray cancels or terminates every unfinished child of parent, in
// batches of conditional writes, then settles the parent.
func (s *Service) stopArray(ctx context.Context, parent *barge.Job, reason string, terminate bool) error {
	// The parent carries the request first, so that when its children's
	// ends finish it, it fails with the caller's reason.
	from := parent.Status
	if terminate {
		parent.IsTerminated = true
	} else {
		parent.IsCancelled = true
	}
	parent.StatusReason = reason
	if err := s.store.UpdateJob(ctx, parent, from); err != nil {
		return err // a conflict: the parent finished meanwhile
	}
	statuses := []barge.JobStatus{barge.JobSubmitted, barge.JobPending, barge.JobRunnable}
	if terminate {
		statuses = append(statuses, barge.JobStarting, barge.JobRunning)
	}
	for _, st := range statuses {
		var cursor int64
		for {
			children, err := s.store.ListJobs(ctx, barge.JobQuery{ArrayParent: parent.ID, Status: st, Oldest: true, Cursor: cursor, Limit: 1000})
			if err != nil {
				return err
			}
			if len(children) == 0 {
				break
			}
			updates := make([]barge.JobUpdate, len(children))
			for i, c := range children {
				s.fail(c, reason, terminate)
				updates[i] = barge.JobUpdate{Job: c, From: st}
			}
			conflicts, err := s.store.UpdateJobs(ctx, updates)
			if err != nil {
				return err
			}
			skip := make(map[string]bool, len(conflicts))
			for _, id := range conflicts {
				skip[id] = true
			}
			var failed []*barge.Job
			for _, c := range children {
				if skip[c.ID] {
					continue
				}
				failed = append(failed, c)
				if st.Started() {
					s.stopTask(ctx, c.ID)
				}
			}
			if err := s.flow.Finished(ctx, failed...); err != nil {
				return err
			}
			cursor = children[len(children)-1].Seq
		}
	}
	// The children's ends settled the parent already, unless it had none
	// left to fail.
	return s.flow.Settle(ctx, parent.ID)
}
