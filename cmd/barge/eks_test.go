package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"

	"github.com/bargehq/barge/internal/executor/simulate"
)

const testClusterArn = "arn:aws:eks:us-east-1:123456789012:cluster/batch-cluster"

// eksCEInput is an EKS compute environment of EC2 capacity on
// testClusterArn, in namespace ns.
func eksCEInput(name, ns string) *batch.CreateComputeEnvironmentInput {
	return &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String(name),
		Type:                   types.CETypeManaged,
		ComputeResources: &types.ComputeResource{Type: types.CRTypeEc2, MaxvCpus: aws.Int32(16), MinvCpus: aws.Int32(0),
			InstanceTypes: []string{"m5"}, InstanceRole: aws.String("arn:aws:iam::123456789012:instance-profile/eksNodeRole"),
			Subnets: []string{"subnet-0123456789abcdef0"}, SecurityGroupIds: []string{"sg-0123456789abcdef0"}},
		EksConfiguration: &types.EksConfiguration{EksClusterArn: aws.String(testClusterArn), KubernetesNamespace: aws.String(ns)},
	}
}

// eksContainer is an EKS container of busybox with 1 vCPU and 1 GiB.
func eksContainer(name string, env ...string) types.EksContainer {
	c := types.EksContainer{Name: aws.String(name), Image: aws.String("busybox"), Command: []string{"sh", "-c"}, Args: []string{"echo hello"},
		Resources: &types.EksContainerResourceRequirements{Limits: map[string]string{"cpu": "1", "memory": "1024Mi"}}}
	for i := 0; i+1 < len(env); i += 2 {
		c.Env = append(c.Env, types.EksContainerEnvironmentVariable{Name: aws.String(env[i]), Value: aws.String(env[i+1])})
	}
	return c
}

func eksDefInput(name string, containers ...types.EksContainer) *batch.RegisterJobDefinitionInput {
	return &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String(name), Type: types.JobDefinitionTypeContainer,
		EksProperties: &types.EksProperties{PodProperties: &types.EksPodProperties{Containers: containers}}}
}

