package barge

import (
	"strconv"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestValidateResourceName(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"a", ""},
		{"my-ce_01", ""},
		{strings.Repeat("x", 128), ""},
		{"", "computeEnvironmentName is required"},
		{strings.Repeat("x", 129), "computeEnvironmentName is 129 characters long"},
		{"has space", "computeEnvironmentName \"has space\" is not valid"},
		{"dot.name", "letters, numbers, hyphens (-) and underscores (_)"},
		{"ünïcode", "is not valid"},
		{"arn:aws:batch:x", "is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateResourceName("computeEnvironmentName", tt.name), tt.want)
		})
	}
}

func TestValidateJobName(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"a", ""},
		{"0job", ""},
		{"job-1_x", ""},
		{"a" + strings.Repeat("b", 127), ""},
		{"", "Job name should match valid pattern. jobName is empty"},
		{"-job", "Job name should match valid pattern. jobName \"-job\""},
		{"_job", "Job name should match valid pattern"},
		{"job name", "Job name should match valid pattern"},
		{"job.1", "start with a letter or number"},
		{"a" + strings.Repeat("b", 128), "jobName is 129 characters long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateJobName(tt.name), tt.want)
		})
	}
}

func manyTags(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m["k"+strconv.Itoa(i)] = "v"
	}
	return m
}

func TestValidateTags(t *testing.T) {
	tests := []struct {
		name string
		tags map[string]string
		want string
	}{
		{"nil", nil, ""},
		{"empty map means none", map[string]string{}, ""},
		{"one", map[string]string{"team": "x"}, ""},
		{"fifty", manyTags(50), ""},
		{"empty value", map[string]string{"k": ""}, ""},
		{"max key and value", map[string]string{strings.Repeat("k", 128): strings.Repeat("v", 256)}, ""},
		{"aws inside key", map[string]string{"my-aws:x": "v"}, ""},
		{"fifty-one", manyTags(51), "tags has 51 tags; a resource can have at most 50"},
		{"empty key", map[string]string{"": "v"}, "tags has an empty key"},
		{"long key", map[string]string{strings.Repeat("k", 129): "v"}, "129 characters long. Tag keys are at most 128"},
		{"long value", map[string]string{"k": strings.Repeat("v", 257)}, "tags value of key \"k\" is 257 characters long"},
		{"aws prefix", map[string]string{"aws:owner": "v"}, "the aws: prefix is reserved"},
		{"AWS prefix", map[string]string{"AWS:owner": "v"}, "the aws: prefix is reserved"},
		{"multibyte counts characters", map[string]string{strings.Repeat("é", 128): strings.Repeat("é", 256)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateTags("tags", tt.tags), tt.want)
		})
	}
}

func fargateCE() *ComputeEnvironment {
	return &ComputeEnvironment{
		Name:  "ce",
		Type:  CEManaged,
		State: StateEnabled,
		ComputeResources: &ComputeResource{
			Type:             CRFargate,
			MaxvCpus:         ptr(16),
			Subnets:          []string{"subnet-1"},
			SecurityGroupIDs: []string{"sg-1"},
		},
	}
}

func ec2CE() *ComputeEnvironment {
	return &ComputeEnvironment{
		Name: "ec2",
		Type: CEManaged,
		ComputeResources: &ComputeResource{
			Type:         CREC2,
			MaxvCpus:     ptr(64),
			Subnets:      []string{"subnet-1"},
			InstanceRole: "ecsInstanceRole",
		},
	}
}

