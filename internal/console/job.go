package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
)

// maxGrid is the most array children the job page draws: AWS's largest
// array, so every child of any array fits.
const maxGrid = 10_000

// defaultLogGroup is where Batch jobs log unless their definition names
// another group.
const defaultLogGroup = "/aws/batch/job"

type jobData struct {
	Job        jobView
	Dependents []string
	Children   []*barge.Job
	Finished   bool
	Attempts   []attemptView
	LogAttempt int  // the attempt whose log the page shows, from 1; 0 when none has started
	LogChosen  bool // the page was asked for that attempt's log (?attempt=)
	LogGroup   string
	LogStream  string
	Summary    []statusCount
}

// attemptView is one attempt on the job page, numbered from 1 as
// AWS_BATCH_JOB_ATTEMPT and barge jobs describe number them. The attempt
// under way, which DescribeJobs does not list yet, comes last, as Current.
type attemptView struct {
	N       int
	Current bool
	barge.Attempt
}

// jobView is a job as the job page shows it: as DescribeJobs describes it,
// with its ARN and its DescribeJobs JSON.
type jobView struct {
	*barge.Job
	Spec         *barge.JobSpec
	StatusReason string // the job's, or why a RUNNABLE job waits
	Summary      map[barge.JobStatus]int
	Arn          string
	Raw          json.RawMessage
}

// DependsOn is what the job depends on; an array child shows none, as in
// DescribeJobs.
func (j jobView) DependsOn() []barge.JobDependency {
	if j.ArrayParent != "" {
		return nil
	}
	return j.Spec.DependsOn
}

// containerView is the job's container and how its last attempt's ended.
type containerView struct {
	Image    string
	Command  []string
	VCPU     string // as the job runs with it, overrides applied
	Memory   string // MiB
	ExitCode *int
	Reason   string
}

// Container returns the job's container, nil when it has none.
func (j jobView) Container() *containerView {
	c := j.Spec.Container
	if c == nil {
		return nil
	}
	v := &containerView{Image: c.Image, Command: c.Command, VCPU: c.Requirement(barge.ResourceVCPU), Memory: c.Requirement(barge.ResourceMemory)}
	if v.VCPU == "" && c.Vcpus != nil {
		v.VCPU = strconv.Itoa(*c.Vcpus)
	}
	if v.Memory == "" && c.Memory != nil {
		v.Memory = strconv.Itoa(*c.Memory)
	}
	if r := j.Runtime; r != nil {
		v.ExitCode, v.Reason = r.ExitCode, r.Reason
	}
	return v
}

func (c *Console) describeJob(r *http.Request, id string) (jobView, bool, error) {
	descs, err := c.cfg.Batch.DescribeJobs(r.Context(), &control.DescribeJobsInput{Jobs: []string{id}})
	if err != nil || len(descs) == 0 {
		return jobView{}, false, err
	}
	d := &descs[0]
	raw, err := c.cfg.Wire.JobJSON(d)
	if err != nil {
		return jobView{}, false, err
	}
	return jobView{Job: d.Job, Spec: d.Spec, StatusReason: d.StatusReason, Summary: d.StatusSummary,
		Arn: c.cfg.Scope.ARN(barge.KindJob, d.Job.ID), Raw: raw}, true, nil
}

func finished(status barge.JobStatus) bool { return status.Done() }

// attempts returns the job's attempts, numbered from 1: the finished ones
// DescribeJobs lists, then the one under way.
func attempts(j jobView) []attemptView {
	out := make([]attemptView, 0, len(j.Attempts)+1)
	for i, a := range j.Attempts {
		out = append(out, attemptView{N: i + 1, Attempt: a})
	}
	if r := j.Runtime; r != nil && j.Status.Started() {
		out = append(out, attemptView{N: len(out) + 1, Current: true, Attempt: barge.Attempt{Container: *r, StartedAt: j.StartedAt}})
	}
	return out
}

// logPlace returns the log group of the job and the stream of its attempt
// n (from 1), or of its current or last attempt when n is 0. The stream
// is "" when that attempt has none (yet); n is the attempt it chose.
func logPlace(j jobView, n int) (group, stream string, attempt int, err error) {
	group = defaultLogGroup
	if j.Spec.Container == nil {
		if n != 0 {
			return "", "", 0, &APIError{Code: "ClientException", Message: "Job " + j.ID + " has no container and no log."}
		}
		return group, "", 0, nil
	}
	if lc := j.Spec.Container.LogConfiguration; lc != nil && lc.Options["awslogs-group"] != "" {
		group = lc.Options["awslogs-group"]
	}
	as := attempts(j)
	switch {
	case n == 0 && len(as) == 0 && j.Runtime != nil:
		// A runtime but no attempt recorded (not started, or ended
		// before one was): the stream it names, if any.
		return group, j.Runtime.LogStreamName, 1, nil
	case n == 0 && len(as) == 0:
		return group, "", 0, nil
	case n == 0:
		n = len(as)
	case n < 1 || n > len(as):
		return "", "", 0, &APIError{Code: "ClientException", Message: fmt.Sprintf("Job %s has no attempt %d: its attempts are numbered 1 to %d.", j.ID, n, len(as))}
	}
	return group, as[n-1].Container.LogStreamName, n, nil
}