// TestEKSComputeEnvironments: a compute environment with eksConfiguration
// is described with it and containerOrchestrationType EKS, without an ECS
// cluster; AWS's rules for the cluster ARN, the namespace and the capacity
// type refuse bad ones, which are not created; an update keeps the cluster;
// its queues are of type EKS and take no ECS compute environment.
func TestEKSComputeEnvironments(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	if _, err := c.CreateComputeEnvironment(ctx, eksCEInput("eks", "batch-jobs")); err != nil {
		t.Fatalf("CreateComputeEnvironment = %v", err)
	}
	ce := waitCEStatus(t, c, "eks", types.CEStatusValid)
	if ce.ContainerOrchestrationType != types.OrchestrationTypeEks || ce.EcsClusterArn != nil || ce.EksConfiguration == nil ||
		aws.ToString(ce.EksConfiguration.EksClusterArn) != testClusterArn || aws.ToString(ce.EksConfiguration.KubernetesNamespace) != "batch-jobs" {
		t.Errorf("compute environment = orchestration %s, ecsClusterArn %v, eksConfiguration %+v; want EKS, none, %s in batch-jobs",
			ce.ContainerOrchestrationType, aws.ToString(ce.EcsClusterArn), ce.EksConfiguration, testClusterArn)
	}

	for _, tc := range []struct {
		name string
		edit func(*batch.CreateComputeEnvironmentInput)
		want string
	}{
		{"fargate", func(in *batch.CreateComputeEnvironmentInput) {
			in.ComputeResources = &types.ComputeResource{Type: types.CRTypeFargate, MaxvCpus: aws.Int32(4), Subnets: []string{"subnet-0123456789abcdef0"}}
		}, "computeResources.type FARGATE is not supported with eksConfiguration"},
		{"default namespace", func(in *batch.CreateComputeEnvironmentInput) {
			in.EksConfiguration.KubernetesNamespace = aws.String("default")
		}, `eksConfiguration.kubernetesNamespace "default" is not valid`},
		{"kube namespace", func(in *batch.CreateComputeEnvironmentInput) {
			in.EksConfiguration.KubernetesNamespace = aws.String("kube-system")
		}, `"kube-system" is not valid`},
		{"empty namespace", func(in *batch.CreateComputeEnvironmentInput) {
			in.EksConfiguration.KubernetesNamespace = aws.String("")
		}, "eksConfiguration.kubernetesNamespace is required"},
		{"not a cluster", func(in *batch.CreateComputeEnvironmentInput) {
			in.EksConfiguration.EksClusterArn = aws.String("arn:aws:ecs:us-east-1:123456789012:cluster/x")
		}, "is not an EKS cluster ARN"},
	} {
		in := eksCEInput("bad-"+strings.ReplaceAll(tc.name, " ", "-"), "batch")
		tc.edit(in)
		_, err := c.CreateComputeEnvironment(ctx, in)
		wantClientError(t, err, tc.want)
		if _, found := describeCE(t, c, aws.ToString(in.ComputeEnvironmentName)); found {
			t.Errorf("%s: the refused compute environment exists", tc.name)
		}
	}

	if _, err := c.UpdateComputeEnvironment(ctx, &batch.UpdateComputeEnvironmentInput{ComputeEnvironment: aws.String("eks"),
		ComputeResources: &types.ComputeResourceUpdate{MaxvCpus: aws.Int32(32)}}); err != nil {
		t.Fatalf("UpdateComputeEnvironment = %v", err)
	}
	ce = waitCEStatus(t, c, "eks", types.CEStatusValid)
	if aws.ToInt32(ce.ComputeResources.MaxvCpus) != 32 || ce.EksConfiguration == nil || aws.ToString(ce.EksConfiguration.EksClusterArn) != testClusterArn {
		t.Errorf("after the update: maxvCpus %d, eksConfiguration %+v; want 32, unchanged", aws.ToInt32(ce.ComputeResources.MaxvCpus), ce.EksConfiguration)
	}

	createQueue(t, c, "eks-q", "eks")
	if q, _ := describeJQ(t, c, "eks-q"); q.JobQueueType != types.JobQueueTypeEks {
		t.Errorf("queue of an EKS compute environment: jobQueueType %s, want EKS", q.JobQueueType)
	}
	snap, err := c.GetJobQueueSnapshot(ctx, &batch.GetJobQueueSnapshotInput{JobQueue: aws.String("eks-q")})
	if err != nil || snap.QueueUtilization == nil || len(snap.QueueUtilization.TotalCapacityUsage) != 1 ||
		aws.ToString(snap.QueueUtilization.TotalCapacityUsage[0].CapacityUnit) != "cpu" {
		t.Errorf("GetJobQueueSnapshot(EKS queue) = %+v, %v; want its capacity in the unit cpu, as AWS counts EKS capacity", snap, err)
	}
	createFargateCE(t, c, "ecs", types.CRTypeFargate, 4)
	waitCEStatus(t, c, "ecs", types.CEStatusValid)
	_, err = c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("mixed"), Priority: aws.Int32(1),
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{ComputeEnvironment: aws.String("eks"), Order: aws.Int32(1)}, {ComputeEnvironment: aws.String("ecs"), Order: aws.Int32(2)}}})
	wantClientError(t, err, "must all be EKS (eksConfiguration) or all ECS")
	_, err = c.CreateJobQueue(ctx, &batch.CreateJobQueueInput{JobQueueName: aws.String("typed"), Priority: aws.Int32(1), JobQueueType: types.JobQueueTypeEcs,
		ComputeEnvironmentOrder: []types.ComputeEnvironmentOrder{{ComputeEnvironment: aws.String("eks"), Order: aws.Int32(1)}}})
	wantClientError(t, err, "jobQueueType ECS does not match the queue's compute environments, which make it EKS")
}