func TestValidateComputeEnvironment(t *testing.T) {
	tests := []struct {
		name   string
		base   func() *ComputeEnvironment
		mutate func(*ComputeEnvironment)
		want   string
	}{
		{"fargate", fargateCE, func(*ComputeEnvironment) {}, ""},
		{"fargate spot", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.Type = CRFargateSpot }, ""},
		{"state default", fargateCE, func(ce *ComputeEnvironment) { ce.State = "" }, ""},
		{"state disabled", fargateCE, func(ce *ComputeEnvironment) { ce.State = StateDisabled }, ""},
		{"maxvCpus zero", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.MaxvCpus = ptr(0) }, ""},
		{"16 subnets 5 SGs", fargateCE, func(ce *ComputeEnvironment) {
			ce.ComputeResources.Subnets = make([]string, 16)
			ce.ComputeResources.SecurityGroupIDs = make([]string, 5)
			for i := range ce.ComputeResources.Subnets {
				ce.ComputeResources.Subnets[i] = "subnet-" + strconv.Itoa(i)
			}
			for i := range ce.ComputeResources.SecurityGroupIDs {
				ce.ComputeResources.SecurityGroupIDs[i] = "sg-" + strconv.Itoa(i)
			}
		}, ""},
		{"tags", fargateCE, func(ce *ComputeEnvironment) { ce.Tags = map[string]string{"a": "b"} }, ""},
		{"ec2 shape", ec2CE, func(*ComputeEnvironment) {}, ""},
		{"ec2 with extras", ec2CE, func(ce *ComputeEnvironment) {
			cr := ce.ComputeResources
			cr.Type = CRSpot
			cr.MinvCpus, cr.DesiredvCpus, cr.BidPercentage = ptr(0), ptr(4), ptr(60)
			cr.AllocationStrategy = "SPOT_CAPACITY_OPTIMIZED"
			cr.InstanceTypes = []string{"optimal"}
		}, ""},
		{"ec2 empty subnets list", ec2CE, func(ce *ComputeEnvironment) { ce.ComputeResources.Subnets = []string{} }, ""},
		{"unmanaged", fargateCE, func(ce *ComputeEnvironment) {
			ce.Type, ce.ComputeResources, ce.UnmanagedvCpus = CEUnmanaged, nil, ptr(4)
		}, ""},

		{"nil", func() *ComputeEnvironment { return nil }, func(*ComputeEnvironment) {}, "missing"},
		{"bad name", fargateCE, func(ce *ComputeEnvironment) { ce.Name = "a b" }, "computeEnvironmentName"},
		{"no type", fargateCE, func(ce *ComputeEnvironment) { ce.Type = "" }, "type is required"},
		{"bad type", fargateCE, func(ce *ComputeEnvironment) { ce.Type = "managed" }, "type \"managed\" is not valid. It must be MANAGED or UNMANAGED"},
		{"bad state", fargateCE, func(ce *ComputeEnvironment) { ce.State = "ON" }, "state \"ON\" is not valid"},
		{"managed without resources", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources = nil }, "computeResources is required for MANAGED"},
		{"managed with unmanagedvCpus", fargateCE, func(ce *ComputeEnvironment) { ce.UnmanagedvCpus = ptr(2) }, "unmanagedvCpus is only supported when type is UNMANAGED"},
		{"unmanaged with resources", fargateCE, func(ce *ComputeEnvironment) { ce.Type = CEUnmanaged }, "computeResources is not applicable to UNMANAGED"},
		{"unmanaged negative vcpus", fargateCE, func(ce *ComputeEnvironment) {
			ce.Type, ce.ComputeResources, ce.UnmanagedvCpus = CEUnmanaged, nil, ptr(-1)
		}, "unmanagedvCpus -1 is not valid"},
		{"no resource type", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.Type = "" }, "computeResources.type is required"},
		{"bad resource type", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.Type = "LAMBDA" }, "computeResources.type \"LAMBDA\" is not valid"},
		{"no maxvCpus", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.MaxvCpus = nil }, "computeResources.maxvCpus is required"},
		{"negative maxvCpus", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.MaxvCpus = ptr(-1) }, "computeResources.maxvCpus -1 is not valid"},
		{"huge maxvCpus", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.MaxvCpus = ptr(1 << 40) }, "computeResources.maxvCpus"},
		{"no subnets", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.Subnets = nil }, "computeResources.subnets is required for Fargate"},
		{"17 subnets", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.Subnets = make([]string, 17) }, "computeResources.subnets has 17 entries"},
		{"empty subnet", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.Subnets = []string{""} }, "computeResources.subnets[0] is empty"},
		{"no SGs", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.SecurityGroupIDs = nil }, "computeResources.securityGroupIds is required for Fargate"},
		{"6 SGs", fargateCE, func(ce *ComputeEnvironment) { ce.ComputeResources.SecurityGroupIDs = make([]string, 6) }, "computeResources.securityGroupIds has 6 entries"},
		{"ec2 without subnets", ec2CE, func(ce *ComputeEnvironment) { ce.ComputeResources.Subnets = nil }, "computeResources.subnets is required"},
		{"ec2 without instanceRole", ec2CE, func(ce *ComputeEnvironment) { ce.ComputeResources.InstanceRole = "" }, "computeResources.instanceRole is required for EC2 compute environments"},
		{"ec2 bad strategy", ec2CE, func(ce *ComputeEnvironment) { ce.ComputeResources.AllocationStrategy = "CHEAP" }, "computeResources.allocationStrategy \"CHEAP\""},
		{"ec2 min over max", ec2CE, func(ce *ComputeEnvironment) { ce.ComputeResources.MinvCpus = ptr(65) }, "computeResources.minvCpus 65 is greater than maxvCpus 64"},
		{"ec2 desired out of range", ec2CE, func(ce *ComputeEnvironment) { ce.ComputeResources.DesiredvCpus = ptr(65) }, "computeResources.desiredvCpus 65"},
		{"ec2 negative min", ec2CE, func(ce *ComputeEnvironment) { ce.ComputeResources.MinvCpus = ptr(-1) }, "computeResources.minvCpus -1 is not valid"},
		{"ec2 bid", ec2CE, func(ce *ComputeEnvironment) { ce.ComputeResources.BidPercentage = ptr(101) }, "computeResources.bidPercentage 101"},
		{"update policy", ec2CE, func(ce *ComputeEnvironment) {
			ce.UpdatePolicy = &UpdatePolicy{JobExecutionTimeoutMinutes: ptr(int64(361))}
		}, "updatePolicy.jobExecutionTimeoutMinutes 361"},
		{"bad tags", fargateCE, func(ce *ComputeEnvironment) { ce.Tags = map[string]string{"aws:x": ""} }, "tags key \"aws:x\""},
	}
	forbidden := []struct {
		member string
		set    func(*ComputeResource)
	}{
		{"allocationStrategy", func(cr *ComputeResource) { cr.AllocationStrategy = "BEST_FIT" }},
		{"minvCpus", func(cr *ComputeResource) { cr.MinvCpus = ptr(0) }},
		{"desiredvCpus", func(cr *ComputeResource) { cr.DesiredvCpus = ptr(0) }},
		{"instanceTypes", func(cr *ComputeResource) { cr.InstanceTypes = []string{"optimal"} }},
		{"imageId", func(cr *ComputeResource) { cr.ImageID = "ami-1" }},
		{"ec2KeyPair", func(cr *ComputeResource) { cr.Ec2KeyPair = "k" }},
		{"instanceRole", func(cr *ComputeResource) { cr.InstanceRole = "r" }},
		{"tags", func(cr *ComputeResource) { cr.Tags = map[string]string{"a": "b"} }},
		{"placementGroup", func(cr *ComputeResource) { cr.PlacementGroup = "p" }},
		{"bidPercentage", func(cr *ComputeResource) { cr.BidPercentage = ptr(50) }},
		{"spotIamFleetRole", func(cr *ComputeResource) { cr.SpotIamFleetRole = "r" }},
		{"launchTemplate", func(cr *ComputeResource) { cr.LaunchTemplate = map[string]any{"launchTemplateName": "x"} }},
		{"ec2Configuration", func(cr *ComputeResource) { cr.Ec2Configuration = []map[string]any{{"imageType": "ECS_AL2"}} }},
		{"scalingPolicy", func(cr *ComputeResource) { cr.ScalingPolicy = map[string]any{"minScaleDownDelayMinutes": 5} }},
	}
	for _, f := range forbidden {
		tests = append(tests, struct {
			name   string
			base   func() *ComputeEnvironment
			mutate func(*ComputeEnvironment)
			want   string
		}{"fargate forbids " + f.member, fargateCE, func(ce *ComputeEnvironment) { f.set(ce.ComputeResources) },
			"computeResources." + f.member + " is not applicable to FARGATE compute environments"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := tt.base()
			if ce != nil {
				tt.mutate(ce)
			}
			checkErr(t, ValidateComputeEnvironment(ce), tt.want)
		})
	}
}