// attemptParam reads the attempt query parameter: 0 when absent.
func attemptParam(r *http.Request) (int, error) {
	s := r.URL.Query().Get("attempt")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, &APIError{Code: "ClientException", Message: "attempt must be a number from 1, got " + strconv.Quote(s) + "."}
	}
	return n, nil
}

func (c *Console) job(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	j, ok, err := c.describeJob(r, id)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if !ok {
		c.render(w, r, s, "error", http.StatusNotFound, "There is no job "+id+".")
		return
	}
	d := jobData{Job: j, Finished: finished(j.Status), Attempts: attempts(j)}
	n, err := attemptParam(r)
	d.LogChosen = n != 0
	if err == nil {
		d.LogGroup, d.LogStream, d.LogAttempt, err = logPlace(j, n)
	}
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if d.Dependents, err = c.cfg.Backend.Dependents(r.Context(), j.ID); err != nil {
		c.fail(w, r, s, err)
		return
	}
	if j.IsArrayParent() {
		// One indexed read of the children in index order.
		d.Children, err = c.cfg.Backend.ListJobs(r.Context(), barge.JobQuery{ArrayParent: j.ID, Oldest: true, Summary: true, Limit: maxGrid})
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		for _, st := range barge.JobStatuses {
			d.Summary = append(d.Summary, statusCount{string(st), j.Summary[st]})
		}
	}
	c.render(w, r, s, "job", http.StatusOK, d)
}

// logPage is what the job page's script polls: the events after a position,
// the job's status and where to ask from next.
type logPage struct {
	Status string     `json:"status"`
	Reason string     `json:"statusReason,omitempty"`
	Events []logEvent `json:"events"`
	Next   string     `json:"next"`
	Done   bool       `json:"done"` // the job has finished and every event is read
	// Attempt is the attempt (from 1) whose events these are; 0 before the
	// first starts.
	Attempt int `json:"attempt"`
}

type logEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// logBatch is the most events one poll returns.
const logBatch = 1000

func (c *Console) jobLog(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	j, ok, err := c.describeJob(r, id)
	if err != nil || !ok {
		http.Error(w, "There is no job "+id+".", http.StatusNotFound)
		return
	}
	after, err := parsePos(r.URL.Query().Get("after"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n, err := attemptParam(r)
	var group, stream string
	var attempt int
	if err == nil {
		group, stream, attempt, err = logPlace(j, n)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	page := logPage{Status: string(j.Status), Reason: j.StatusReason, Events: []logEvent{}, Next: formatPos(after), Attempt: attempt}
	if stream != "" {
		evs, err := c.cfg.Backend.LogEvents(r.Context(), barge.LogEventRange{Group: group, Stream: stream, After: after, Before: barge.LogPosMax, Limit: logBatch})
		switch {
		case errors.Is(err, barge.ErrNoLogGroup), errors.Is(err, barge.ErrNoLogStream):
		case err != nil:
			c.log.Error("console: reading a job's log", "job_id", id, "error", err)
			http.Error(w, "The log could not be read.", http.StatusInternalServerError)
			return
		}
		for _, e := range evs {
			page.Events = append(page.Events, logEvent{e.Timestamp, e.Message})
			page.Next = formatPos(e.Pos())
		}
		// An earlier attempt's stream is complete: it ends when read.
		page.Done = (finished(j.Status) || n != 0 && n <= len(j.Attempts)) && len(evs) < logBatch
	} else {
		page.Done = finished(j.Status)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(page)
}

// A log position travels as "timestamp.seq".
func formatPos(p barge.LogPos) string {
	return strconv.FormatInt(p.Timestamp, 10) + "." + strconv.FormatInt(p.Seq, 10)
}

func parsePos(s string) (barge.LogPos, error) {
	if s == "" {
		return barge.LogPos{Timestamp: -1 << 62}, nil
	}
	ts, seq, ok := strings.Cut(s, ".")
	t, err1 := strconv.ParseInt(ts, 10, 64)
	n, err2 := strconv.ParseInt(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return barge.LogPos{}, errors.New("after must be a position the log endpoint returned")
	}
	return barge.LogPos{Timestamp: t, Seq: n}, nil
}

func (c *Console) cancelJob(w http.ResponseWriter, r *http.Request, s *session) {
	c.stopJob(w, r, s, c.cfg.Batch.CancelJob, "cancelled", "Cancelled from the barge console")
}

func (c *Console) terminateJob(w http.ResponseWriter, r *http.Request, s *session) {
	c.stopJob(w, r, s, c.cfg.Batch.TerminateJob, "terminated", "Terminated from the barge console")
}

func (c *Console) stopJob(w http.ResponseWriter, r *http.Request, s *session, stop func(context.Context, *control.JobActionInput) error, verb, reason string) {
	id := r.PathValue("id")
	if given := strings.TrimSpace(r.PostFormValue("reason")); given != "" {
		reason = given
	}
	if err := stop(r.Context(), &control.JobActionInput{JobID: id, Reason: reason}); err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/jobs/"+url.PathEscape(id)+"?flash="+url.QueryEscape("Job "+verb+"."), http.StatusSeeOther)
}
