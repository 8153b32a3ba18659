package cli

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// countCap is how many jobs of one status and queue barge status counts
// (one ListJobs page): counting a million jobs through ListJobs would page
// through all of them, so beyond it the count shows as "1000+".
const countCap = 1000

func describeQueues(ctx context.Context, c *batch.Client) ([]types.JobQueueDetail, error) {
	var qs []types.JobQueueDetail
	p := batch.NewDescribeJobQueuesPaginator(c, &batch.DescribeJobQueuesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		qs = append(qs, out.JobQueues...)
	}
	return qs, nil
}

func describeCEs(ctx context.Context, c *batch.Client) ([]types.ComputeEnvironmentDetail, error) {
	var ces []types.ComputeEnvironmentDetail
	p := batch.NewDescribeComputeEnvironmentsPaginator(c, &batch.DescribeComputeEnvironmentsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		ces = append(ces, out.ComputeEnvironments...)
	}
	return ces, nil
}

// connectNoArgs parses the flags of command name, which takes no
// arguments, and connects.
func (c *command) connectNoArgs(ctx context.Context, name string, args []string) (*clients, error) {
	if pos, err := c.parse(c.flags(), args); err != nil {
		return nil, err
	} else if len(pos) > 0 {
		return nil, usagef("barge %s takes no arguments", name)
	}
	return c.connect(ctx)
}

// lastPart is what follows the last "/" of an ARN: the resource's name.
func lastPart(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// queues lists the job queues.
func (c *command) queues(ctx context.Context, args []string) error {
	cl, err := c.connectNoArgs(ctx, "queues", args)
	if err != nil {
		return err
	}
	qs, err := describeQueues(ctx, cl.batch)
	if err != nil {
		return err
	}
	if c.json() {
		return printJSON(c.env.Stdout, map[string]any{"jobQueues": qs})
	}
	t := newTable(c.env.Stdout, "QUEUE", "STATE", "STATUS", "PRIORITY", "COMPUTE ENVIRONMENTS", "SCHEDULING POLICY", "REASON")
	for _, q := range qs {
		var ces []string
		for _, o := range q.ComputeEnvironmentOrder {
			ces = append(ces, lastPart(aws.ToString(o.ComputeEnvironment)))
		}
		t.row(aws.ToString(q.JobQueueName), string(q.State), string(q.Status), strconv.Itoa(int(aws.ToInt32(q.Priority))),
			strings.Join(ces, ","), lastPart(aws.ToString(q.SchedulingPolicyArn)), aws.ToString(q.StatusReason))
	}
	return t.flush()
}

// ces lists the compute environments.
func (c *command) ces(ctx context.Context, args []string) error {
	cl, err := c.connectNoArgs(ctx, "ces", args)
	if err != nil {
		return err
	}
	ces, err := describeCEs(ctx, cl.batch)
	if err != nil {
		return err
	}
	if c.json() {
		return printJSON(c.env.Stdout, map[string]any{"computeEnvironments": ces})
	}
	t := newTable(c.env.Stdout, "COMPUTE ENVIRONMENT", "TYPE", "STATE", "STATUS", "MAX VCPUS", "REASON")
	for _, ce := range ces {
		typ, maxv := string(ce.Type), ""
		if r := ce.ComputeResources; r != nil {
			typ += "/" + string(r.Type)
			maxv = strconv.Itoa(int(aws.ToInt32(r.MaxvCpus)))
		}
		t.row(aws.ToString(ce.ComputeEnvironmentName), typ, string(ce.State), string(ce.Status), maxv, aws.ToString(ce.StatusReason))
	}
	return t.flush()
}

// queueStatus is one queue's line of barge status.
type queueStatus struct {
	Queue string `json:"jobQueue"`
	State string `json:"state"`
	// Counts are jobs per status, top-level jobs only (array children are
	// in their parent), as ListJobs counts them; at most countCap each.
	Counts map[string]int `json:"counts"`
	// Capped lists the statuses with more than countCap jobs.
	Capped      []string `json:"capped,omitempty"`
	VCPUsInUse  float64  `json:"vcpusInUse"`
	ComputeEnvs []string `json:"computeEnvironments"`
}

// ceStatus is one compute environment's line of barge status.
type ceStatus struct {
	Name     string  `json:"computeEnvironmentName"`
	State    string  `json:"state"`
	MaxvCpus int32   `json:"maxvCpus"`
	InUse    float64 `json:"vcpusInUse"`
	// Exact is false when a queue that has jobs running on it also uses
	// another compute environment: ListJobs does not say which one a job
	// runs on, so InUse counts none of that queue's jobs.
	Exact bool `json:"exact"`
}

// status shows each queue's jobs by status and vCPUs in use, and each
// compute environment's vCPUs in use of its maximum.
func (c *command) status(ctx context.Context, args []string) error {
	cl, err := c.connectNoArgs(ctx, "status", args)
	if err != nil {
		return err
	}
	qs, err := describeQueues(ctx, cl.batch)
	if err != nil {
		return err
	}
	ces, err := describeCEs(ctx, cl.batch)
	if err != nil {
		return err
	}
	inUse := map[string]float64{}
	inexact := map[string]bool{}
	var queues []queueStatus
	for _, q := range qs {
		name := aws.ToString(q.JobQueueName)
		qst := queueStatus{Queue: name, State: string(q.State), Counts: map[string]int{}}
		for _, o := range q.ComputeEnvironmentOrder {
			qst.ComputeEnvs = append(qst.ComputeEnvs, lastPart(aws.ToString(o.ComputeEnvironment)))
		}
		for _, s := range allStatuses {
			jobs, err := listJobs(ctx, cl.batch, &batch.ListJobsInput{JobQueue: aws.String(name), JobStatus: s, MaxResults: aws.Int32(countCap)}, countCap)
			if err != nil {
				return err
			}
			n := min(len(jobs), countCap)
			if n == countCap {
				// A full page may have a next one: say so rather than count
				// every job.
				qst.Capped = append(qst.Capped, string(s))
			}
			qst.Counts[string(s)] = n
		}
		snap, err := cl.batch.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String(name)})
		if err != nil {
			return err
		}
		if u := snap.QueueUtilization; u != nil {
			for _, c := range u.TotalCapacityUsage {
				if strings.EqualFold(aws.ToString(c.CapacityUnit), "VCPU") {
					qst.VCPUsInUse += aws.ToFloat64(c.Quantity)
				}
			}
		}
		if qst.VCPUsInUse > 0 {
			if len(qst.ComputeEnvs) == 1 {
				inUse[qst.ComputeEnvs[0]] += qst.VCPUsInUse
			} else {
				for _, ce := range qst.ComputeEnvs {
					inexact[ce] = true
				}
			}
		}
		queues = append(queues, qst)
	}
	var envs []ceStatus
	for _, ce := range ces {
		name := aws.ToString(ce.ComputeEnvironmentName)
		cs := ceStatus{Name: name, State: string(ce.State), InUse: inUse[name], Exact: !inexact[name]}
		if v, err := clusterVCPUs(ctx, cl.ecs, aws.ToString(ce.EcsClusterArn)); err == nil {
			cs.InUse, cs.Exact = v, true
		}
		if ce.ComputeResources != nil {
			cs.MaxvCpus = aws.ToInt32(ce.ComputeResources.MaxvCpus)
		}
		envs = append(envs, cs)
	}
	if c.json() {
		return printJSON(c.env.Stdout, map[string]any{"jobQueues": queues, "computeEnvironments": envs})
	}
	w := c.env.Stdout
	header := []string{"QUEUE", "STATE"}
	for _, s := range allStatuses {
		header = append(header, string(s))
	}
	t := newTable(w, append(header, "VCPUS IN USE")...)
	for _, q := range queues {
		row := []string{q.Queue, q.State}
		for _, s := range allStatuses {
			n := strconv.Itoa(q.Counts[string(s)])
			if slices.Contains(q.Capped, string(s)) {
				n += "+"
			}
			row = append(row, n)
		}
		t.row(append(row, formatVCPUs(q.VCPUsInUse))...)
	}
	t.flush()
	w.Write([]byte("\n"))
	t = newTable(w, "COMPUTE ENVIRONMENT", "STATE", "VCPUS IN USE", "USAGE")
	for _, e := range envs {
		use := formatVCPUs(e.InUse) + " of " + strconv.Itoa(int(e.MaxvCpus))
		if !e.Exact {
			use = "? of " + strconv.Itoa(int(e.MaxvCpus))
		}
		t.row(e.Name, e.State, use, usageBar(e.InUse, float64(e.MaxvCpus), e.Exact))
	}
	return t.flush()
}