func TestValidateComputeResourceUpdate(t *testing.T) {
	tests := []struct {
		name    string
		current func() *ComputeEnvironment
		update  *ComputeResourceUpdate
		want    string
	}{
		{"nil update", fargateCE, nil, ""},
		{"maxvCpus", fargateCE, &ComputeResourceUpdate{MaxvCpus: ptr(32)}, ""},
		{"maxvCpus zero", fargateCE, &ComputeResourceUpdate{MaxvCpus: ptr(0)}, ""},
		{"subnets and SGs", fargateCE, &ComputeResourceUpdate{Subnets: []string{"s1", "s2"}, SecurityGroupIDs: []string{"sg"}}, ""},
		{"empty lists mean no change", fargateCE, &ComputeResourceUpdate{Subnets: []string{}, SecurityGroupIDs: []string{}}, ""},
		{"same type", fargateCE, &ComputeResourceUpdate{Type: CRFargate}, ""},
		{"ec2 scaling", ec2CE, &ComputeResourceUpdate{MinvCpus: ptr(0), DesiredvCpus: ptr(8), AllocationStrategy: "BEST_FIT_PROGRESSIVE"}, ""},

		{"negative max", fargateCE, &ComputeResourceUpdate{MaxvCpus: ptr(-1)}, "computeResources.maxvCpus -1 is not valid"},
		{"17 subnets", fargateCE, &ComputeResourceUpdate{Subnets: make([]string, 17)}, "computeResources.subnets has 17 entries"},
		{"6 SGs", fargateCE, &ComputeResourceUpdate{SecurityGroupIDs: make([]string, 6)}, "computeResources.securityGroupIds has 6 entries"},
		{"empty SG", fargateCE, &ComputeResourceUpdate{SecurityGroupIDs: []string{""}}, "computeResources.securityGroupIds[0] is empty"},
		{"to spot", fargateCE, &ComputeResourceUpdate{Type: CRFargateSpot}, "computeResources.type cannot change from FARGATE to \"FARGATE_SPOT\""},
		{"to ec2", fargateCE, &ComputeResourceUpdate{Type: CREC2}, "computeResources.type cannot change"},
		{"minvCpus", fargateCE, &ComputeResourceUpdate{MinvCpus: ptr(0)}, "computeResources.minvCpus is not applicable to FARGATE"},
		{"desiredvCpus", fargateCE, &ComputeResourceUpdate{DesiredvCpus: ptr(0)}, "computeResources.desiredvCpus is not applicable"},
		{"instanceTypes", fargateCE, &ComputeResourceUpdate{InstanceTypes: []string{"m5"}}, "computeResources.instanceTypes is not applicable"},
		{"updateToLatestImageVersion", fargateCE, &ComputeResourceUpdate{UpdateToLatestImageVersion: ptr(true)}, "computeResources.updateToLatestImageVersion is not applicable"},
		{"launchTemplate", fargateCE, &ComputeResourceUpdate{LaunchTemplate: map[string]any{}}, "computeResources.launchTemplate is not applicable"},
		{"unmanaged", func() *ComputeEnvironment { return &ComputeEnvironment{Name: "u", Type: CEUnmanaged} },
			&ComputeResourceUpdate{MaxvCpus: ptr(1)}, "computeResources cannot be updated on UNMANAGED"},
		{"ec2 best fit", ec2CE, &ComputeResourceUpdate{AllocationStrategy: "BEST_FIT"}, "computeResources.allocationStrategy \"BEST_FIT\" is not valid in an update"},
		{"ec2 to fargate", ec2CE, &ComputeResourceUpdate{Type: CRFargate}, "computeResources.type \"FARGATE\" is not valid"},
		{"ec2 min over current max", ec2CE, &ComputeResourceUpdate{MinvCpus: ptr(65)}, "computeResources.minvCpus 65 is greater than maxvCpus 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateComputeResourceUpdate(tt.current(), tt.update), tt.want)
		})
	}
}

