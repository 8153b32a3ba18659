package kubernetes_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/kubernetes"
	"github.com/bargehq/barge/internal/kubecluster"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
)

// TestClusterCapacity: the executor knows, from its informers, what the
// cluster's nodes have free for barge's tasks: a Pod of someone else takes
// its requests off, a Ready node that joins adds its allocatable (and says
// that the capacity grew), a cordoned or deleted one takes it away; the
// biggest node bounds the biggest job. barge's own Pods are not taken off:
// the scheduler counts them.
func TestClusterCapacity(t *testing.T) {
	c := cluster(t)
	var grew atomic.Int64
	e, err := kubernetes.New(t.Context(), kubernetes.Options{Config: c.Config, Namespace: namespace,
		Instance: "capacity-test", Cluster: "test", CapacityGrew: func() { grew.Add(1) }})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	defer e.Close()
	cs, err := k8s.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	until := func(what string, ok func(barge.HostCapacity) bool) barge.HostCapacity {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			got := e.ClusterCapacity()
			if ok(got) {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("ClusterCapacity = %+v, never %s", got, what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	base := e.ClusterCapacity()
	if base.Cluster != "test" || base.VCPU <= 0 || base.MemoryMiB <= 0 || base.NodeVCPU != base.VCPU {
		t.Fatalf("ClusterCapacity = %+v, want cluster test, the one node's room", base)
	}

	// Someone else's Pod on the node takes 500m and 256 MiB.
	other := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "capacity-other", Namespace: namespace},
		Spec: corev1.PodSpec{NodeName: c.Node, Containers: []corev1.Container{{Name: "c", Image: kubecluster.BusyboxImage,
			ImagePullPolicy: corev1.PullNever, Command: []string{"sleep", "600"},
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")}}}}},
	}
	if _, err := cs.CoreV1().Pods(namespace).Create(ctx, other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	until("less the other Pod's requests", func(got barge.HostCapacity) bool {
		return abs(got.VCPU-(base.VCPU-0.5)) < 1e-9 && got.MemoryMiB == base.MemoryMiB-256
	})
	grew.Store(0)
	zero := int64(0)
	if err := cs.CoreV1().Pods(namespace).Delete(ctx, other.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	until("the other Pod's requests back", func(got barge.HostCapacity) bool { return got == base })
	if grew.Load() == 0 {
		t.Errorf("CapacityGrew not called when the other Pod's requests were freed")
	}

	// A Ready node of 8 vCPUs and 16 GiB joins: its room is added, and it is
	// the biggest node. (No kubelet runs it: the test says it is Ready.)
	grew.Store(0)
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "barge-capacity-test"}}
	if node, err = cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	defer cs.CoreV1().Nodes().Delete(context.Background(), node.Name, metav1.DeleteOptions{})
	room := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("8"), corev1.ResourceMemory: resource.MustParse("16Gi"), corev1.ResourcePods: resource.MustParse("110")}
	// The node controllers write the new node too (taints, annotations):
	// its status is set on the newest version, again after a conflict.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := cs.CoreV1().Nodes().Get(ctx, node.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Status = corev1.NodeStatus{Capacity: room, Allocatable: room, Conditions: []corev1.NodeCondition{{
			Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}}
		// A failed update returns an empty Node: keep the name for the retry.
		_, err = cs.CoreV1().Nodes().UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Cordoned at once, so that no other test's Pod lands there.
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node.Name, types.MergePatchType, []byte(`{"spec":{"unschedulable":true}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	until("without the cordoned node", func(got barge.HostCapacity) bool { return got == base })
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node.Name, types.MergePatchType, []byte(`{"spec":{"unschedulable":false}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	got := until("with the new node's 8 vCPUs", func(got barge.HostCapacity) bool { return abs(got.VCPU-(base.VCPU+8)) < 1e-9 })
	if got.MemoryMiB != base.MemoryMiB+16384 || got.NodeVCPU != max(8, base.NodeVCPU) || got.NodeMemoryMiB != max(16384, base.NodeMemoryMiB) {
		t.Errorf("with the new node, ClusterCapacity = %+v (before %+v)", got, base)
	}
	if grew.Load() == 0 {
		t.Errorf("CapacityGrew not called when a node joined")
	}
	if err := cs.CoreV1().Nodes().Delete(ctx, node.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	until("without the deleted node", func(got barge.HostCapacity) bool { return got == base })

	// barge's own Pod takes nothing off: the scheduler counts it.
	spec := &barge.TaskSpec{TaskID: strings.Repeat("c", 32), JobID: "j", Attempt: 1, VCPU: 0.25, MemoryMiB: 128,
		Image: kubecluster.BusyboxImage, Command: []string{"sleep", "300"}}
	if err := e.Start(ctx, spec); err != nil {
		t.Fatalf("Start = %v", err)
	}
	defer e.Remove(context.Background(), spec.TaskID)
	if got := e.ClusterCapacity(); got != base {
		t.Errorf("with barge's own Pod running, ClusterCapacity = %+v, want %+v", got, base)
	}
}

// TestUnschedulable: a task whose Pod no node can take keeps Start waiting,
// never failing it, and PendingReason gives the Kubernetes scheduler's
// reason; once it ends, the task is removed.
func TestUnschedulable(t *testing.T) {
	c := cluster(t)
	e := newExecutor(t, c, "unschedulable-test")
	spec := &barge.TaskSpec{TaskID: strings.Repeat("u", 32), JobID: "j", Attempt: 1, VCPU: 512, MemoryMiB: 128,
		Image: kubecluster.BusyboxImage, Command: []string{"true"}}
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan error, 1)
	go func() { started <- e.Start(ctx, spec) }()
	defer e.Remove(context.Background(), spec.TaskID)
	deadline := time.Now().Add(time.Minute)
	var why string
	for why == "" {
		select {
		case err := <-started:
			t.Fatalf("Start of a Pod no node can take returned %v, want it to wait", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("PendingReason still empty after a minute")
		}
		time.Sleep(50 * time.Millisecond)
		why = e.PendingReason(spec.TaskID)
	}
	want := "Waiting for cluster capacity: the Kubernetes scheduler cannot place the job's Pod barge-" + spec.TaskID + " yet: 0/"
	if !strings.HasPrefix(why, want) || !strings.Contains(why, "Insufficient cpu") {
		t.Errorf("PendingReason = %q, want %q... Insufficient cpu", why, want)
	}
	cancel()
	if err := <-started; !errors.Is(err, context.Canceled) {
		t.Errorf("Start after its context ended = %v, want context.Canceled", err)
	}
}

func abs(f float64) float64 { return max(f, -f) }
