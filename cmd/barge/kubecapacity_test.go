package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8s "k8s.io/client-go/kubernetes"
)

// TestKubernetesCapacity: on `barge server --executor kubernetes`, a compute
// environment of 256 vCPUs runs no more jobs than the test cluster's one
// node has room for. Of jobs of 1 vCPU, one more than fits stays RUNNABLE
// and says what the cluster has free, and runs once a job before it ends; a
// job bigger than the node waits and says so, never failing.
func TestKubernetesCapacity(t *testing.T) {
	kc := kubeCluster(t)
	cs, err := k8s.NewForConfig(kc.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// What the node has for barge: its allocatable CPU less others' Pods.
	node, err := cs.CoreV1().Nodes().Get(ctx, kc.Node, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	freeMilli := node.Status.Allocatable.Cpu().MilliValue()
	pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + kc.Node})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			for _, c := range p.Spec.Containers {
				freeMilli -= c.Resources.Requests.Cpu().MilliValue()
			}
		}
	}
	fit := int(math.Floor(float64(freeMilli) / 1000))
	if fit < 1 || fit > 8 {
		t.Skipf("the node has %dm CPU free: this test wants room for 1 to 8 jobs of 1 vCPU", freeMilli)
	}

	b := startKubeBarge(t, "--executor", "kubernetes", "--kubeconfig", kc.Kubeconfig, "--kube-namespace", kubeNamespace)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := b.ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ecsTaskExecutionRole"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	c := b.ts.batch()
	createFargateCE(t, c, "kube-ce", types.CRTypeFargate, 256)
	waitCEStatus(t, c, "kube-ce", types.CEStatusValid)
	createQueue(t, c, "kube-q", "kube-ce")
	register := func(name, vcpu, mem string, command ...string) {
		cp := fargateContainer(vcpu, mem)
		cp.Command = command
		registerDef(t, c, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String(name), Type: types.JobDefinitionTypeContainer,
			PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp})
	}
	register("one", "1", "2048", "sleep", "15")
	register("huge", "16", "32768", "true")

	huge := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("huge"), JobQueue: aws.String("kube-q"), JobDefinition: aws.String("huge")})
	var jobs []string
	for i := range fit + 1 {
		jobs = append(jobs, submit(t, c, &batch.SubmitJobInput{JobName: aws.String(fmt.Sprintf("one-%d", i)), JobQueue: aws.String("kube-q"), JobDefinition: aws.String("one")}))
	}

	// fit jobs run; the last waits for the cluster, saying so.
	last := jobs[fit]
	wantWait := "Waiting for cluster capacity: the job needs 1 vCPU; Kubernetes cluster "
	deadline := time.Now().Add(2 * time.Minute)
	for {
		running := 0
		for _, id := range jobs[:fit] {
			if describeJob(t, c, id).Status == types.JobStatusRunning {
				running++
			}
		}
		j := describeJob(t, c, last)
		if running == fit && j.Status == types.JobStatusRunnable && strings.HasPrefix(aws.ToString(j.StatusReason), wantWait) {
			break
		}
		if j.Status != types.JobStatusRunnable && j.Status != types.JobStatusSubmitted && j.Status != types.JobStatusPending {
			t.Fatalf("with %d jobs of 1 vCPU running on a node with room for %d, job %d is %s %q, want RUNNABLE", running, fit, fit, j.Status, aws.ToString(j.StatusReason))
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 2 minutes, %d of %d jobs run, and job %d is %s %q; want it RUNNABLE with %q...", running, fit, fit, j.Status, aws.ToString(j.StatusReason), wantWait)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if j := describeJob(t, c, huge); j.Status != types.JobStatusRunnable || !strings.HasPrefix(aws.ToString(j.StatusReason), "Waiting for a bigger node: the job needs ") {
		t.Errorf("a job of 16 vCPUs and 32 GiB on a node of %s CPUs = %s %q, want RUNNABLE waiting for a bigger node", node.Status.Allocatable.Cpu(), j.Status, aws.ToString(j.StatusReason))
	}

	// When the first jobs end, the last runs.
	for _, id := range jobs {
		if j := waitJob(t, c, id, 2*time.Minute); j.Status != types.JobStatusSucceeded {
			t.Errorf("job %s = %s %q, want SUCCEEDED", id, j.Status, aws.ToString(j.StatusReason))
		}
	}
	if j := describeJob(t, c, huge); j.Status != types.JobStatusRunnable {
		t.Errorf("the job bigger than the node = %s %q, want still RUNNABLE", j.Status, aws.ToString(j.StatusReason))
	}
	if _, err := c.CancelJob(ctx, &batch.CancelJobInput{JobId: aws.String(huge), Reason: aws.String("test over")}); err != nil {
		t.Fatal(err)
	}
	waitNoPods(t, kc)
}