func namedCE(name string, typ CRType) *ComputeEnvironment {
	ce := fargateCE()
	ce.Name = name
	ce.ComputeResources.Type = typ
	return ce
}

func testQueue() (*JobQueue, []*ComputeEnvironment) {
	q := &JobQueue{
		Name:     "q",
		State:    StateEnabled,
		Priority: 1,
		ComputeEnvironmentOrder: []ComputeEnvironmentOrder{
			{Order: 1, ComputeEnvironment: "spot"},
			{Order: 2, ComputeEnvironment: "arn:aws:batch:us-east-1:123456789012:compute-environment/ondemand"},
		},
	}
	return q, []*ComputeEnvironment{namedCE("spot", CRFargateSpot), namedCE("ondemand", CRFargate)}
}

func TestValidateJobQueue(t *testing.T) {
	action := JobStateTimeLimitAction{Reason: "stuck", State: "RUNNABLE", MaxTimeSeconds: 600, Action: "CANCEL"}
	tests := []struct {
		name   string
		mutate func(*JobQueue, *[]*ComputeEnvironment)
		want   string
	}{
		{"fargate", func(*JobQueue, *[]*ComputeEnvironment) {}, ""},
		{"priority zero", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.Priority = 0 }, ""},
		{"state default", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.State = "" }, ""},
		{"three CEs", func(q *JobQueue, ces *[]*ComputeEnvironment) {
			q.ComputeEnvironmentOrder = append(q.ComputeEnvironmentOrder, ComputeEnvironmentOrder{Order: 0, ComputeEnvironment: "third"})
			*ces = append(*ces, namedCE("third", CRFargate))
		}, ""},
		{"ec2 CEs", func(q *JobQueue, ces *[]*ComputeEnvironment) {
			a, b := ec2CE(), ec2CE()
			b.Name, b.ComputeResources.Type = "spot-ec2", CRSpot
			*ces = []*ComputeEnvironment{a, b}
		}, ""},
		{"unresolved entries skipped", func(q *JobQueue, ces *[]*ComputeEnvironment) { *ces = nil }, ""},
		{"type ECS_FARGATE", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.JobQueueType = "ECS_FARGATE" }, ""},
		{"time limit actions", func(q *JobQueue, _ *[]*ComputeEnvironment) {
			a := action
			a.MaxTimeSeconds = 86400
			q.JobStateTimeLimitActions = []JobStateTimeLimitAction{action, a}
		}, ""},

		{"nil", nil, "missing"},
		{"bad name", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.Name = "" }, "jobQueueName is required"},
		{"negative priority", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.Priority = -1 }, "priority -1 is not valid"},
		{"bad state", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.State = "enabled" }, "state \"enabled\" is not valid"},
		{"sagemaker", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.JobQueueType = "SAGEMAKER_TRAINING" }, "jobQueueType SAGEMAKER_TRAINING is not supported"},
		{"eks type of ecs environments", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.JobQueueType = "EKS" }, "jobQueueType EKS does not match the compute environments, which need"},
		{"unknown type", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.JobQueueType = "BATCH" }, "jobQueueType \"BATCH\" is not valid"},
		{"type mismatch", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.JobQueueType = "ECS" }, "jobQueueType ECS does not match the compute environments, which need ECS_FARGATE"},
		{"no CEs", func(q *JobQueue, ces *[]*ComputeEnvironment) { q.ComputeEnvironmentOrder, *ces = nil, nil }, "computeEnvironmentOrder is required"},
		{"four CEs", func(q *JobQueue, _ *[]*ComputeEnvironment) {
			q.ComputeEnvironmentOrder = []ComputeEnvironmentOrder{{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}}
		}, "computeEnvironmentOrder has 4 entries. A job queue can use at most 3"},
		{"duplicate order", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.ComputeEnvironmentOrder[1].Order = 1 }, "computeEnvironmentOrder[1].order 1 is used twice"},
		{"negative order", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.ComputeEnvironmentOrder[0].Order = -1 }, "computeEnvironmentOrder[0].order -1 is not valid"},
		{"missing CE name", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.ComputeEnvironmentOrder[0].ComputeEnvironment = "" }, "computeEnvironmentOrder[0].computeEnvironment is required"},
		{"duplicate CE by name and ARN", func(q *JobQueue, ces *[]*ComputeEnvironment) { (*ces)[1] = (*ces)[0] }, "computeEnvironmentOrder[1].computeEnvironment \"spot\" is listed twice"},
		{"mixed", func(q *JobQueue, ces *[]*ComputeEnvironment) { (*ces)[1] = ec2CE() }, "must all be of the same type: all EC2 (EC2, SPOT) or all Fargate (FARGATE, FARGATE_SPOT). \"spot\" is FARGATE_SPOT but \"ec2\" is EC2"},
		{"mixed with unmanaged", func(q *JobQueue, ces *[]*ComputeEnvironment) {
			(*ces)[1] = &ComputeEnvironment{Name: "u", Type: CEUnmanaged}
		}, "must all be of the same type"},
		{"action reason", func(q *JobQueue, _ *[]*ComputeEnvironment) {
			a := action
			a.Reason = ""
			q.JobStateTimeLimitActions = []JobStateTimeLimitAction{a}
		}, "jobStateTimeLimitActions[0].reason is required"},
		{"action state", func(q *JobQueue, _ *[]*ComputeEnvironment) {
			a := action
			a.State = "PENDING"
			q.JobStateTimeLimitActions = []JobStateTimeLimitAction{a}
		}, "jobStateTimeLimitActions[0].state \"PENDING\" is not valid"},
		{"action too short", func(q *JobQueue, _ *[]*ComputeEnvironment) {
			a := action
			a.MaxTimeSeconds = 599
			q.JobStateTimeLimitActions = []JobStateTimeLimitAction{a}
		}, "jobStateTimeLimitActions[0].maxTimeSeconds 599 is not valid"},
		{"action too long", func(q *JobQueue, _ *[]*ComputeEnvironment) {
			a := action
			a.MaxTimeSeconds = 86401
			q.JobStateTimeLimitActions = []JobStateTimeLimitAction{action, a}
		}, "jobStateTimeLimitActions[1].maxTimeSeconds 86401"},
		{"action terminate", func(q *JobQueue, _ *[]*ComputeEnvironment) {
			a := action
			a.Action = "TERMINATE"
			q.JobStateTimeLimitActions = []JobStateTimeLimitAction{a}
		}, "jobStateTimeLimitActions[0].action TERMINATE is only for SageMaker"},
		{"action unknown", func(q *JobQueue, _ *[]*ComputeEnvironment) {
			a := action
			a.Action = "cancel"
			q.JobStateTimeLimitActions = []JobStateTimeLimitAction{a}
		}, "jobStateTimeLimitActions[0].action \"cancel\" is not valid"},
		{"tags", func(q *JobQueue, _ *[]*ComputeEnvironment) { q.Tags = manyTags(51) }, "tags has 51 tags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, ces := testQueue()
			if tt.mutate == nil {
				q = nil
			} else {
				tt.mutate(q, &ces)
			}
			checkErr(t, ValidateJobQueue(q, ces), tt.want)
		})
	}
}

