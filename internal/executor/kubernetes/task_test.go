package kubernetes

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestResult maps Pods as the kubelet and the controllers leave them to
// tasks' results. (The real cluster's tests cover what a test cluster can
// produce: exits, OOM kills, stops, deletion; evictions and lost nodes are
// built here.)
func TestResult(t *testing.T) {
	start := metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	stop := metav1.NewTime(start.Add(time.Minute))
	terminated := func(code int32, reason string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: containerName, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: code, Reason: reason, StartedAt: start, FinishedAt: stop}}}
	}
	running := corev1.ContainerStatus{Name: containerName, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: start}}}
	pod := func(phase corev1.PodPhase, st corev1.ContainerStatus, edit func(*corev1.Pod)) *corev1.Pod {
		p := &corev1.Pod{Spec: corev1.PodSpec{NodeName: "n1"}, Status: corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{st}}}
		if edit != nil {
			edit(p)
		}
		return p
	}
	deleted := func(p *corev1.Pod) { p.DeletionTimestamp = &stop }
	disrupted := func(reason, msg string) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.DeletionTimestamp = &stop
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{
				Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, Reason: reason, Message: msg})
		}
	}
	byKubernetes := map[string]bool{"evicted for storage": true, "node lost": true, "drained": true,
		"deleted by others": true, "deleted before a node took it": true}
	for _, c := range []struct {
		name   string
		pod    *corev1.Pod
		ended  bool
		code   *int
		reason string
	}{
		{"running", pod(corev1.PodRunning, running, nil), false, nil, ""},
		{"exited 0", pod(corev1.PodSucceeded, terminated(0, "Completed"), nil), true, ptr.To(0), ""},
		{"exited 3", pod(corev1.PodFailed, terminated(3, "Error"), nil), true, ptr.To(3), ""},
		// The kubelet makes the phase terminal after the container: until then, no end.
		{"container ended, phase not yet", pod(corev1.PodRunning, terminated(137, "Error"), nil), false, nil, ""},
		{"OOM", pod(corev1.PodFailed, terminated(137, "OOMKilled"), nil), true, ptr.To(137), ReasonOutOfMemory},
		{"evicted for storage", pod(corev1.PodFailed, terminated(137, "Error"), func(p *corev1.Pod) {
			p.Status.Reason, p.Status.Message = "Evicted", "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. "
		}), true, ptr.To(137), "Evicted: Pod ephemeral local storage usage exceeds the total limit of containers 1Gi."},
		{"node lost", pod(corev1.PodRunning, running, disrupted("DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")),
			true, nil, "NodeLost: Taint manager: deleting due to NoExecute taint"},
		{"drained", pod(corev1.PodFailed, terminated(143, "Error"), disrupted("EvictionByEvictionAPI", "Eviction API: evicting")),
			true, ptr.To(143), "Evicted: Eviction API: evicting"},
		{"deleted by others", pod(corev1.PodFailed, terminated(143, "Error"), deleted), true, ptr.To(143), ReasonDeleted},
		{"stopped by barge", pod(corev1.PodFailed, terminated(137, "Error"), func(p *corev1.Pod) {
			deleted(p)
			p.Spec.ActiveDeadlineSeconds = ptr.To[int64](1)
		}), true, ptr.To(137), ""},
		{"deleted before a node took it", &corev1.Pod{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &stop}, Status: corev1.PodStatus{Phase: corev1.PodPending}},
			true, nil, ReasonDeleted},
		{"refused by the kubelet", &corev1.Pod{Spec: corev1.PodSpec{NodeName: "n1"}, Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "OutOfcpu", Message: "Node didn't have enough resource: cpu"}},
			true, nil, "OutOfcpu: Node didn't have enough resource: cpu"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, ended := result(c.pod)
			if ended != c.ended {
				t.Fatalf("ended = %v, want %v", ended, c.ended)
			}
			if !ended {
				return
			}
			if (r.ExitCode == nil) != (c.code == nil) || r.ExitCode != nil && *r.ExitCode != *c.code {
				t.Errorf("exit code = %v, want %v", r.ExitCode, c.code)
			}
			if r.Reason != c.reason {
				t.Errorf("reason = %q, want %q", r.Reason, c.reason)
			}
			// What Kubernetes ended is the attempt's statusReason too;
			// what the container or barge ended is not.
			want := ""
			if byKubernetes[c.name] {
				want = c.reason
			}
			if r.StoppedReason != want {
				t.Errorf("stopped reason = %q, want %q", r.StoppedReason, want)
			}
		})
	}
}
