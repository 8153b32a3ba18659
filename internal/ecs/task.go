package ecs

import (
	"context"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// DescribeTasksInput is DescribeTasks' request.
type DescribeTasksInput struct {
	Cluster string   `json:"cluster,omitempty"`
	Tasks   []string `json:"tasks"`
	Include []string `json:"include,omitempty"`
}

// DescribeTasksOutput is DescribeTasks' response.
type DescribeTasksOutput struct {
	Tasks    []Task    `json:"tasks"`
	Failures []Failure `json:"failures"`
}

// Task is an ECS task: one attempt of a job.
type Task struct {
	TaskArn               string       `json:"taskArn"`
	ClusterArn            string       `json:"clusterArn"`
	TaskDefinitionArn     string       `json:"taskDefinitionArn"`
	Containers            []Container  `json:"containers"`
	Attachments           []Attachment `json:"attachments"`
	Attributes            []struct{}   `json:"attributes"`
	LastStatus            string       `json:"lastStatus"`
	DesiredStatus         string       `json:"desiredStatus"`
	Cpu                   string       `json:"cpu,omitempty"`
	Memory                string       `json:"memory,omitempty"`
	LaunchType            string       `json:"launchType"`
	CapacityProviderName  string       `json:"capacityProviderName,omitempty"`
	PlatformVersion       string       `json:"platformVersion,omitempty"`
	PlatformFamily        string       `json:"platformFamily,omitempty"`
	Group                 string       `json:"group"`
	Connectivity          string       `json:"connectivity,omitempty"`
	HealthStatus          string       `json:"healthStatus"`
	CreatedAt             *float64     `json:"createdAt,omitempty"`
	StartedAt             *float64     `json:"startedAt,omitempty"`
	StoppingAt            *float64     `json:"stoppingAt,omitempty"`
	StoppedAt             *float64     `json:"stoppedAt,omitempty"`
	StopCode              string       `json:"stopCode,omitempty"`
	StoppedReason         string       `json:"stoppedReason,omitempty"`
	Overrides             TaskOverride `json:"overrides"`
	Tags                  []Tag        `json:"tags"`
	Version               int64        `json:"version"`
	EnableExecuteCommand  bool         `json:"enableExecuteCommand"`
	EphemeralStorage      *StorageSize `json:"ephemeralStorage,omitempty"`
	InferenceAccelerators []struct{}   `json:"inferenceAccelerators"`
}

// Container is a task's container.
type Container struct {
	ContainerArn      string             `json:"containerArn"`
	TaskArn           string             `json:"taskArn"`
	Name              string             `json:"name"`
	Image             string             `json:"image"`
	LastStatus        string             `json:"lastStatus"`
	ExitCode          *int               `json:"exitCode,omitempty"`
	Reason            string             `json:"reason,omitempty"`
	NetworkBindings   []struct{}         `json:"networkBindings"`
	NetworkInterfaces []NetworkInterface `json:"networkInterfaces"`
	HealthStatus      string             `json:"healthStatus"`
	Cpu               string             `json:"cpu,omitempty"`
	Memory            string             `json:"memory,omitempty"`
}

// NetworkInterface is a container's network interface.
type NetworkInterface struct {
	AttachmentId       string `json:"attachmentId,omitempty"`
	PrivateIpv4Address string `json:"privateIpv4Address,omitempty"`
	Ipv6Address        string `json:"ipv6Address,omitempty"`
}

// Attachment is a task's elastic network interface.
type Attachment struct {
	Id      string         `json:"id"`
	Type    string         `json:"type"`
	Status  string         `json:"status"`
	Details []KeyValuePair `json:"details"`
}

// TaskOverride is what the task overrode of its definition.
type TaskOverride struct {
	ContainerOverrides            []struct{} `json:"containerOverrides"`
	InferenceAcceleratorOverrides []struct{} `json:"inferenceAcceleratorOverrides"`
}

// StorageSize is a task's ephemeral storage.
type StorageSize struct {
	SizeInGiB int `json:"sizeInGiB"`
}

// DescribeTasks describes the tasks named (by ARN or ID) in a cluster: the
// attempts of the jobs that ran on its compute environment, running or
// recently finished. A task barge does not find is a failure with reason
// MISSING, as in ECS.
func (s *Service) DescribeTasks(ctx context.Context, in *DescribeTasksInput) (*DescribeTasksOutput, error) {
	if len(in.Tasks) == 0 {
		return nil, barge.Errorf(barge.EInvalid, "Tasks cannot be empty.")
	}
	if len(in.Tasks) > 100 {
		return nil, barge.Errorf(barge.EInvalid, "tasks can have at most 100 items.")
	}
	ce, err := s.namedCluster(ctx, in.Cluster)
	if err != nil {
		return nil, err
	}
	// Running tasks first; stopped ones are looked for only if asked for.
	jobs, err := s.clusterTasks(ctx, ce, false)
	if err != nil {
		return nil, err
	}
	var finished []*barge.Job
	specs := map[string]*barge.JobSpec{}
	out := &DescribeTasksOutput{Tasks: []Task{}, Failures: []Failure{}}
	for _, want := range in.Tasks {
		id := barge.TaskID(want)
		t, err := s.findTask(ctx, ce, jobs, id, specs)
		if t == nil && err == nil {
			if finished == nil {
				if finished, err = s.clusterTasks(ctx, ce, true); err != nil {
					return nil, err
				}
				finished = append(finished, nil) // read once, even if none
			}
			t, err = s.findTask(ctx, ce, finished[:len(finished)-1], id, specs)
		}
		if err != nil {
			return nil, err
		}
		if t == nil {
			arn := want
			if !strings.HasPrefix(want, "arn:") {
				arn = s.scope.ARNPrefix("ecs") + "task/" + clusterName(ce.EcsClusterArn) + "/" + want
			}
			out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		out.Tasks = append(out.Tasks, *t)
	}
	return out, nil
}

// findTask returns the task with ID id among jobs' attempts, or nil.
func (s *Service) findTask(ctx context.Context, ce *barge.ComputeEnvironment, jobs []*barge.Job, id string, specs map[string]*barge.JobSpec) (*Task, error) {
	for _, j := range jobs {
		if j.Runtime != nil && j.Runtime.ComputeEnvironment == ce.Name && barge.TaskID(j.Runtime.TaskArn) == id {
			spec, err := s.spec(ctx, j, specs)
			if err != nil {
				return nil, err
			}
			a := barge.Attempt{Container: *j.Runtime, StartedAt: j.StartedAt, StoppedAt: j.StoppedAt, StatusReason: j.StatusReason}
			return task(ce, j, spec, a, !j.Status.Done()), nil
		}
		for _, a := range j.Attempts {
			if a.Container.ComputeEnvironment == ce.Name && barge.TaskID(a.Container.TaskArn) == id {
				spec, err := s.spec(ctx, j, specs)
				if err != nil {
					return nil, err
				}
				return task(ce, j, spec, a, false), nil
			}
		}
	}
	return nil, nil
}

// spec returns j's specification, its array parent's for a child.
func (s *Service) spec(ctx context.Context, j *barge.Job, specs map[string]*barge.JobSpec) (*barge.JobSpec, error) {
	if j.Spec != nil || j.ArrayParent == "" {
		return j.Spec, nil
	}
	if spec, ok := specs[j.ArrayParent]; ok {
		return spec, nil
	}
	parents, err := s.store.GetJobs(ctx, []string{j.ArrayParent})
	if err != nil {
		return nil, err
	}
	var spec *barge.JobSpec
	if len(parents) == 1 {
		spec = parents[0].Spec
	}
	specs[j.ArrayParent] = spec
	return spec, nil
}

// seconds returns epoch milliseconds as ECS's timestamps, epoch seconds;
// nil for 0.
func seconds(ms int64) *float64 {
	if ms == 0 {
		return nil
	}
	s := float64(ms) / 1000
	return &s
}

// task returns attempt a of job j, on compute environment ce, as an ECS
// task; live says it is the job's current attempt, not yet finished.
func task(ce *barge.ComputeEnvironment, j *barge.Job, spec *barge.JobSpec, a barge.Attempt, live bool) *Task {
	arn := a.Container.TaskArn
	cluster := ce.EcsClusterArn
	prefix, _, _ := strings.Cut(arn, ":task/")
	t := &Task{
		TaskArn: arn, ClusterArn: cluster, Attachments: []Attachment{}, Attributes: []struct{}{},
		LaunchType: "EC2", HealthStatus: "UNKNOWN", Connectivity: "CONNECTED",
		CreatedAt: seconds(j.CreatedAt), StartedAt: seconds(a.StartedAt),
		Overrides: TaskOverride{ContainerOverrides: []struct{}{}, InferenceAcceleratorOverrides: []struct{}{}},
		Tags:      []Tag{}, InferenceAccelerators: []struct{}{},
	}
	c := Container{
		ContainerArn: prefix + ":container/" + clusterName(cluster) + "/" + barge.TaskID(arn) + "/default",
		TaskArn:      arn, Name: "default", NetworkBindings: []struct{}{}, NetworkInterfaces: []NetworkInterface{}, HealthStatus: "UNKNOWN",
	}
	if spec != nil {
		name, _, _ := strings.Cut(spec.JobDefinitionArn[strings.LastIndex(spec.JobDefinitionArn, "/")+1:], ":")
		t.TaskDefinitionArn = prefix + ":task-definition/" + spec.JobDefinitionArn[strings.LastIndex(spec.JobDefinitionArn, "/")+1:]
		t.Group = "family:" + name
		if p := spec.Container; p != nil {
			c.Image = p.Image
			t.Cpu, t.Memory = cpuUnits(p), memoryMiB(p)
			c.Cpu, c.Memory = t.Cpu, t.Memory
		}
	}
	if isFargate(ce) {
		t.LaunchType, t.CapacityProviderName = "FARGATE", string(ce.ComputeResources.Type)
		t.PlatformVersion, t.PlatformFamily = "1.4.0", "Linux"
		t.EphemeralStorage = &StorageSize{SizeInGiB: 20}
	}
	for _, ni := range a.Container.NetworkInterfaces {
		c.NetworkInterfaces = append(c.NetworkInterfaces, NetworkInterface{AttachmentId: ni.AttachmentID, PrivateIpv4Address: ni.PrivateIpv4Address, Ipv6Address: ni.Ipv6Address})
		t.Attachments = append(t.Attachments, Attachment{Id: ni.AttachmentID, Type: "ElasticNetworkInterface", Status: "ATTACHED",
			Details: []KeyValuePair{{Name: "privateIPv4Address", Value: ni.PrivateIpv4Address}}})
	}
	switch {
	case live && j.Status == barge.JobStarting:
		t.LastStatus, t.DesiredStatus, c.LastStatus, t.Version = "PENDING", "RUNNING", "PENDING", 1
	case live:
		t.LastStatus, t.DesiredStatus, c.LastStatus, t.Version = "RUNNING", "RUNNING", "RUNNING", 2
	default:
		t.LastStatus, t.DesiredStatus, c.LastStatus, t.Version = "STOPPED", "STOPPED", "STOPPED", 3
		t.StoppingAt, t.StoppedAt = seconds(a.StoppedAt), seconds(a.StoppedAt)
		c.ExitCode, c.Reason = a.Container.ExitCode, a.Container.Reason
		t.StopCode, t.StoppedReason = "EssentialContainerExited", "Essential container in task exited"
		if c.ExitCode == nil {
			t.StopCode, t.StoppedReason = "TaskFailedToStart", a.StatusReason
		}
	}
	t.Containers = []Container{c}
	return t
}

// cpuUnits returns a container's vCPUs in ECS's CPU units (1024 a vCPU).
func cpuUnits(p *barge.ContainerProperties) string {
	if v, err := strconv.ParseFloat(p.Requirement(barge.ResourceVCPU), 64); err == nil {
		return strconv.Itoa(int(v * 1024))
	}
	if p.Vcpus != nil {
		return strconv.Itoa(*p.Vcpus * 1024)
	}
	return ""
}

// memoryMiB returns a container's memory in MiB.
func memoryMiB(p *barge.ContainerProperties) string {
	if m := p.Requirement(barge.ResourceMemory); m != "" {
		return m
	}
	if p.Memory != nil {
		return strconv.Itoa(*p.Memory)
	}
	return ""
}

// ListTasksInput is ListTasks' request.
type ListTasksInput struct {
	Cluster       string `json:"cluster,omitempty"`
	DesiredStatus string `json:"desiredStatus,omitempty"`
	NextToken     string `json:"nextToken,omitempty"`
	MaxResults    *int   `json:"maxResults,omitempty"`
}

// ListTasksOutput is ListTasks' response.
type ListTasksOutput struct {
	TaskArns  []string `json:"taskArns"`
	NextToken string   `json:"nextToken,omitempty"`
}

// ListTasks lists the tasks of a cluster whose desired status is RUNNING
// (the default: jobs STARTING or RUNNING on its compute environment) or
// STOPPED (the attempts of its recent finished jobs).
func (s *Service) ListTasks(ctx context.Context, in *ListTasksInput) (*ListTasksOutput, error) {
	limit := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 100 {
			return nil, barge.Errorf(barge.EInvalid, "maxResults must be between 1 and 100.")
		}
		limit = *in.MaxResults
	}
	stopped := false
	switch in.DesiredStatus {
	case "", "RUNNING", "PENDING":
	case "STOPPED":
		stopped = true
	default:
		return nil, barge.Errorf(barge.EInvalid, "desiredStatus must be RUNNING, PENDING or STOPPED.")
	}
	ce, err := s.namedCluster(ctx, in.Cluster)
	if err != nil {
		return nil, err
	}
	jobs, err := s.clusterTasks(ctx, ce, stopped)
	if err != nil {
		return nil, err
	}
	var arns []string
	for _, j := range jobs {
		if !stopped {
			arns = append(arns, j.Runtime.TaskArn)
			continue
		}
		for _, a := range j.Attempts {
			if a.Container.ComputeEnvironment == ce.Name && a.Container.TaskArn != "" {
				arns = append(arns, a.Container.TaskArn)
			}
		}
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(arns) {
			return nil, barge.Errorf(barge.EInvalid, "Invalid nextToken: pass the nextToken of the previous response.")
		}
		start = n
	}
	out := &ListTasksOutput{TaskArns: []string{}}
	for i := start; i < len(arns); i++ {
		if len(out.TaskArns) == limit {
			out.NextToken = strconv.Itoa(i)
			break
		}
		out.TaskArns = append(out.TaskArns, arns[i])
	}
	return out, nil
}

// namedCluster returns the compute environment that cluster ref (a name or
// ARN; "" is ECS's "default") names, or ECS's ClusterNotFoundException.
func (s *Service) namedCluster(ctx context.Context, ref string) (*barge.ComputeEnvironment, error) {
	if ref == "" {
		ref = "default"
	}
	ces, err := s.computeEnvironments(ctx)
	if err != nil {
		return nil, err
	}
	ce := cluster(ces, ref)
	if ce == nil {
		return nil, barge.Errorf(eClusterNotFound, "Cluster not found.")
	}
	return ce, nil
}