// TestEKSJobDefinitions: an EKS job definition is registered with its
// whole Pod and described as it was given, with containerOrchestrationType
// EKS; AWS's rules refuse bad ones (no container, bad resources, a mount
// of no volume, platformCapabilities), which are not registered.
func TestEKSJobDefinitions(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	main := eksContainer("main", "A", "1")
	main.VolumeMounts = []types.EksContainerVolumeMount{{Name: aws.String("scratch"), MountPath: aws.String("/scratch")}, {Name: aws.String("data"), MountPath: aws.String("/data"), ReadOnly: aws.Bool(true)}}
	main.SecurityContext = &types.EksContainerSecurityContext{RunAsUser: aws.Int64(1000), RunAsGroup: aws.Int64(1000), ReadOnlyRootFilesystem: aws.Bool(true)}
	in := eksDefInput("pod", main)
	pp := in.EksProperties.PodProperties
	pp.InitContainers = []types.EksContainer{{Name: aws.String("init"), Image: aws.String("busybox"), Command: []string{"true"}}}
	pp.ServiceAccountName, pp.HostNetwork, pp.DnsPolicy = aws.String("runner"), aws.Bool(false), aws.String("ClusterFirst")
	pp.Volumes = []types.EksVolume{
		{Name: aws.String("scratch"), EmptyDir: &types.EksEmptyDir{Medium: aws.String("Memory"), SizeLimit: aws.String("64Mi")}},
		{Name: aws.String("data"), PersistentVolumeClaim: &types.EksPersistentVolumeClaim{ClaimName: aws.String("data"), ReadOnly: aws.Bool(true)}},
		{Name: aws.String("host"), HostPath: &types.EksHostPath{Path: aws.String("/tmp")}},
		{Name: aws.String("creds"), Secret: &types.EksSecret{SecretName: aws.String("creds"), Optional: aws.Bool(true)}},
	}
	pp.Metadata = &types.EksMetadata{Labels: map[string]string{"team": "etl"}, Annotations: map[string]string{"example.com/owner": "a"}}
	registerDef(t, c, in)
	registerDef(t, c, fargateDefInput("ecs"))
	for name, want := range map[string]types.OrchestrationType{"pod": types.OrchestrationTypeEks, "ecs": types.OrchestrationTypeEcs} {
		out, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{JobDefinitionName: aws.String(name)})
		if err != nil || len(out.JobDefinitions) != 1 || out.JobDefinitions[0].ContainerOrchestrationType != want {
			t.Fatalf("DescribeJobDefinitions(%s) = %+v, %v; want containerOrchestrationType %s", name, out, err, want)
		}
		if name != "pod" {
			continue
		}
		got := out.JobDefinitions[0].EksProperties.PodProperties
		gc := got.Containers[0]
		if aws.ToString(got.ServiceAccountName) != "runner" || aws.ToBool(got.HostNetwork) || aws.ToString(got.DnsPolicy) != "ClusterFirst" ||
			len(got.Volumes) != 4 || aws.ToString(got.Volumes[0].EmptyDir.Medium) != "Memory" || aws.ToString(got.Volumes[1].PersistentVolumeClaim.ClaimName) != "data" ||
			aws.ToString(got.Volumes[2].HostPath.Path) != "/tmp" || aws.ToString(got.Volumes[3].Secret.SecretName) != "creds" ||
			got.Metadata.Labels["team"] != "etl" || len(got.InitContainers) != 1 ||
			aws.ToString(gc.Name) != "main" || gc.Resources.Limits["memory"] != "1024Mi" || len(gc.VolumeMounts) != 2 ||
			aws.ToInt64(gc.SecurityContext.RunAsUser) != 1000 || strings.Join(gc.Args, " ") != "echo hello" || aws.ToString(gc.Env[0].Value) != "1" {
			t.Errorf("described Pod = %+v, want it as registered", got)
		}
	}

	for _, tc := range []struct {
		name string
		in   *batch.RegisterJobDefinitionInput
		want string
	}{
		{"no container", eksDefInput("empty"), "Containers must be provided for Batch on EKS jobs."},
		{"millicores", func() *batch.RegisterJobDefinitionInput {
			c := eksContainer("m")
			c.Resources.Limits["cpu"] = "500m"
			return eksDefInput("millicores", c)
		}(), `limits.cpu "500m" is not valid`},
		{"memory unequal", func() *batch.RegisterJobDefinitionInput {
			c := eksContainer("m")
			c.Resources.Requests = map[string]string{"memory": "512Mi"}
			return eksDefInput("unequal", c)
		}(), `requests.memory "512Mi" differs from limits.memory "1024Mi"`},
		{"no memory", func() *batch.RegisterJobDefinitionInput {
			c := eksContainer("m")
			delete(c.Resources.Limits, "memory")
			return eksDefInput("nomemory", c)
		}(), "resources must give memory"},
		{"unknown mount", func() *batch.RegisterJobDefinitionInput {
			c := eksContainer("m")
			c.VolumeMounts = []types.EksContainerVolumeMount{{Name: aws.String("x"), MountPath: aws.String("/x")}}
			return eksDefInput("mount", c)
		}(), `volumeMounts[0].name "x" names no volume of the Pod`},
		{"reserved env", eksDefInput("env", eksContainer("m", "AWS_BATCH_X", "1")), "reserved for variables that Batch sets"},
		{"platform capabilities", func() *batch.RegisterJobDefinitionInput {
			in := eksDefInput("platform", eksContainer("m"))
			in.PlatformCapabilities = []types.PlatformCapability{types.PlatformCapabilityEc2}
			return in
		}(), "platformCapabilities must not be set for a job definition with eksProperties"},
	} {
		_, err := c.RegisterJobDefinition(ctx, tc.in)
		wantClientError(t, err, tc.want)
		out, err := c.DescribeJobDefinitions(ctx, &batch.DescribeJobDefinitionsInput{JobDefinitionName: tc.in.JobDefinitionName})
		if err != nil || len(out.JobDefinitions) != 0 {
			t.Errorf("%s: DescribeJobDefinitions = %+v, %v; want none registered", tc.name, out, err)
		}
	}
}

