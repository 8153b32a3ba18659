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
	"github.com/bargehq/barge/internal/executor/kubernetes"
	"github.com/bargehq/barge/internal/kubecluster"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// kubeQueue starts a server with the kubernetes executor on the test
// cluster, and its job queue "q" on a Fargate compute environment "kube" of
// 16 vCPUs.
func kubeQueue(t *testing.T) (*kubecluster.Cluster, *kubeBarge, *batch.Client) {
	t.Helper()
	kc := kubeCluster(t)
	b := startKubeBarge(t, "--executor", "kubernetes", "--kubeconfig", kc.Kubeconfig, "--kube-namespace", kubeNamespace)
	c := b.ts.batch()
	createTaggedCE(t, c, "kube", types.CRTypeFargate, 16, nil)
	waitCEStatus(t, c, "kube", types.CEStatusValid)
	createQueue(t, c, "q", "kube")
	return kc, b, c
}

// TestKubernetesEviction runs jobs on the test cluster through the server
// and has Kubernetes evict their Pods, as it does on a node short of disk
// or in a drain; each evicted attempt fails with an Evicted reason, as its
// container reason and its statusReason, and the job is retried per its
// strategy:
//   - ephemeral storage: the first attempt of a job whose definition asks
//     for Fargate's smallest ephemeralStorage (21 GiB) allocates 22 GiB (with
//     fallocate: no data is written) and the kubelet evicts it; the second
//     succeeds;
//   - the Eviction API, which `kubectl drain` calls: the first attempt is
//     evicted while it runs, the second succeeds; a job with one attempt
//     fails with the reason.
//
// No Pod is left behind.
func TestKubernetesEviction(t *testing.T) {
	kc, b, c := kubeQueue(t)
	ctx := context.Background()
	role := createExecRole(t, b.ts)
	// The first attempt of each job is the one Kubernetes evicts; the
	// second succeeds.
	const (
		overStorage = `if [ "$AWS_BATCH_JOB_ATTEMPT" = 1 ]; then fallocate -l 22G /big && echo allocated; sleep 600; fi; echo attempt $AWS_BATCH_JOB_ATTEMPT`
		drained     = `if [ "$AWS_BATCH_JOB_ATTEMPT" = 1 ]; then trap 'echo got-term; exit 143' TERM; echo started; while true; do sleep 1; done; fi; echo attempt $AWS_BATCH_JOB_ATTEMPT`
	)
	define := func(name, script string, storageGiB int32) {
		t.Helper()
		registerScript(t, c, name, "busybox", role, script, func(in *batch.RegisterJobDefinitionInput) {
			in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(2)}
			if storageGiB > 0 {
				in.ContainerProperties.EphemeralStorage = &types.EphemeralStorage{SizeInGiB: aws.Int32(storageGiB)}
			}
		})
	}
	define("storage", overStorage, 21)
	define("drained", drained, 0)

	storage := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("storage"), JobQueue: aws.String("q"), JobDefinition: aws.String("storage")})
	retried := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("retried"), JobQueue: aws.String("q"), JobDefinition: aws.String("drained")})
	once := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("once"), JobQueue: aws.String("q"), JobDefinition: aws.String("drained"),
		RetryStrategy: &types.RetryStrategy{Attempts: aws.Int32(1)}})

	// Drain: evict the first attempts' Pods through the Eviction API once
	// they run.
	cs, err := k8s.NewForConfig(kc.Config)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{retried, once} {
		waitLogLine(t, b.ts, c, id, "started")
		pod := jobPod(t, cs, id)
		err := cs.CoreV1().Pods(kubeNamespace).EvictV1(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: pod, Namespace: kubeNamespace}})
		if err != nil {
			t.Fatalf("evicting the Pod %s of job %s = %v", pod, id, err)
		}
	}

	evicted := func(name string, a types.AttemptDetail, about string) {
		t.Helper()
		reason, status := aws.ToString(a.Container.Reason), aws.ToString(a.StatusReason)
		t.Logf("%s's evicted attempt: exit %d, reason %q", name, aws.ToInt32(a.Container.ExitCode), reason)
		if !strings.HasPrefix(reason, kubernetes.ReasonEvictedPrefix) || !strings.Contains(reason, about) || status != reason {
			t.Errorf("%s's evicted attempt: container reason %q, statusReason %q, want both %q... about %q", name, reason, status, kubernetes.ReasonEvictedPrefix, about)
		}
	}
	for _, tc := range []struct{ id, name, about string }{
		{storage, "storage", "ephemeral"},
		{retried, "retried", "Eviction API"},
	} {
		j := waitJob(t, c, tc.id, 4*time.Minute)
		if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 2 {
			t.Errorf("%s = %s %q with %d attempts, want SUCCEEDED with 2", tc.name, j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
			continue
		}
		evicted(tc.name, j.Attempts[0], tc.about)
		if a := j.Attempts[1]; aws.ToInt32(a.Container.ExitCode) != 0 || aws.ToString(a.StatusReason) != "Essential container in task exited" {
			t.Errorf("%s's second attempt = exit %d %q, want 0 and \"Essential container in task exited\"", tc.name, aws.ToInt32(a.Container.ExitCode), aws.ToString(a.StatusReason))
		}
		if got := kubeJobLog(t, b.ts, c, tc.id); strings.Join(got, " ") != "attempt 2" {
			t.Errorf("log of %s's second attempt = %q, want \"attempt 2\"", tc.name, got)
		}
	}
	j := waitJob(t, c, once, 2*time.Minute)
	if j.Status != types.JobStatusFailed || len(j.Attempts) != 1 || !strings.HasPrefix(aws.ToString(j.StatusReason), kubernetes.ReasonEvictedPrefix) {
		t.Errorf("once = %s %q with %d attempts, want FAILED with one evicted attempt", j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
	} else {
		evicted("once", j.Attempts[0], "Eviction API")
		// The container had SIGTERM first, as a drain gives it.
		if code := aws.ToInt32(j.Attempts[0].Container.ExitCode); code != 143 {
			t.Errorf("once's evicted attempt exited %d, want 143 (its trap of SIGTERM)", code)
		}
		if got := kubeJobLog(t, b.ts, c, once); strings.Join(got, " ") != "started got-term" {
			t.Errorf("log of once = %q, want started and got-term", got)
		}
	}
	waitNoPods(t, kc)
}

// jobPod returns the name of the Pod that runs job id's current attempt.
func jobPod(t *testing.T, cs k8s.Interface, id string) string {
	t.Helper()
	pods, err := cs.CoreV1().Pods(kubeNamespace).List(context.Background(), metav1.ListOptions{LabelSelector: kubernetes.LabelManaged + "=true"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Annotations[kubernetes.AnnotationJobID] == id && p.DeletionTimestamp == nil {
			return p.Name
		}
	}
	t.Fatalf("no Pod of job %s among %d", id, len(pods.Items))
	return ""
}

// TestKubernetesNodeLoss: a job's node is lost while it runs, as Kubernetes
// sees it: the node gets a NoExecute taint, which is what the node
// lifecycle controller does to a node that stops answering (the test's taint
// is its own, since the controller takes its own off a Ready node), and the
// taint manager deletes the job's Pod. The attempt fails with a NodeLost
// reason, as its container reason and statusReason; the job waits while no
// node takes its Pods and succeeds on its second attempt once the node is
// back. No Pod is left behind.
func TestKubernetesNodeLoss(t *testing.T) {
	kc, b, c := kubeQueue(t)
	ctx := context.Background()
	registerScript(t, c, "d", "busybox", createExecRole(t, b.ts),
		`if [ "$AWS_BATCH_JOB_ATTEMPT" = 1 ]; then trap 'exit 143' TERM; echo started; while true; do sleep 1; done; fi; echo attempt $AWS_BATCH_JOB_ATTEMPT`,
		func(in *batch.RegisterJobDefinitionInput) {
			in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(2)}
		})
	id := submit(t, c, &batch.SubmitJobInput{JobName: aws.String("lost"), JobQueue: aws.String("q"), JobDefinition: aws.String("d")})
	waitLogLine(t, b.ts, c, id, "started")

	cs, err := k8s.NewForConfig(kc.Config)
	if err != nil {
		t.Fatal(err)
	}
	pod, err := cs.CoreV1().Pods(kubeNamespace).Get(ctx, jobPod(t, cs, id), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lost := corev1.Taint{Key: "barge-test/lost", Effect: corev1.TaintEffectNoExecute}
	setTaint(t, cs, pod.Spec.NodeName, lost, true)
	t.Cleanup(func() { setTaint(t, cs, pod.Spec.NodeName, lost, false) })

	// The attempt ends; the next waits for a node.
	deadline := time.Now().Add(2 * time.Minute)
	j := describeJob(t, c, id)
	for ; len(j.Attempts) == 0; j = describeJob(t, c, id) {
		if time.Now().After(deadline) {
			t.Fatalf("job on a lost node = %s %q with no attempt ended", j.Status, aws.ToString(j.StatusReason))
		}
		time.Sleep(100 * time.Millisecond)
	}
	a := j.Attempts[0]
	reason, status := aws.ToString(a.Container.Reason), aws.ToString(a.StatusReason)
	t.Logf("the attempt on the lost node: exit %v, reason %q; the job %s %q", a.Container.ExitCode, reason, j.Status, aws.ToString(j.StatusReason))
	if !strings.HasPrefix(reason, kubernetes.ReasonNodeLostPrefix) || status != reason {
		t.Errorf("attempt on a lost node: container reason %q, statusReason %q, want both %q...", reason, status, kubernetes.ReasonNodeLostPrefix)
	}
	if j.Status == types.JobStatusSucceeded || j.Status == types.JobStatusFailed {
		t.Fatalf("job after its node was lost = %s, want it waiting for its second attempt", j.Status)
	}

	setTaint(t, cs, pod.Spec.NodeName, lost, false)
	j = waitJob(t, c, id, 2*time.Minute)
	if j.Status != types.JobStatusSucceeded || len(j.Attempts) != 2 {
		t.Fatalf("job after its node came back = %s %q with %d attempts, want SUCCEEDED with 2", j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
	}
	if got := kubeJobLog(t, b.ts, c, id); strings.Join(got, " ") != "attempt 2" {
		t.Errorf("log of the second attempt = %q, want \"attempt 2\"", got)
	}
	waitNoPods(t, kc)
}

// setTaint puts taint on node name, or takes it off.
func setTaint(t *testing.T, cs k8s.Interface, name string, taint corev1.Taint, on bool) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := cs.CoreV1().Nodes().Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		taints := slices.DeleteFunc(node.Spec.Taints, func(x corev1.Taint) bool { return x.Key == taint.Key })
		if on {
			taints = append(taints, taint)
		}
		node.Spec.Taints = taints
		_, err = cs.CoreV1().Nodes().Update(context.Background(), node, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("tainting node %s (%v) = %v", name, on, err)
	}
}
