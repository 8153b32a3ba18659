package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// allStatuses are the job statuses in the order a job goes through them.
var allStatuses = []types.JobStatus{
	types.JobStatusSubmitted, types.JobStatusPending, types.JobStatusRunnable, types.JobStatusStarting,
	types.JobStatusRunning, types.JobStatusSucceeded, types.JobStatusFailed,
}

// listedJob is one job of barge jobs ls: its summary as the SDK reads it
// and as the server sent it.
type listedJob struct {
	queue   string
	summary types.JobSummary
	raw     json.RawMessage
}

// jobsList lists jobs of one queue or all, of one status or all, newest
// first. ListJobs answers by one status or by one filter, so it makes one
// call (or more, paging) per queue and status and merges.
func (c *command) jobsList(ctx context.Context, args []string) error {
	fs := c.flags()
	queue := fs.String("queue", "", "the job queue (default: every queue)")
	status := fs.String("status", "", "one status: SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED or FAILED (default: all)")
	name := fs.String("name", "", "jobs whose name starts with PREFIX")
	array := fs.String("array", "", "the children of this array job")
	limit := fs.Int("limit", 100, "show at most this many jobs, the newest")
	// The aws CLI's names for the same (aws batch list-jobs).
	fs.StringVar(queue, "job-queue", "", "the same as --queue, as the aws CLI spells it")
	fs.StringVar(status, "job-status", "", "the same as --status, as the aws CLI spells it")
	fs.StringVar(array, "array-job-id", "", "the same as --array, as the aws CLI spells it")
	fs.IntVar(limit, "max-items", 100, "the same as --limit, as the aws CLI spells it")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("barge jobs ls takes no arguments, got %q", pos)
	}
	st := types.JobStatus(strings.ToUpper(*status))
	if st != "" && !slices.Contains(allStatuses, st) {
		return usagef("--status %s: want one of SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED", *status)
	}
	if *array != "" && *queue != "" {
		return usagef("give --queue or --array, not both")
	}
	if *limit <= 0 {
		return usagef("--limit %d: want a positive number", *limit)
	}
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	type source struct{ queue, array string }
	var sources []source
	switch {
	case *array != "":
		sources = []source{{array: *array}}
	case *queue != "":
		sources = []source{{queue: *queue}}
	default:
		qs, err := describeQueues(ctx, cl.batch)
		if err != nil {
			return err
		}
		for _, q := range qs {
			sources = append(sources, source{queue: aws.ToString(q.JobQueueName)})
		}
	}
	var jobs []listedJob
	for _, src := range sources {
		in := batch.ListJobsInput{MaxResults: aws.Int32(int32(min(*limit, 100)))}
		if src.array != "" {
			in.ArrayJobId = aws.String(src.array)
		} else {
			in.JobQueue = aws.String(src.queue)
		}
		var inputs []batch.ListJobsInput
		if *name != "" {
			// With a filter ListJobs returns every status; the status is
			// picked below.
			in.Filters = []types.KeyValuesPair{{Name: aws.String("JOB_NAME"), Values: []string{*name + "*"}}}
			inputs = append(inputs, in)
		} else {
			for _, s := range allStatuses {
				if st == "" || s == st {
					in.JobStatus = s
					inputs = append(inputs, in)
				}
			}
		}
		for _, in := range inputs {
			found, err := listJobs(ctx, cl.batch, &in, *limit)
			if err != nil {
				return err
			}
			for _, j := range found {
				if st != "" && j.summary.Status != st {
					continue
				}
				j.queue = src.queue
				jobs = append(jobs, j)
			}
		}
	}
	slices.SortStableFunc(jobs, func(a, b listedJob) int {
		return cmp.Compare(aws.ToInt64(b.summary.CreatedAt), aws.ToInt64(a.summary.CreatedAt))
	})
	if len(jobs) > *limit {
		jobs = jobs[:*limit]
	}
	if c.json() {
		list := make([]json.RawMessage, len(jobs))
		for i, j := range jobs {
			list[i] = j.raw
		}
		return printJSON(c.env.Stdout, map[string]any{"jobSummaryList": list})
	}
	now := c.env.Now()
	t := newTable(c.env.Stdout, "JOB ID", "NAME", "QUEUE", "STATUS", "CREATED", "RAN", "EXIT", "REASON")
	for _, j := range jobs {
		s := j.summary
		name := aws.ToString(s.JobName)
		if s.ArrayProperties != nil && s.ArrayProperties.Index != nil {
			name += fmt.Sprintf("[%d]", *s.ArrayProperties.Index)
		} else if s.ArrayProperties != nil && s.ArrayProperties.Size != nil {
			name += fmt.Sprintf(" (array of %d)", *s.ArrayProperties.Size)
		}
		exit := ""
		reason := aws.ToString(s.StatusReason)
		if s.Container != nil {
			if s.Container.ExitCode != nil {
				exit = strconv.Itoa(int(*s.Container.ExitCode))
			}
			if r := aws.ToString(s.Container.Reason); r != "" {
				reason = r
			}
		}
		t.row(aws.ToString(s.JobId), name, j.queue, string(s.Status), millis(s.CreatedAt), span(s.StartedAt, s.StoppedAt, now), exit, reason)
	}
	return t.flush()
}