// TestEKSSubmitMismatch: AWS refuses an EKS job definition submitted to a
// queue of ECS compute environments and the reverse, container overrides
// on an EKS job, and eksPropertiesOverride on an ECS one; no job is made.
func TestEKSSubmitMismatch(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ctx := context.Background()
	if _, err := c.CreateComputeEnvironment(ctx, eksCEInput("eks", "batch")); err != nil {
		t.Fatal(err)
	}
	waitCEStatus(t, c, "eks", types.CEStatusValid)
	createQueue(t, c, "eks-q", "eks")
	createFargateCE(t, c, "ecs", types.CRTypeFargate, 4)
	waitCEStatus(t, c, "ecs", types.CEStatusValid)
	createQueue(t, c, "ecs-q", "ecs")
	registerDef(t, c, eksDefInput("pod", eksContainer("main")))
	registerDef(t, c, fargateDefInput("ecs"))

	for _, tc := range []struct {
		name string
		in   batch.SubmitJobInput
		want string
	}{
		{"eks on ecs", batch.SubmitJobInput{JobQueue: aws.String("ecs-q"), JobDefinition: aws.String("pod")},
			"Job Queue is attached to Compute Environment that can not run Jobs with container orchestration type EKS"},
		{"ecs on eks", batch.SubmitJobInput{JobQueue: aws.String("eks-q"), JobDefinition: aws.String("ecs")},
			"Job Queue is attached to Compute Environment that can not run Jobs with container orchestration type ECS"},
		{"container overrides", batch.SubmitJobInput{JobQueue: aws.String("eks-q"), JobDefinition: aws.String("pod"),
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"x"}}},
			"Container overrides or node overrides should not be set for Batch on EKS jobs."},
		{"eks override on ecs", batch.SubmitJobInput{JobQueue: aws.String("ecs-q"), JobDefinition: aws.String("ecs"),
			EksPropertiesOverride: &types.EksPropertiesOverride{PodProperties: &types.EksPodPropertiesOverride{}}},
			"eksPropertiesOverride is not applicable for Fargate"},
		{"override of no container", batch.SubmitJobInput{JobQueue: aws.String("eks-q"), JobDefinition: aws.String("pod"),
			EksPropertiesOverride: &types.EksPropertiesOverride{PodProperties: &types.EksPodPropertiesOverride{
				Containers: []types.EksContainerOverride{{Name: aws.String("other"), Args: []string{"x"}}}}}},
			`containers[0].name "other" matches no container`},
	} {
		tc.in.JobName = aws.String(strings.ReplaceAll(tc.name, " ", "-"))
		_, err := c.SubmitJob(ctx, &tc.in)
		wantClientError(t, err, tc.want)
	}
	for _, q := range []string{"eks-q", "ecs-q"} {
		out, err := c.ListJobs(ctx, &batch.ListJobsInput{JobQueue: aws.String(q), Filters: []types.KeyValuesPair{{Name: aws.String("JOB_NAME"), Values: []string{"*"}}}})
		if err != nil || len(out.JobSummaryList) != 0 {
			t.Errorf("ListJobs(%s) = %+v, %v; want no jobs", q, out, err)
		}
	}
}

