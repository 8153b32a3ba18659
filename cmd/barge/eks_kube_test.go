package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// TestKubernetesEKS runs AWS Batch on EKS's workflow on the test cluster:
// an EKS compute environment whose eksClusterArn names the kubeconfig's
// context "second", a queue, a definition with an init container, and a
// submission with eksPropertiesOverride and two attempts. Each attempt
// runs as the job's own Pod in the compute environment's namespace, and
// DescribeJobs reports both in eksAttempts (Pod, node, namespace, cluster,
// exit code) and the last one's Pod in eksProperties; the Pod's output is
// in the job's log stream. An EKS compute environment naming a cluster the
// kubeconfig does not know says so in its statusReason. No Pod is left.
func TestKubernetesEKS(t *testing.T) {
	kc := kubeCluster(t)
	const ns = "barge-e2e-eks"
	kubeconfig := secondContext(t, kc, ns)
	b := startKubeBarge(t, "--executor", "process", "--kubeconfig", kubeconfig)
	c := b.ts.batch()
	ctx := context.Background()

	const arn = "arn:aws:eks:us-east-1:123456789012:cluster/second"
	in := eksCEInput("eks", ns)
	in.EksConfiguration.EksClusterArn = aws.String(arn)
	if _, err := c.CreateComputeEnvironment(ctx, in); err != nil {
		t.Fatal(err)
	}
	unknown := eksCEInput("eks-unknown", ns)
	unknown.EksConfiguration.EksClusterArn = aws.String("arn:aws:eks:us-east-1:123456789012:cluster/nope")
	if _, err := c.CreateComputeEnvironment(ctx, unknown); err != nil {
		t.Fatal(err)
	}
	waitCEStatus(t, c, "eks", types.CEStatusValid)
	waitCEStatus(t, c, "eks-unknown", types.CEStatusValid)
	pollUntil(t, func() string { return "the statusReason of an EKS compute environment of an unknown cluster to say so" }, func() bool {
		ce, _ := describeCE(t, c, "eks-unknown")
		return strings.Contains(aws.ToString(ce.StatusReason), "nope")
	})
	createQueue(t, c, "eks-q", "eks")

	off := false
	main := types.EksContainer{Name: aws.String("main"), Image: aws.String("busybox"), ImagePullPolicy: aws.String("IfNotPresent"),
		Command: []string{"sh", "-c"}, Args: []string{"echo not overridden"},
		Resources:    &types.EksContainerResourceRequirements{Limits: map[string]string{"cpu": "0.25", "memory": "64Mi"}},
		VolumeMounts: []types.EksContainerVolumeMount{{Name: aws.String("work"), MountPath: aws.String("/work")}}}
	def := eksDefInput("pod", main)
	pp := def.EksProperties.PodProperties
	pp.HostNetwork = &off // the Pod's own network, not the host's
	pp.InitContainers = []types.EksContainer{{Name: aws.String("fill"), Image: aws.String("busybox"), ImagePullPolicy: aws.String("IfNotPresent"),
		Command:      []string{"sh", "-c", "echo from-init > /work/msg"},
		VolumeMounts: []types.EksContainerVolumeMount{{Name: aws.String("work"), MountPath: aws.String("/work")}}}}
	pp.Volumes = []types.EksVolume{{Name: aws.String("work"), EmptyDir: &types.EksEmptyDir{}}}
	def.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(2)}
	registerDef(t, c, def)

	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("eks"), JobQueue: aws.String("eks-q"), JobDefinition: aws.String("pod"),
		EksPropertiesOverride: &types.EksPropertiesOverride{PodProperties: &types.EksPodPropertiesOverride{
			Containers: []types.EksContainerOverride{{Name: aws.String("main"),
				Args: []string{`cat /work/msg; echo "attempt $AWS_BATCH_JOB_ATTEMPT of $AWS_BATCH_JOB_ID"; exit 3`}}}}}})
	j := waitJob(t, c, id, 3*time.Minute)
	if j.Status != types.JobStatusFailed || len(j.EksAttempts) != 2 {
		t.Fatalf("job = %s %q with eksAttempts %+v, want FAILED after 2", j.Status, aws.ToString(j.StatusReason), j.EksAttempts)
	}
	for i, a := range j.EksAttempts {
		if !strings.HasPrefix(aws.ToString(a.PodName), "barge-") || aws.ToString(a.NodeName) == "" || aws.ToString(a.PodNamespace) != ns ||
			aws.ToString(a.EksClusterArn) != arn || len(a.Containers) != 1 || aws.ToInt32(a.Containers[0].ExitCode) != 3 ||
			aws.ToString(a.Containers[0].ContainerID) == "" || len(a.InitContainers) != 1 || aws.ToInt32(a.InitContainers[0].ExitCode) != 0 ||
			aws.ToInt64(a.StartedAt) == 0 || aws.ToInt64(a.StoppedAt) < aws.ToInt64(a.StartedAt) {
			t.Errorf("eksAttempts[%d] = %+v (containers %+v, init %+v), want a Pod in %s on a node of %s whose main container exited 3",
				i, a, a.Containers, a.InitContainers, ns, arn)
		}
	}
	last := j.EksProperties.PodProperties
	if aws.ToString(last.PodName) != aws.ToString(j.EksAttempts[1].PodName) || aws.ToString(last.NodeName) == "" ||
		len(last.Containers) != 1 || aws.ToInt32(last.Containers[0].ExitCode) != 3 {
		t.Errorf("eksProperties.podProperties = %+v, want the last attempt's Pod and exit code", last)
	}
	task := strings.TrimPrefix(aws.ToString(j.EksAttempts[1].PodName), "barge-")
	lines := logLines(t, b.ts, "/aws/batch/job", "pod/default/"+task)
	if want := []string{"from-init", "attempt 2 of " + id}; !slices.Equal(lines, want) {
		t.Errorf("second attempt's log = %q, want %q", lines, want)
	}
	waitNoPodsIn(t, kc, ns)
}