// listJobs pages through one ListJobs query until limit jobs or the end.
func listJobs(ctx context.Context, c *batch.Client, in *batch.ListJobsInput, limit int) ([]listedJob, error) {
	var jobs []listedJob
	for {
		var raw []byte
		out, err := c.ListJobs(ctx, in, rawBody(&raw))
		if err != nil {
			return nil, err
		}
		var body struct {
			JobSummaryList []json.RawMessage `json:"jobSummaryList"`
		}
		if err := json.Unmarshal(raw, &body); err != nil || len(body.JobSummaryList) != len(out.JobSummaryList) {
			return nil, fmt.Errorf("ListJobs: the answer's jobSummaryList does not read as JSON: %v", err)
		}
		for i, s := range out.JobSummaryList {
			jobs = append(jobs, listedJob{summary: s, raw: body.JobSummaryList[i]})
		}
		if out.NextToken == nil || len(jobs) >= limit {
			return jobs, nil
		}
		in.NextToken = out.NextToken
	}
}

// describeJobs describes jobs by ID, 100 at a time (DescribeJobs' limit),
// and fails naming the IDs that no job has.
func describeJobs(ctx context.Context, c *batch.Client, ids []string) ([]types.JobDetail, error) {
	var jobs []types.JobDetail
	for chunk := range slices.Chunk(ids, 100) {
		out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: chunk})
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, out.Jobs...)
	}
	if len(jobs) < len(ids) {
		var missing []string
		for _, id := range ids {
			if !slices.ContainsFunc(jobs, func(j types.JobDetail) bool { return aws.ToString(j.JobId) == id || aws.ToString(j.JobArn) == id }) {
				missing = append(missing, id)
			}
		}
		return nil, fmt.Errorf("no job has the ID %s", strings.Join(missing, ", "))
	}
	return jobs, nil
}

// jobsStop cancels or terminates one job.
func (c *command) jobsStop(ctx context.Context, args []string, terminate bool) error {
	fs := c.flags()
	reason := fs.String("reason", "", "why: it becomes the job's statusReason (required)")
	id := fs.String("job-id", "", "the job, as the aws CLI takes it (or give the ID alone)")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if *id != "" {
		pos = append([]string{*id}, pos...)
	}
	if len(pos) != 1 || *reason == "" {
		return usagef("usage: %s ID --reason R", fs.Name())
	}
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	verb := "cancelled"
	if terminate {
		verb = "terminated"
		_, err = cl.batch.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(pos[0]), Reason: reason})
	} else {
		_, err = cl.batch.CancelJob(ctx, &batch.CancelJobInput{JobId: aws.String(pos[0]), Reason: reason})
	}
	if err != nil {
		return err
	}
	if c.json() {
		return printJSON(c.env.Stdout, map[string]string{})
	}
	_, err = fmt.Fprintf(c.env.Stdout, "%s %s\n", verb, pos[0])
	return err
}
