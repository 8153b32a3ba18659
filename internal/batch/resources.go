package batch

import (
	"context"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
)

func (a *API) createComputeEnvironment(ctx context.Context, in *control.CreateComputeEnvironmentInput) (*computeEnvironmentOutput, error) {
	ce, err := a.ctl.CreateComputeEnvironment(ctx, in)
	if err != nil {
		return nil, err
	}
	return &computeEnvironmentOutput{ComputeEnvironmentName: ce.Name, ComputeEnvironmentArn: a.scope.ARN(barge.KindComputeEnvironment, ce.Name)}, nil
}

func (a *API) updateComputeEnvironment(ctx context.Context, in *control.UpdateComputeEnvironmentInput) (*computeEnvironmentOutput, error) {
	ce, err := a.ctl.UpdateComputeEnvironment(ctx, in)
	if err != nil {
		return nil, err
	}
	return &computeEnvironmentOutput{ComputeEnvironmentName: ce.Name, ComputeEnvironmentArn: a.scope.ARN(barge.KindComputeEnvironment, ce.Name)}, nil
}

func (a *API) describeComputeEnvironments(ctx context.Context, in *control.DescribeComputeEnvironmentsInput) (*describeComputeEnvironmentsOutput, error) {
	page, err := a.ctl.DescribeComputeEnvironments(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &describeComputeEnvironmentsOutput{ComputeEnvironments: make([]computeEnvironmentDetail, 0, len(page.Items)), NextToken: page.NextToken}
	for _, ce := range page.Items {
		out.ComputeEnvironments = append(out.ComputeEnvironments, ceDetail(a.scope, ce))
	}
	return out, nil
}

// ceDetail returns ce as DescribeComputeEnvironments shows
// it.
func ceDetail(scope barge.Scope, ce *barge.ComputeEnvironment) computeEnvironmentDetail {
	tags := ce.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return computeEnvironmentDetail{
		ComputeEnvironmentName:     ce.Name,
		ComputeEnvironmentArn:      scope.ARN(barge.KindComputeEnvironment, ce.Name),
		UnmanagedvCpus:             ce.UnmanagedvCpus,
		EcsClusterArn:              ce.EcsClusterArn,
		Tags:                       tags,
		Type:                       ce.Type,
		State:                      ce.State,
		Status:                     ce.Status,
		StatusReason:               ce.StatusReason,
		ComputeResources:           ce.ComputeResources,
		ServiceRole:                ce.ServiceRole,
		UpdatePolicy:               ce.UpdatePolicy,
		ContainerOrchestrationType: ce.ContainerOrchestrationType(),
		EksConfiguration:           ce.EksConfiguration,
		UUID:                       ce.UUID,
		Context:                    ce.Context,
	}
}

func (a *API) createJobQueue(ctx context.Context, in *control.CreateJobQueueInput) (*jobQueueOutput, error) {
	q, err := a.ctl.CreateJobQueue(ctx, in)
	if err != nil {
		return nil, err
	}
	return &jobQueueOutput{JobQueueName: q.Name, JobQueueArn: a.scope.ARN(barge.KindJobQueue, q.Name)}, nil
}

func (a *API) updateJobQueue(ctx context.Context, in *control.UpdateJobQueueInput) (*jobQueueOutput, error) {
	q, err := a.ctl.UpdateJobQueue(ctx, in)
	if err != nil {
		return nil, err
	}
	return &jobQueueOutput{JobQueueName: q.Name, JobQueueArn: a.scope.ARN(barge.KindJobQueue, q.Name)}, nil
}

func (a *API) describeJobQueues(ctx context.Context, in *control.DescribeJobQueuesInput) (*describeJobQueuesOutput, error) {
	page, err := a.ctl.DescribeJobQueues(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &describeJobQueuesOutput{JobQueues: make([]jobQueueDetail, 0, len(page.Items)), NextToken: page.NextToken}
	for _, q := range page.Items {
		out.JobQueues = append(out.JobQueues, jqDetail(a.scope, q))
	}
	return out, nil
}

// jqDetail returns a queue as DescribeJobQueues shows it.
func jqDetail(scope barge.Scope, d control.QueueDescription) jobQueueDetail {
	q := d.Queue
	order := make([]barge.ComputeEnvironmentOrder, len(q.ComputeEnvironmentOrder))
	for i, o := range q.ComputeEnvironmentOrder {
		order[i] = barge.ComputeEnvironmentOrder{Order: o.Order, ComputeEnvironment: scope.ARN(barge.KindComputeEnvironment, o.ComputeEnvironment)}
	}
	tags := q.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	actions := q.JobStateTimeLimitActions
	if actions == nil {
		actions = []barge.JobStateTimeLimitAction{}
	}
	return jobQueueDetail{
		JobQueueName:             q.Name,
		JobQueueArn:              scope.ARN(barge.KindJobQueue, q.Name),
		State:                    q.State,
		SchedulingPolicyArn:      q.SchedulingPolicyArn,
		Status:                   q.Status,
		StatusReason:             q.StatusReason,
		Priority:                 q.Priority,
		ComputeEnvironmentOrder:  order,
		JobQueueType:             d.Type,
		Tags:                     tags,
		JobStateTimeLimitActions: actions,
	}
}

// The capacityUnit of compute jobs' usage: VCPU on ECS and Fargate, cpu on
// EKS.
const (
	vcpuUnit = "VCPU"
	eksUnit  = "cpu"
)

func (a *API) getJobQueueSnapshot(ctx context.Context, in *control.GetJobQueueSnapshotInput) (*getJobQueueSnapshotOutput, error) {
	snap, err := a.ctl.GetJobQueueSnapshot(ctx, in)
	if err != nil {
		return nil, err
	}
	unit := vcpuUnit
	if snap.EKS {
		unit = eksUnit
	}
	out := &getJobQueueSnapshotOutput{
		FrontOfQueue: frontOfQueueDetail{Jobs: make([]frontOfQueueJob, 0, len(snap.Front)), LastUpdatedAt: snap.At},
		QueueUtilization: &queueUtilizationDetail{
			TotalCapacityUsage: []capacityUsage{{CapacityUnit: unit, Quantity: snap.VCPU}},
			LastUpdatedAt:      snap.At,
		},
	}
	for _, f := range snap.Front {
		out.FrontOfQueue.Jobs = append(out.FrontOfQueue.Jobs, frontOfQueueJob{JobArn: a.scope.ARN(barge.KindJob, f.JobID), EarliestTimeAtPosition: f.Since})
	}
	if fs := snap.FairShare; fs != nil {
		u := &fairshareUtilizationDetail{ActiveShareCount: fs.ActiveShares, TopCapacityUtilization: make([]shareUtilization, 0, len(fs.Top))}
		for _, t := range fs.Top {
			u.TopCapacityUtilization = append(u.TopCapacityUtilization, shareUtilization{ShareIdentifier: t.ShareID,
				CapacityUsage: []capacityUsage{{CapacityUnit: unit, Quantity: t.VCPU}}})
		}
		out.QueueUtilization.FairshareUtilization = u
	}
	return out, nil
}

func (a *API) registerJobDefinition(ctx context.Context, in *control.RegisterJobDefinitionInput) (*registerJobDefinitionOutput, error) {
	d, err := a.ctl.RegisterJobDefinition(ctx, in)
	if err != nil {
		return nil, err
	}
	return &registerJobDefinitionOutput{
		JobDefinitionName: d.Name,
		JobDefinitionArn:  a.scope.JobDefinitionARN(d.Name, d.Revision),
		Revision:          d.Revision,
	}, nil
}

func (a *API) describeJobDefinitions(ctx context.Context, in *control.DescribeJobDefinitionsInput) (*describeJobDefinitionsOutput, error) {
	page, err := a.ctl.DescribeJobDefinitions(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &describeJobDefinitionsOutput{JobDefinitions: make([]jobDefinitionDetail, 0, len(page.Items)), NextToken: page.NextToken}
	for _, d := range page.Items {
		out.JobDefinitions = append(out.JobDefinitions, jdDetail(a.scope, d))
	}
	return out, nil
}

// jdDetail returns a job definition as DescribeJobDefinitions
// shows it.
func jdDetail(scope barge.Scope, d *barge.JobDefinition) jobDefinitionDetail {
	params, tags := d.Parameters, d.Tags
	if params == nil {
		params = map[string]string{}
	}
	if tags == nil {
		tags = map[string]string{}
	}
	var container *containerPropertiesDetail
	if d.ContainerProperties != nil {
		container = &containerPropertiesDetail{}
		container.set(d.ContainerProperties)
	}
	return jobDefinitionDetail{
		JobDefinitionName:            d.Name,
		JobDefinitionArn:             scope.JobDefinitionARN(d.Name, d.Revision),
		Revision:                     d.Revision,
		Status:                       d.Status,
		Type:                         d.Type,
		SchedulingPriority:           d.SchedulingPriority,
		Parameters:                   params,
		RetryStrategy:                d.RetryStrategy,
		ContainerProperties:          container,
		Timeout:                      d.Timeout,
		NodeProperties:               nodePropertiesDetail(d.NodeProperties),
		Tags:                         tags,
		PropagateTags:                d.PropagateTags,
		PlatformCapabilities:         d.PlatformCapabilities,
		EcsProperties:                d.EcsProperties,
		EksProperties:                d.EksProperties,
		ContainerOrchestrationType:   d.ContainerOrchestrationType(),
		ConsumableResourceProperties: d.ConsumableResourceProperties,
	}
}

func (a *API) createSchedulingPolicy(ctx context.Context, in *control.CreateSchedulingPolicyInput) (*createSchedulingPolicyOutput, error) {
	p, err := a.ctl.CreateSchedulingPolicy(ctx, in)
	if err != nil {
		return nil, err
	}
	return &createSchedulingPolicyOutput{Name: p.Name, Arn: a.scope.ARN(barge.KindSchedulingPolicy, p.Name)}, nil
}

func (a *API) describeSchedulingPolicies(ctx context.Context, in *control.DescribeSchedulingPoliciesInput) (*describeSchedulingPoliciesOutput, error) {
	ps, err := a.ctl.DescribeSchedulingPolicies(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &describeSchedulingPoliciesOutput{SchedulingPolicies: make([]schedulingPolicyDetail, 0, len(ps))}
	for _, p := range ps {
		tags := p.Tags
		if tags == nil {
			tags = map[string]string{}
		}
		out.SchedulingPolicies = append(out.SchedulingPolicies, schedulingPolicyDetail{
			Name: p.Name, Arn: a.scope.ARN(barge.KindSchedulingPolicy, p.Name),
			FairsharePolicy: p.FairsharePolicy, QuotaSharePolicy: p.QuotaSharePolicy, Tags: tags,
		})
	}
	return out, nil
}

func (a *API) listSchedulingPolicies(ctx context.Context, in *control.ListSchedulingPoliciesInput) (*listSchedulingPoliciesOutput, error) {
	page, err := a.ctl.ListSchedulingPolicies(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &listSchedulingPoliciesOutput{SchedulingPolicies: make([]schedulingPolicyListing, 0, len(page.Items)), NextToken: page.NextToken}
	for _, p := range page.Items {
		out.SchedulingPolicies = append(out.SchedulingPolicies, schedulingPolicyListing{Arn: a.scope.ARN(barge.KindSchedulingPolicy, p.Name)})
	}
	return out, nil
}

func (a *API) listTagsForResource(ctx context.Context, in *control.ListTagsInput) (*tagsOutput, error) {
	tags, err := a.ctl.ListTagsForResource(ctx, in)
	if err != nil {
		return nil, err
	}
	return &tagsOutput{Tags: tags}, nil
}