// TestEKSJobSimulated runs an EKS job on a simulating server: DescribeJobs
// shows its Pod (the definition with the override applied) with its
// podName and nodeName, each container's exit code, and one eksAttempt per
// attempt, with the cluster, Pod, node and times; the ECS members
// (container, attempts) stay empty.
func TestEKSJobSimulated(t *testing.T) {
	t0 := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	clock := simulate.NewManualClock(t0)
	ts := startSimulateServer(t, "", clock)
	c := ts.batch()
	ctx := context.Background()
	if _, err := c.CreateComputeEnvironment(ctx, eksCEInput("eks", "batch")); err != nil {
		t.Fatal(err)
	}
	waitCEStatus(t, c, "eks", types.CEStatusValid)
	createQueue(t, c, "eks-q", "eks")
	def := eksDefInput("pod", eksContainer("main", "BARGE_SIMULATE_DURATION", "1m", "BARGE_SIMULATE_EXIT_CODE", "0"))
	def.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(2)}
	registerDef(t, c, def)

	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("fails"), JobQueue: aws.String("eks-q"), JobDefinition: aws.String("pod"),
		EksPropertiesOverride: &types.EksPropertiesOverride{PodProperties: &types.EksPodPropertiesOverride{
			Containers: []types.EksContainerOverride{{Name: aws.String("main"), Args: []string{"echo overridden"},
				Env: []types.EksContainerEnvironmentVariable{{Name: aws.String("BARGE_SIMULATE_EXIT_CODE"), Value: aws.String("7")}}}},
			Metadata: &types.EksMetadata{Labels: map[string]string{"run": "one"}}}}})
	j := waitJobStatus(t, c, id, types.JobStatusRunning)
	pp := j.EksProperties.PodProperties
	if !strings.HasPrefix(aws.ToString(pp.PodName), "barge-") || aws.ToString(pp.NodeName) != simulate.SimulatedNode {
		t.Errorf("running job: podName %q, nodeName %q; want barge-<task>, %s", aws.ToString(pp.PodName), aws.ToString(pp.NodeName), simulate.SimulatedNode)
	}
	if len(pp.Containers) != 1 || strings.Join(pp.Containers[0].Args, " ") != "echo overridden" || pp.Metadata.Labels["run"] != "one" {
		t.Errorf("running job's Pod = %+v, want the definition's with the override applied", pp)
	}
	if len(j.EksAttempts) != 0 || j.Container != nil || len(j.Attempts) != 0 {
		t.Errorf("running job: eksAttempts %+v, container %+v, attempts %+v; want none", j.EksAttempts, j.Container, j.Attempts)
	}
	firstPod := aws.ToString(pp.PodName)

	clock.Advance(time.Minute) // the first attempt exits 7; the second starts
	pollUntil(t, func() string { return "the second attempt to run" }, func() bool {
		j = describeJob(t, c, id)
		return len(j.EksAttempts) == 1 && j.Status == types.JobStatusRunning
	})
	clock.Advance(time.Minute)
	j = waitJobStatus(t, c, id, types.JobStatusFailed)
	if len(j.EksAttempts) != 2 {
		t.Fatalf("eksAttempts = %+v, want 2", j.EksAttempts)
	}
	for i, a := range j.EksAttempts {
		if len(a.Containers) != 1 || aws.ToInt32(a.Containers[0].ExitCode) != 7 || aws.ToString(a.Containers[0].Name) != "main" ||
			aws.ToString(a.EksClusterArn) != testClusterArn || !strings.HasPrefix(aws.ToString(a.PodName), "barge-") ||
			aws.ToString(a.NodeName) != simulate.SimulatedNode || aws.ToInt64(a.StartedAt) == 0 || aws.ToInt64(a.StoppedAt) < aws.ToInt64(a.StartedAt) ||
			aws.ToString(a.StatusReason) != "Essential container in task exited" {
			t.Errorf("eksAttempts[%d] = %+v (containers %+v), want main exited 7 on pod barge-… of %s", i, a, a.Containers, testClusterArn)
		}
	}
	if aws.ToString(j.EksAttempts[0].PodName) != firstPod || aws.ToString(j.EksAttempts[1].PodName) == firstPod {
		t.Errorf("attempts' Pods = %s, %s; want the first one seen running, then a new one", aws.ToString(j.EksAttempts[0].PodName), aws.ToString(j.EksAttempts[1].PodName))
	}
	last := j.EksProperties.PodProperties
	if aws.ToString(last.PodName) != aws.ToString(j.EksAttempts[1].PodName) || aws.ToInt32(last.Containers[0].ExitCode) != 7 {
		t.Errorf("finished job's Pod: %q exit %d, want the last attempt's %q exit 7", aws.ToString(last.PodName), aws.ToInt32(last.Containers[0].ExitCode), aws.ToString(j.EksAttempts[1].PodName))
	}
}
