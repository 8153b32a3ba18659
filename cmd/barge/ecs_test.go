package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func (ts *testServer) ecs() *ecs.Client {
	return ecs.NewFromConfig(ts.awsConfig(), func(o *ecs.Options) { o.BaseEndpoint = aws.String(ts.URL) })
}

// TestECSReadOnly debugs jobs the AWS way: the compute environment's
// ecsClusterArn is listed and described as an ECS cluster, and a job's
// taskArn is described as an ECS task, running and then stopped.
func TestECSReadOnly(t *testing.T) {
	ts := startProcessServer(t, nil)
	c, e := ts.batch(), ts.ecs()
	ctx := context.Background()
	createFargateCE(t, c, "ecs-ce", types.CRTypeFargate, 4)
	ce := waitCEStatus(t, c, "ecs-ce", types.CEStatusValid)
	clusterArn := aws.ToString(ce.EcsClusterArn)
	createQueue(t, c, "ecs-q", "ecs-ce")
	def := func(name string, command ...string) {
		container := fargateContainer("0.25", "512")
		container.Command = command
		if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String(name), Type: types.JobDefinitionTypeContainer,
			PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: container}); err != nil {
			t.Fatal(err)
		}
	}
	def("exit3", "sh", "-c", "exit 3")
	def("sleeper", "sleep", "60")

	clusters, err := e.ListClusters(ctx, &ecs.ListClustersInput{})
	if err != nil || !slices.Contains(clusters.ClusterArns, clusterArn) {
		t.Fatalf("ListClusters = %+v, %v, want %s", clusters, err, clusterArn)
	}

	sleeper := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("sleeper"), JobQueue: aws.String("ecs-q"), JobDefinition: aws.String("sleeper")})
	running := waitStatus(t, c, sleeper, types.JobStatusRunning)
	taskArn := aws.ToString(running.Container.TaskArn)
	tasks, err := e.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(clusterArn), Tasks: []string{taskArn}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks.Tasks) != 1 || aws.ToString(tasks.Tasks[0].LastStatus) != "RUNNING" || aws.ToString(tasks.Tasks[0].TaskArn) != taskArn {
		t.Fatalf("DescribeTasks(running job's task) = %+v, want it RUNNING", tasks)
	}
	if task := tasks.Tasks[0]; task.LaunchType != "FARGATE" || aws.ToString(task.Cpu) != "256" || aws.ToString(task.Memory) != "512" ||
		len(task.Containers) != 1 || aws.ToString(task.Containers[0].Image) != "busybox:latest" {
		t.Errorf("task = %+v, want a FARGATE task of 256 CPU units, 512 MiB, with the job's image", task)
	}
	list, err := e.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(clusterArn)})
	if err != nil || !slices.Equal(list.TaskArns, []string{taskArn}) {
		t.Errorf("ListTasks = %+v, %v, want the running job's task", list, err)
	}
	cs, err := e.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{clusterArn, "nonesuch"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Clusters) != 1 || cs.Clusters[0].RunningTasksCount != 1 || aws.ToString(cs.Clusters[0].Status) != "ACTIVE" {
		t.Errorf("DescribeClusters = %+v, want the cluster ACTIVE with one running task", cs.Clusters)
	}
	if len(cs.Failures) != 1 || aws.ToString(cs.Failures[0].Reason) != "MISSING" {
		t.Errorf("DescribeClusters failures = %+v, want nonesuch MISSING", cs.Failures)
	}
	if _, err := c.TerminateJob(ctx, &batch.TerminateJobInput{JobId: aws.String(sleeper), Reason: aws.String("done")}); err != nil {
		t.Fatal(err)
	}

	failed := waitJob(t, c, submit(t, c, &batch.SubmitJobInput{JobName: aws.String("exit3"), JobQueue: aws.String("ecs-q"), JobDefinition: aws.String("exit3")}), time.Minute)
	stoppedArn := aws.ToString(failed.Container.TaskArn)
	// By ID, with the cluster's name, as `aws ecs describe-tasks` users do.
	tasks, err = e.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(clusterArn[len("arn:aws:ecs:us-east-1:123456789012:cluster/"):]),
		Tasks: []string{stoppedArn[len(stoppedArn)-32:], "0123456789abcdef0123456789abcdef"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks.Tasks) != 1 || aws.ToString(tasks.Tasks[0].LastStatus) != "STOPPED" || aws.ToInt32(tasks.Tasks[0].Containers[0].ExitCode) != 3 {
		t.Errorf("DescribeTasks(stopped task) = %+v, want it STOPPED with exit code 3", tasks.Tasks)
	}
	if len(tasks.Failures) != 1 || aws.ToString(tasks.Failures[0].Reason) != "MISSING" {
		t.Errorf("DescribeTasks failures = %+v, want the unknown task MISSING", tasks.Failures)
	}

	waitStatus(t, c, sleeper, types.JobStatusFailed)
	list, err = e.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(clusterArn), DesiredStatus: ecstypes.DesiredStatusStopped})
	if err != nil || !slices.Contains(list.TaskArns, stoppedArn) || !slices.Contains(list.TaskArns, taskArn) {
		t.Errorf("ListTasks(STOPPED) = %+v, %v, want both jobs' tasks", list, err)
	}
	_, err = e.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String("nonesuch"), Tasks: []string{taskArn}})
	if code := apiErrorCode(err); code != "ClusterNotFoundException" {
		t.Errorf("DescribeTasks(unknown cluster) = %v, want ClusterNotFoundException", err)
	}
}
