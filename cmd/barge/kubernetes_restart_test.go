package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"k8s.io/client-go/tools/clientcmd"
)

// TestKubernetesRestartClusterUnreachable kills barge with SIGKILL while
// jobs run on a cluster, and restarts it with a kubeconfig whose context
// points at a dead address: barge starts, the compute environment's
// statusReason says the cluster cannot be reached, and the jobs stay
// RUNNING. Once the kubeconfig is fixed (no restart: barge reads it at
// each connection attempt), barge connects, adopts the Pod still running,
// records the one that ended meanwhile, loses no log line, and leaves no
// Pod behind.
func TestKubernetesRestartClusterUnreachable(t *testing.T) {
	kc := kubeCluster(t)
	const ns = "barge-e2e-3"
	kubeconfig := secondContext(t, kc, ns)
	good, err := os.ReadFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	raw.Clusters[raw.Contexts["second"].Cluster].Server = "https://127.0.0.1:1"
	dead, err := clientcmd.Write(*raw)
	if err != nil {
		t.Fatal(err)
	}

	b := startKubeBarge(t, "--executor", "process", "--kubeconfig", kubeconfig)
	c := b.ts.batch()
	ctx := context.Background()
	createTaggedCE(t, c, "kube", types.CRTypeFargate, 16, map[string]string{"barge:executor": "kubernetes", "barge:kube-context": "second"})
	waitCEStatus(t, c, "kube", types.CEStatusValid)
	createQueue(t, c, "q", "kube")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := b.ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.Image, cp.ExecutionRoleArn = aws.String("busybox"), role.Role.Arn
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("d"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	job := func(name, script string) string {
		return submit(t, c, &batch.SubmitJobInput{JobName: aws.String(name), JobQueue: aws.String("q"), JobDefinition: aws.String("d"),
			ContainerOverrides: &types.ContainerOverrides{Command: []string{"sh", "-c", script}}})
	}
	var lines []string
	for i := 1; i <= 40; i++ {
		lines = append(lines, "line-"+strconv.Itoa(i))
	}
	long := job("long", "for l in "+strings.Join(lines, " ")+"; do echo $l; sleep 1; done")
	short := job("short", "echo short-start; sleep 2; echo short-end")
	waitLogLine(t, b.ts, c, long, lines[1])
	waitLogLine(t, b.ts, c, short, "short-start")

	b.kill()
	if err := os.WriteFile(kubeconfig, dead, 0o600); err != nil {
		t.Fatal(err)
	}
	b.start(t) // waits for /healthz: barge started
	c = b.ts.batch()
	const want = "barge cannot run tasks on its Kubernetes cluster"
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		got := aws.ToString(waitCEStatus(t, c, "kube", types.CEStatusValid).StatusReason)
		if strings.Contains(got, want) && strings.Contains(got, "127.0.0.1:1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("statusReason of the compute environment whose cluster cannot be reached = %q, want it to say %q", got, want)
		}
	}
	for _, id := range []string{long, short} {
		if j := describeJob(t, c, id); j.Status != types.JobStatusRunning {
			t.Errorf("job %s while its cluster cannot be reached = %s %q, want RUNNING", aws.ToString(j.JobName), j.Status, aws.ToString(j.StatusReason))
		}
	}

	if err := os.WriteFile(kubeconfig, good, 0o600); err != nil {
		t.Fatal(err)
	}
	for id, lines := range map[string]string{long: strings.Join(lines, " "), short: "short-start short-end"} {
		j := waitJob(t, c, id, 3*time.Minute)
		if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 {
			t.Errorf("job %s once its cluster answers = %s %q with %d attempts, want SUCCEEDED once", aws.ToString(j.JobName), j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
		}
		if got := strings.Join(kubeJobLog(t, b.ts, c, id), " "); got != lines {
			t.Errorf("log of %s = %q, want %q (every line once)", aws.ToString(j.JobName), got, lines)
		}
	}
	if got := aws.ToString(waitCEStatus(t, c, "kube", types.CEStatusValid).StatusReason); strings.Contains(got, want) {
		t.Errorf("statusReason once the cluster answers = %q, want no complaint", got)
	}
	waitNoPodsIn(t, kc, ns)
}

// TestKubernetesDefaultClusterUnreachable starts `barge server --executor
// kubernetes` with a kubeconfig whose context points at a dead address:
// barge starts, a compute environment's statusReason says its cluster
// cannot be reached, and a job waits RUNNABLE with that reason rather than
// failing. It needs no cluster.
func TestKubernetesDefaultClusterUnreachable(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	dead := `apiVersion: v1
kind: Config
clusters:
- name: dead
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: dead
  context:
    cluster: dead
current-context: dead
`
	if err := os.WriteFile(kubeconfig, []byte(dead), 0o600); err != nil {
		t.Fatal(err)
	}
	b := startKubeBarge(t, "--executor", "kubernetes", "--kubeconfig", kubeconfig) // waits for /healthz: barge started
	c := b.ts.batch()
	ctx := context.Background()
	createTaggedCE(t, c, "kube", types.CRTypeFargate, 16, nil)
	const want = "barge cannot run tasks on its Kubernetes cluster"
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		got := aws.ToString(waitCEStatus(t, c, "kube", types.CEStatusValid).StatusReason)
		if strings.Contains(got, want) && strings.Contains(got, "127.0.0.1:1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("statusReason of the compute environment whose cluster cannot be reached = %q, want it to say %q", got, want)
		}
	}
	createQueue(t, c, "q", "kube")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := b.ts.iam().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	cp := fargateContainer("0.25", "512")
	cp.ExecutionRoleArn = role.Role.Arn
	if _, err := c.RegisterJobDefinition(ctx, &batch.RegisterJobDefinitionInput{JobDefinitionName: aws.String("d"), Type: types.JobDefinitionTypeContainer,
		PlatformCapabilities: []types.PlatformCapability{types.PlatformCapabilityFargate}, ContainerProperties: cp}); err != nil {
		t.Fatal(err)
	}
	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("waits"), JobQueue: aws.String("q"), JobDefinition: aws.String("d")})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		j := describeJob(t, c, id)
		if j.Status == types.JobStatusRunnable && strings.Contains(aws.ToString(j.StatusReason), want) {
			break
		}
		if j.Status != types.JobStatusSubmitted && j.Status != types.JobStatusPending && j.Status != types.JobStatusRunnable || time.Now().After(deadline) {
			t.Fatalf("job on a cluster that cannot be reached = %s %q, want RUNNABLE saying %q", j.Status, aws.ToString(j.StatusReason), want)
		}
	}
}
