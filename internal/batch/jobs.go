package batch

import (
	"context"
	"encoding/json"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
)

func (a *API) submitJob(ctx context.Context, in *control.SubmitJobInput) (*submitJobOutput, error) {
	job, err := a.ctl.SubmitJob(ctx, in)
	if err != nil {
		return nil, err
	}
	return &submitJobOutput{JobArn: a.scope.ARN(barge.KindJob, job.ID), JobName: job.Name, JobID: job.ID}, nil
}

func (a *API) describeJobs(ctx context.Context, in *control.DescribeJobsInput) (*describeJobsOutput, error) {
	descs, err := a.ctl.DescribeJobs(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &describeJobsOutput{Jobs: make([]jobDetail, len(descs))}
	for i := range descs {
		a.jobDetail(&out.Jobs[i], &descs[i])
	}
	return out, nil
}

// JobDetailJSON returns j as DescribeJobs shows it, as JSON: the detail of
// its "Batch Job State Change" events. An array child takes its
// specification from its parent, which the control plane reads.
func (a *API) JobDetailJSON(ctx context.Context, j *barge.Job) ([]byte, error) {
	descs, err := a.ctl.Describe(ctx, []*barge.Job{j})
	if err != nil {
		return nil, err
	}
	return a.JobJSON(&descs[0])
}

// JobJSON returns the job d describes as DescribeJobs shows it, as JSON.
func (a *API) JobJSON(d *control.JobDescription) ([]byte, error) {
	var out jobDetail
	a.jobDetail(&out, d)
	return json.Marshal(out)
}

// ComputeEnvironmentJSON returns ce as DescribeComputeEnvironments shows
// it, as JSON.
func (a *API) ComputeEnvironmentJSON(ce *barge.ComputeEnvironment) ([]byte, error) {
	return json.Marshal(ceDetail(a.scope, ce))
}

// JobQueueJSON returns the queue q describes as DescribeJobQueues shows
// it, as JSON.
func (a *API) JobQueueJSON(q control.QueueDescription) ([]byte, error) {
	return json.Marshal(jqDetail(a.scope, q))
}

// JobDefinitionJSON returns d as DescribeJobDefinitions shows it, as JSON.
func (a *API) JobDefinitionJSON(d *barge.JobDefinition) ([]byte, error) {
	return json.Marshal(jdDetail(a.scope, d))
}

// jobDetail fills in d, the wire shape of the job jd describes.
func (a *API) jobDetail(d *jobDetail, jd *control.JobDescription) {
	j, spec := jd.Job, jd.Spec
	*d = jobDetail{
		JobArn:               a.scope.ARN(barge.KindJob, j.ID),
		JobName:              j.Name,
		JobID:                j.ID,
		JobQueue:             a.scope.ARN(barge.KindJobQueue, j.Queue),
		Status:               j.Status,
		ShareIdentifier:      spec.ShareIdentifier,
		SchedulingPriority:   spec.SchedulingPriority,
		Attempts:             make([]attemptDetail, 0, len(j.Attempts)),
		StatusReason:         jd.StatusReason,
		CreatedAt:            j.CreatedAt,
		RetryStrategy:        spec.RetryStrategy,
		StartedAt:            j.StartedAt,
		StoppedAt:            j.StoppedAt,
		DependsOn:            spec.DependsOn,
		JobDefinition:        spec.JobDefinitionArn,
		Parameters:           spec.Parameters,
		Timeout:              spec.Timeout,
		Tags:                 spec.Tags,
		PropagateTags:        spec.PropagateTags,
		PlatformCapabilities: spec.PlatformCapabilities,
		IsCancelled:          j.IsCancelled,
		IsTerminated:         j.IsTerminated,
	}
	if j.ArrayParent != "" {
		d.DependsOn = nil
		d.Tags = nil
	}
	if d.DependsOn == nil {
		d.DependsOn = []barge.JobDependency{}
	}
	if d.Parameters == nil {
		d.Parameters = map[string]string{}
	}
	if d.Tags == nil {
		d.Tags = map[string]string{}
	}
	if d.PlatformCapabilities == nil {
		d.PlatformCapabilities = []string{}
	}
	if spec.IsEKS() {
		setEksDetail(d, j, spec.EksProperties)
	}
	for _, at := range j.Attempts {
		if spec.IsEKS() {
			break
		}
		d.Attempts = append(d.Attempts, attemptDetail{
			Container: attemptContainerDetail{TaskArn: at.Container.TaskArn, ExitCode: at.Container.ExitCode, Reason: at.Container.Reason,
				LogStreamName: at.Container.LogStreamName, NetworkInterfaces: at.Container.NetworkInterfaces},
			StartedAt: at.StartedAt, StoppedAt: at.StoppedAt, StatusReason: at.StatusReason,
		})
	}
	if spec.Container != nil {
		c := &containerDetail{}
		c.set(spec.Container)
		if r := j.Runtime; r != nil {
			c.ExitCode, c.Reason, c.TaskArn, c.LogStreamName, c.NetworkInterfaces = r.ExitCode, r.Reason, r.TaskArn, r.LogStreamName, r.NetworkInterfaces
		}
		d.Container = c
	}
	switch {
	case j.IsArrayParent():
		d.ArrayProperties = &arrayPropertiesDetail{Size: spec.ArraySize, StatusSummary: jd.StatusSummary, StatusSummaryLastUpdatedAt: jd.SummaryAt}
	case j.ArrayParent != "":
		idx := j.ArrayIndex
		d.ArrayProperties = &arrayPropertiesDetail{Index: &idx}
	}
	if c := &jd.Cost; jd.Costed {
		d.BargeCost = &bargeCostDetail{
			FargateUSD: c.FargateUSD, FargateSpotUSD: c.FargateSpotUSD,
			VCPUSeconds: c.VCPUSeconds, GBSeconds: c.GBSeconds, StorageGBSeconds: c.StorageGBSeconds,
			Capacity: c.Capacity,
		}
	}
}

// setEksDetail fills in an EKS job's eksProperties and eksAttempts: the
// Pod it runs as, with its current or last attempt's Pod name, node and
// containers' outcomes, and each finished attempt. The executor reports
// containers' outcomes in the Pod's order.
func setEksDetail(d *jobDetail, j *barge.Job, pod *barge.EksPodProperties) {
	var now *barge.PodRuntime
	if j.Runtime != nil {
		now = j.Runtime.Pod
	}
	p := eksPodPropertiesDetail{
		ServiceAccountName:    pod.ServiceAccountName,
		HostNetwork:           pod.HostNetwork,
		DnsPolicy:             pod.DnsPolicy,
		ImagePullSecrets:      pod.ImagePullSecrets,
		Volumes:               pod.Volumes,
		Metadata:              pod.Metadata,
		ShareProcessNamespace: pod.ShareProcessNamespace,
	}
	var outcomes, initOutcomes []barge.PodContainerOutcome
	if now != nil {
		p.PodName, p.NodeName = now.Name, now.NodeName
		outcomes, initOutcomes = now.Containers, now.InitContainers
	}
	p.Containers = eksContainerDetails(pod.Containers, outcomes)
	if len(pod.InitContainers) > 0 {
		p.InitContainers = eksContainerDetails(pod.InitContainers, initOutcomes)
	}
	d.EksProperties = &eksPropertiesDetail{PodProperties: p}
	attempts := make([]eksAttemptDetail, 0, len(j.Attempts))
	for _, at := range j.Attempts {
		r := at.Container.Pod
		if r == nil {
			r = &barge.PodRuntime{}
		}
		attempts = append(attempts, eksAttemptDetail{
			Containers:     eksAttemptContainers(r.Containers),
			InitContainers: eksAttemptContainers(r.InitContainers),
			EksClusterArn:  r.EksClusterArn,
			PodName:        r.Name,
			PodNamespace:   r.Namespace,
			NodeName:       r.NodeName,
			StartedAt:      at.StartedAt,
			StoppedAt:      at.StoppedAt,
			StatusReason:   at.StatusReason,
		})
	}
	d.EksAttempts = &attempts
}

func eksContainerDetails(cs []barge.EksContainer, outcomes []barge.PodContainerOutcome) []eksContainerDetail {
	out := make([]eksContainerDetail, len(cs))
	for i, c := range cs {
		out[i].EksContainer = c
		if i < len(outcomes) {
			out[i].ExitCode, out[i].Reason = outcomes[i].ExitCode, outcomes[i].Reason
		}
	}
	return out
}

func eksAttemptContainers(outcomes []barge.PodContainerOutcome) []eksAttemptContainerDetail {
	out := make([]eksAttemptContainerDetail, 0, len(outcomes))
	for _, o := range outcomes {
		out = append(out, eksAttemptContainerDetail{Name: o.Name, ContainerID: o.ContainerID, ExitCode: o.ExitCode, Reason: o.Reason})
	}
	return out
}

func (a *API) listJobs(ctx context.Context, in *control.ListJobsInput) (*listJobsOutput, error) {
	page, err := a.ctl.ListJobs(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &listJobsOutput{JobSummaryList: make([]jobSummary, 0, len(page.Items)), NextToken: page.NextToken}
	for i := range page.Items {
		out.JobSummaryList = append(out.JobSummaryList, a.jobSummary(&page.Items[i]))
	}
	return out, nil
}

func (a *API) jobSummary(js *control.JobSummary) jobSummary {
	j := js.Job
	sum := jobSummary{
		JobArn: a.scope.ARN(barge.KindJob, j.ID), JobID: j.ID, JobName: j.Name, CreatedAt: j.CreatedAt,
		Status: j.Status, StatusReason: js.StatusReason, StartedAt: j.StartedAt, StoppedAt: j.StoppedAt,
	}
	if spec := js.Spec; spec != nil {
		sum.JobDefinition = spec.JobDefinitionArn
		sum.ShareIdentifier = spec.ShareIdentifier
	}
	if r := j.Runtime; r != nil && (r.ExitCode != nil || r.Reason != "") {
		sum.Container = &containerSummary{ExitCode: r.ExitCode, Reason: r.Reason}
	}
	switch {
	case j.IsArrayParent():
		sum.ArrayProperties = &arrayPropertiesDetail{Size: j.Spec.ArraySize}
	case j.ArrayParent != "":
		idx := j.ArrayIndex
		sum.ArrayProperties = &arrayPropertiesDetail{Index: &idx}
	}
	return sum
}

func (a *API) cancelJobs(ctx context.Context, in *control.BulkJobActionInput) (*bulkJobActionOutput, error) {
	return bulkOutput(a.ctl.CancelJobs(ctx, in))
}

func (a *API) terminateJobs(ctx context.Context, in *control.BulkJobActionInput) (*bulkJobActionOutput, error) {
	return bulkOutput(a.ctl.TerminateJobs(ctx, in))
}

func bulkOutput(r *control.BulkResult, err error) (*bulkJobActionOutput, error) {
	if err != nil {
		return nil, err
	}
	out := &bulkJobActionOutput{Successful: r.Successful, Errors: make([]bulkJobActionErr, 0, len(r.Failed))}
	for _, f := range r.Failed {
		out.Errors = append(out.Errors, bulkJobActionErr{Job: f.JobID, Code: "ClientException", Message: barge.ErrorMessage(f.Err)})
	}
	return out, nil
}

// interruptSpotTaskPath is barge's own operation that interrupts the Fargate
// Spot task of a running job, beyond AWS (where only AWS reclaims Spot
// capacity), so that retry rules for interruptions can be tested. It lives
// under /v1/barge/, apart from AWS's operations, and is signed like them.
const interruptSpotTaskPath = "/v1/barge/interruptspottask"

// costsPath is barge's own operation that answers a queue's cost per day,
// beyond AWS. It lives under /v1/barge/, apart from AWS's operations, and is
// signed like them.
const costsPath = "/v1/barge/costs"

type interruptSpotTaskOutput struct {
	JobID   string `json:"jobId"`
	TaskArn string `json:"taskArn"`
}

func (a *API) interruptSpotTask(ctx context.Context, in *control.InterruptSpotTaskInput) (*interruptSpotTaskOutput, error) {
	j, err := a.ctl.InterruptSpotTask(ctx, in)
	if err != nil {
		return nil, err
	}
	return &interruptSpotTaskOutput{JobID: j.ID, TaskArn: j.Runtime.TaskArn}, nil
}