func TestValidateSchedulingPolicy(t *testing.T) {
	share := func(id string, w float64) ShareAttributes {
		return ShareAttributes{ShareIdentifier: id, WeightFactor: &w}
	}
	tests := []struct {
		name string
		p    *SchedulingPolicy
		want string
	}{
		{"name only", &SchedulingPolicy{Name: "p"}, ""},
		{"fair share", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{
			ShareDecaySeconds: ptr(604800), ComputeReservation: ptr(99),
			ShareDistribution: []ShareAttributes{share("UserA*", 0.0001), share("UserB", 999.9999), share("UserC1", 1), {ShareIdentifier: "UserC2"}},
		}}, ""},
		{"zero bounds", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDecaySeconds: ptr(0), ComputeReservation: ptr(0)}}, ""},
		{"quota share", &SchedulingPolicy{Name: "p", QuotaSharePolicy: &QuotaSharePolicy{IdleResourceAssignmentStrategy: "FIFO"}}, ""},
		{"255 chars", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: strings.Repeat("a", 255) + "*"}}}}, ""},
		{"500 shares", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: shares(500)}}, ""},

		{"nil", nil, "missing"},
		{"bad name", &SchedulingPolicy{Name: "a/b"}, "name \"a/b\" is not valid"},
		{"both kinds", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{}, QuotaSharePolicy: &QuotaSharePolicy{IdleResourceAssignmentStrategy: "FIFO"}}, "fairsharePolicy and quotaSharePolicy cannot both be set"},
		{"quota strategy", &SchedulingPolicy{Name: "p", QuotaSharePolicy: &QuotaSharePolicy{}}, "quotaSharePolicy.idleResourceAssignmentStrategy \"\" is not valid"},
		{"decay too long", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDecaySeconds: ptr(604801)}}, "fairsharePolicy.shareDecaySeconds 604801"},
		{"decay negative", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDecaySeconds: ptr(-1)}}, "fairsharePolicy.shareDecaySeconds -1"},
		{"reservation 100", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ComputeReservation: ptr(100)}}, "fairsharePolicy.computeReservation 100"},
		{"reservation negative", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ComputeReservation: ptr(-1)}}, "fairsharePolicy.computeReservation -1"},
		{"501 shares", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: shares(501)}}, "fairsharePolicy.shareDistribution has 501 entries"},
		{"empty id", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{}}}}, "fairsharePolicy.shareDistribution[0].shareIdentifier is required"},
		{"bare star", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: "*"}}}}, "shareIdentifier \"*\" is not valid"},
		{"not alnum", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: "user-a"}}}}, "shareIdentifier \"user-a\" is not valid"},
		{"inner star", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: "a*b"}}}}, "is not valid"},
		{"256 chars", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: strings.Repeat("a", 256)}}}}, "is not valid. It must be 1 to 255"},
		{"weight low", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{share("a", 0.00009)}}}, "fairsharePolicy.shareDistribution[0].weightFactor 9e-05 is not valid"},
		{"weight zero", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{share("a", 0)}}}, "weightFactor 0 is not valid"},
		{"weight high", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{share("a", 1000)}}}, "weightFactor 1000 is not valid"},
		{"duplicate", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: "a"}, {ShareIdentifier: "a"}}}}, "fairsharePolicy.shareDistribution[1].shareIdentifier \"a\" overlaps \"a\" (entry 0)"},
		{"prefix covers id", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: "UserA*"}, {ShareIdentifier: "UserA1"}}}}, "overlaps"},
		{"id under later prefix", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: "UserA1"}, {ShareIdentifier: "User*"}}}}, "overlaps"},
		{"nested prefixes", &SchedulingPolicy{Name: "p", FairsharePolicy: &FairsharePolicy{ShareDistribution: []ShareAttributes{{ShareIdentifier: "User*"}, {ShareIdentifier: "UserA*"}}}}, "overlaps"},
		{"tags", &SchedulingPolicy{Name: "p", Tags: map[string]string{"": "x"}}, "tags has an empty key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, ValidateSchedulingPolicy(tt.p), tt.want)
		})
	}
}

func shares(n int) []ShareAttributes {
	s := make([]ShareAttributes, n)
	for i := range s {
		s[i].ShareIdentifier = "s" + strconv.Itoa(i) + "x"
	}
	return s
}

func TestSharesOverlap(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a", "a", true},
		{"a", "b", false},
		{"ab", "a", false},
		{"a*", "ab", true},
		{"ab", "a*", true},
		{"a*", "b*", false},
		{"ab*", "a*", true},
		{"ab*", "a", false},
	}
	for _, tt := range tests {
		if got := sharesOverlap(tt.a, tt.b); got != tt.want {
			t.Errorf("sharesOverlap(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
