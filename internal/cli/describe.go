package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// jobCost is barge's additive bargeCost field of a finished job in
// DescribeJobs: what the job would have cost on Fargate and Fargate Spot.
type jobCost struct {
	FargateUSD     float64 `json:"fargateUsd"`
	FargateSpotUSD float64 `json:"fargateSpotUsd"`
	VCPUSeconds    float64 `json:"vcpuSeconds"`
	GBSeconds      float64 `json:"gbSeconds"`
	// Capacity is the capacity type the attempts ran on (FARGATE,
	// FARGATE_SPOT, EC2, SPOT or MIXED): which of the two prices applied.
	Capacity string `json:"capacity"`
}

// costsPath is barge's extension route for a queue's cost per day.
const costsPath = "/v1/barge/costs"

// costDays is how many days of queue totals barge jobs describe shows.
const costDays = 7

// dayCost is one day of a queue's costs as POST /v1/barge/costs answers.
type dayCost struct {
	Day            string  `json:"day"`
	Jobs           int64   `json:"jobs"`
	FargateUSD     float64 `json:"fargateUsd"`
	FargateSpotUSD float64 `json:"fargateSpotUsd"`
}

// queueCosts asks for a queue's daily cost totals, newest day last.
func (cl *clients) queueCosts(ctx context.Context, queue string, days int) ([]dayCost, error) {
	var out struct {
		Days []dayCost `json:"days"`
	}
	err := cl.call(ctx, costsPath, map[string]any{"jobQueue": queue, "days": days}, &out)
	return out.Days, err
}

// jobsDescribe shows one job: every field people look at, its attempts,
// dependencies, array progress and cost.
func (c *command) jobsDescribe(ctx context.Context, args []string) error {
	fs := c.flags()
	var ids stringList
	fs.Var(&ids, "jobs", "the job, as the aws CLI takes it (or give the ID alone)")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	pos = append(ids, pos...)
	if len(pos) != 1 {
		return usagef("usage: barge jobs describe ID")
	}
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	var raw []byte
	out, err := cl.batch.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: pos}, rawBody(&raw))
	if err != nil {
		return err
	}
	if len(out.Jobs) == 0 {
		return fmt.Errorf("no job has the ID %s", pos[0])
	}
	var body struct {
		Jobs []struct {
			BargeCost *jobCost `json:"bargeCost"`
		} `json:"jobs"`
	}
	var rawJobs struct {
		Jobs []json.RawMessage `json:"jobs"`
	}
	json.Unmarshal(raw, &body)
	json.Unmarshal(raw, &rawJobs)
	if c.json() {
		if len(rawJobs.Jobs) == 0 {
			return fmt.Errorf("DescribeJobs: the answer does not read as JSON")
		}
		return printJSON(c.env.Stdout, rawJobs.Jobs[0])
	}
	j := out.Jobs[0]
	var cost *jobCost
	if len(body.Jobs) > 0 {
		cost = body.Jobs[0].BargeCost
	}
	c.printJob(j, cost)
	queue := lastPart(aws.ToString(j.JobQueue))
	// A server without the costs route (an older barge, or AWS) has no
	// totals to show: the job's description stands without them.
	if days, err := cl.queueCosts(ctx, queue, costDays); err == nil && len(days) > 0 {
		fmt.Fprintf(c.env.Stdout, "\nQueue %s, cost per day (last %d days):\n", queue, costDays)
		t := newTable(c.env.Stdout, "  DAY (UTC)", "JOBS", "FARGATE", "FARGATE SPOT")
		for _, d := range days {
			t.row("  "+d.Day, strconv.FormatInt(d.Jobs, 10), usd(d.FargateUSD), usd(d.FargateSpotUSD))
		}
		return t.flush()
	}
	return nil
}

func usd(v float64) string { return "$" + strconv.FormatFloat(v, 'f', 4, 64) }

// printJob writes j's fields as aligned "name: value" lines.
func (c *command) printJob(j types.JobDetail, cost *jobCost) {
	w := c.env.Stdout
	t := newTable(w, "Job ID:", aws.ToString(j.JobId))
	field := func(name, value string) {
		if value != "" {
			t.row(name+":", value)
		}
	}
	field("Name", aws.ToString(j.JobName))
	field("ARN", aws.ToString(j.JobArn))
	field("Queue", aws.ToString(j.JobQueue))
	field("Definition", aws.ToString(j.JobDefinition))
	field("Status", string(j.Status))
	field("Reason", aws.ToString(j.StatusReason))
	field("Created", millis(j.CreatedAt))
	field("Started", millis(j.StartedAt))
	field("Stopped", millis(j.StoppedAt))
	field("Ran", span(j.StartedAt, j.StoppedAt, c.env.Now()))
	if j.Container != nil {
		ct := j.Container
		field("Image", aws.ToString(ct.Image))
		if len(ct.Command) > 0 {
			field("Command", strings.Join(ct.Command, " "))
		}
		if ct.ExitCode != nil {
			field("Exit code", strconv.Itoa(int(*ct.ExitCode)))
		}
		field("Container reason", aws.ToString(ct.Reason))
		field("Log stream", aws.ToString(ct.LogStreamName))
	}
	if a := j.ArrayProperties; a != nil {
		if a.Index != nil {
			field("Array index", strconv.Itoa(int(*a.Index)))
		}
		if a.Size != nil {
			field("Array size", strconv.Itoa(int(*a.Size)))
			field("Children", statusSummary(a.StatusSummary))
		}
	}
	if len(j.DependsOn) > 0 {
		var deps []string
		for _, d := range j.DependsOn {
			s := aws.ToString(d.JobId)
			if d.Type != "" {
				s += " (" + string(d.Type) + ")"
			}
			deps = append(deps, s)
		}
		field("Depends on", strings.Join(deps, ", "))
	}
	if r := j.RetryStrategy; r != nil && r.Attempts != nil {
		field("Retry attempts", strconv.Itoa(int(*r.Attempts)))
	}
	if cost != nil {
		ran := ""
		if cost.Capacity != "" {
			ran = ", ran on " + cost.Capacity
		}
		field("Cost", fmt.Sprintf("%s on Fargate, %s on Fargate Spot (%.0f vCPU-s, %.0f GB-s%s)",
			usd(cost.FargateUSD), usd(cost.FargateSpotUSD), cost.VCPUSeconds, cost.GBSeconds, ran))
	}
	t.flush()
	if len(j.Attempts) > 0 {
		fmt.Fprintln(w, "\nAttempts:")
		at := newTable(w, "  #", "STARTED", "STOPPED", "RAN", "EXIT", "REASON", "LOG STREAM")
		for i, a := range j.Attempts {
			exit, reason, stream := "", aws.ToString(a.StatusReason), ""
			if a.Container != nil {
				if a.Container.ExitCode != nil {
					exit = strconv.Itoa(int(*a.Container.ExitCode))
				}
				if r := aws.ToString(a.Container.Reason); r != "" {
					reason = r
				}
				stream = aws.ToString(a.Container.LogStreamName)
			}
			at.row("  "+strconv.Itoa(i+1), millis(a.StartedAt), millis(a.StoppedAt), span(a.StartedAt, a.StoppedAt, c.env.Now()), exit, reason, stream)
		}
		at.flush()
	}
}

// statusSummary formats an array's counts by status in the order a job
// goes through them, leaving out zeros.
func statusSummary(m map[string]int32) string {
	var parts []string
	for _, s := range allStatuses {
		if n := m[string(s)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "none yet"
	}
	return strings.Join(parts, ", ")
}
