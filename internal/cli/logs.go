package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// defaultLogGroup is where AWS Batch writes a job's log unless its
// definition's logConfiguration names another group.
const defaultLogGroup = "/aws/batch/job"

// jobsLogs prints a job's log lines from CloudWatch Logs; with -f it
// follows them, as aws logs tail --follow does, until the job has ended and
// its last lines are printed.
func (c *command) jobsLogs(ctx context.Context, args []string) error {
	fs := c.flags()
	follow := fs.Bool("f", false, "follow: print lines as they come until the job ends")
	fs.BoolVar(follow, "follow", false, "the same as -f")
	interval := fs.Duration("interval", time.Second, "how often -f asks for new lines")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: barge jobs logs ID [-f]")
	}
	if *interval <= 0 {
		return usagef("--interval %s: want a positive duration", *interval)
	}
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	var token *string
	var group, stream string
	for {
		jobs, err := describeJobs(ctx, cl.batch, pos)
		if err != nil {
			return err
		}
		j := jobs[0]
		if isArrayParent(j) {
			return usagef("job %s is an array job, which has no log of its own: see a child's, e.g. barge jobs logs %s:0", pos[0], pos[0])
		}
		done := j.Status == types.JobStatusSucceeded || j.Status == types.JobStatusFailed
		if s := jobStream(j); s != stream {
			// A retried job writes each attempt to a new stream.
			group, stream, token = jobLogGroup(j), s, nil
		}
		if stream != "" {
			if token, err = c.printEvents(ctx, cl.logs, group, stream, token); err != nil {
				return err
			}
		}
		if !*follow || done {
			if stream == "" && !*follow {
				return fmt.Errorf("job %s is %s and has no log stream yet", pos[0], j.Status)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}

func jobStream(j types.JobDetail) string {
	if j.Container == nil {
		return ""
	}
	return aws.ToString(j.Container.LogStreamName)
}

func jobLogGroup(j types.JobDetail) string {
	if j.Container != nil && j.Container.LogConfiguration != nil {
		if g := j.Container.LogConfiguration.Options["awslogs-group"]; g != "" {
			return g
		}
	}
	return defaultLogGroup
}

// printEvents prints the stream's events after token, page by page, and
// returns the token to go on from.
func (c *command) printEvents(ctx context.Context, logs *cloudwatchlogs.Client, group, stream string, token *string) (*string, error) {
	for {
		out, err := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
			StartFromHead: aws.Bool(true), NextToken: token,
		})
		var nf *logtypes.ResourceNotFoundException
		if errors.As(err, &nf) {
			return token, nil // the stream comes with the job's first line
		}
		if err != nil {
			return token, err
		}
		for _, e := range out.Events {
			if c.json() {
				printJSONLine(c.env.Stdout, map[string]any{"timestamp": aws.ToInt64(e.Timestamp), "message": aws.ToString(e.Message)})
			} else {
				fmt.Fprintln(c.env.Stdout, aws.ToString(e.Message))
			}
		}
		// GetLogEvents gives the same token back at the end of the stream.
		if out.NextForwardToken == nil || aws.ToString(out.NextForwardToken) == aws.ToString(token) {
			return token, nil
		}
		token = out.NextForwardToken
		if len(out.Events) == 0 {
			return token, nil
		}
	}
}