// clusterVCPUs returns the vCPUs held by the tasks of an ECS cluster (a
// compute environment's): those whose desired status is RUNNING, as ECS
// lists them. An error (a server without ECS, a cluster that is gone)
// leaves the caller to estimate from its queues.
func clusterVCPUs(ctx context.Context, c *ecs.Client, cluster string) (float64, error) {
	if cluster == "" {
		return 0, fmt.Errorf("no ECS cluster")
	}
	var arns []string
	for p := ecs.NewListTasksPaginator(c, &ecs.ListTasksInput{Cluster: aws.String(cluster)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		arns = append(arns, page.TaskArns...)
	}
	var units float64
	for chunk := range slices.Chunk(arns, 100) {
		out, err := c.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(cluster), Tasks: chunk})
		if err != nil {
			return 0, err
		}
		for _, t := range out.Tasks {
			cpu, err := strconv.ParseFloat(aws.ToString(t.Cpu), 64)
			if err != nil {
				return 0, fmt.Errorf("task %s has no cpu", aws.ToString(t.TaskArn))
			}
			units += cpu
		}
	}
	return units / 1024, nil
}

func formatVCPUs(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// usageBar draws vCPUs in use of max in 20 cells.
func usageBar(used, limit float64, exact bool) string {
	if !exact || limit <= 0 {
		return ""
	}
	n := int(used / limit * 20)
	n = min(max(n, 0), 20)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", 20-n) + "]"
}
