package kubernetes

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bargehq/barge"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// Reasons of attempts that Kubernetes ended rather than the task: each is
// both the container's reason and the attempt's statusReason (as AWS's
// "Host EC2 (instance …) terminated." is for a lost instance). Users match
// them in evaluateOnExit, so they are stable; the part after the colon is
// Kubernetes' own message.
const (
	// ReasonEvictedPrefix starts the reason of a Pod the kubelet or the
	// Eviction API evicted (ephemeral storage over its limit, node pressure,
	// a drain).
	ReasonEvictedPrefix = "Evicted: "
	// ReasonNodeLostPrefix starts the reason of a Pod whose node went away
	// or stopped answering.
	ReasonNodeLostPrefix = "NodeLost: "
	// ReasonPreemptedPrefix starts the reason of a Pod the scheduler
	// preempted for a higher-priority one.
	ReasonPreemptedPrefix = "Preempted: "
	// ReasonDeleted is the reason of a Pod that someone other than barge
	// deleted.
	ReasonDeleted = "PodDeleted: the task's Pod was deleted by someone other than barge"
)

// maxReason is AWS's limit on a container's reason.
const maxReason = 255

// Wait blocks until taskID's Pod has ended and returns how: the container's
// exit code and times, with the OOM reason when the kernel killed it for
// memory, and a reason when Kubernetes ended it (eviction, node loss,
// deletion).
func (e *Executor) Wait(ctx context.Context, taskID string) (barge.TaskResult, error) {
	var res barge.TaskResult
	err := e.watch(ctx, taskID, func(pod *corev1.Pod, _ bool) (bool, time.Duration, error) {
		if pod == nil {
			return true, 0, notFound(taskID)
		}
		r, ended := result(pod)
		res = r
		return ended, 0, nil
	})
	return res, err
}

// result returns how pod ended, and whether it has.
func result(pod *corev1.Pod) (barge.TaskResult, bool) {
	var r barge.TaskResult
	st := taskStatus(pod)
	var term *corev1.ContainerStateTerminated
	if st != nil {
		term = st.State.Terminated
	}
	ended := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
	disruption := disruptionReason(pod)
	switch {
	case ended:
	case pod.DeletionTimestamp != nil && pod.Spec.NodeName == "":
		// Deleted before a node took it: nothing will report more.
		ended = true
	case pod.DeletionTimestamp != nil && term != nil:
		// Deleted, and its container has ended. (Otherwise the phase
		// tells: the kubelet makes it terminal once the container has
		// stopped, with the Pod's reason, e.g. Evicted.)
		ended = true
	case pod.DeletionTimestamp != nil && isNodeLoss(pod):
		// Deleted with its node: no kubelet will report its end.
		ended = true
	}
	if !ended {
		return r, false
	}
	if term != nil {
		r.StartedAt, r.StoppedAt = term.StartedAt.Time, term.FinishedAt.Time
		if !r.StartedAt.IsZero() {
			code := int(term.ExitCode)
			r.ExitCode = &code
		}
	}
	if r.StoppedAt.IsZero() && pod.DeletionTimestamp != nil {
		r.StoppedAt = pod.DeletionTimestamp.Time
	}
	switch {
	case term != nil && term.Reason == "OOMKilled":
		r.Reason = ReasonOutOfMemory
	case term != nil && term.Reason == "StartError":
		r.Reason = "CannotStartContainerError: " + term.Message
	case pod.Status.Reason == "Evicted":
		// (The kubelet's message for storage ends with a space.)
		r.Reason = ReasonEvictedPrefix + strings.TrimSpace(pod.Status.Message)
		r.StoppedReason = r.Reason
	case disruption != "":
		r.Reason = disruption
		r.StoppedReason = r.Reason
	case pod.DeletionTimestamp != nil && pod.Spec.ActiveDeadlineSeconds == nil:
		// barge stops a task with a deadline first: a deletion without
		// one is someone else's.
		r.Reason = ReasonDeleted
		r.StoppedReason = r.Reason
	case term == nil && pod.Status.Reason != "":
		// Refused by the kubelet (e.g. OutOfcpu), or never started.
		r.Reason = pod.Status.Reason + ": " + pod.Status.Message
	}
	if _, eks := pod.Annotations[AnnotationTaskContainer]; eks {
		var exit *int
		r.Containers, r.InitContainers, exit = containerOutcomes(pod)
		if exit != nil && r.ExitCode != nil {
			r.ExitCode = exit
		}
	}
	r.Reason, r.StoppedReason = clipReason(r.Reason), clipReason(r.StoppedReason)
	return r, true
}

// disruptionReason returns the reason of the Pod's DisruptionTarget
// condition, "" when it has none.
func disruptionReason(pod *corev1.Pod) string {
	for _, c := range pod.Status.Conditions {
		if c.Type != corev1.DisruptionTarget || c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Reason {
		case "DeletionByTaintManager", "DeletionByPodGC":
			return ReasonNodeLostPrefix + c.Message
		case "PreemptionByScheduler":
			return ReasonPreemptedPrefix + c.Message
		default: // EvictionByEvictionAPI, TerminationByKubelet
			return ReasonEvictedPrefix + c.Message
		}
	}
	return ""
}

// isNodeLoss reports whether the Pod was deleted because its node is gone
// or unreachable.
func isNodeLoss(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.DisruptionTarget && c.Status == corev1.ConditionTrue &&
			(c.Reason == "DeletionByTaintManager" || c.Reason == "DeletionByPodGC") {
			return true
		}
	}
	return false
}

// Stop has the kubelet stop taskID's container: it sets the Pod's
// activeDeadlineSeconds, upon which the kubelet sends SIGTERM, SIGKILL after
// the Pod's terminationGracePeriodSeconds (Options.StopGrace), and keeps the
// Pod and its log. grace is not honoured: the kubelet cannot shorten a stop
// it began for a deadline (deleting the Pod again does not), and deleting
// the Pod instead would lose its log. Stop returns once the Pod has ended.
func (e *Executor) Stop(ctx context.Context, taskID string, grace time.Duration) error {
	pod, err := e.pods.Get(podName(taskID))
	if apierrors.IsNotFound(err) {
		return notFound(taskID)
	}
	if err != nil {
		return fmt.Errorf("kubernetes: task %s: %w", taskID, err)
	}
	if _, ended := result(pod); ended {
		return nil
	}
	// The deadline also marks the Pod as stopped by barge (result).
	if pod.Spec.ActiveDeadlineSeconds == nil {
		patch := []byte(`{"spec":{"activeDeadlineSeconds":1}}`)
		release, err := e.write(ctx)
		if err != nil {
			return err
		}
		_, err = e.cs.CoreV1().Pods(e.ns).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
		release()
		if err != nil {
			if apierrors.IsNotFound(err) {
				return notFound(taskID)
			}
			return fmt.Errorf("kubernetes: stopping task %s: %w", taskID, err)
		}
	}
	if pod.Spec.NodeName == "" || pod.Status.StartTime == nil {
		// Not on a node yet: nothing runs to be stopped.
		if err := e.delete(ctx, taskID, 0); err != nil {
			return err
		}
	}
	return e.watch(ctx, taskID, func(pod *corev1.Pod, _ bool) (bool, time.Duration, error) {
		if pod == nil {
			return true, 0, nil
		}
		_, ended := result(pod)
		return ended, 0, nil
	})
}

// delete deletes taskID's Pod with grace seconds; its finalizer keeps it.
func (e *Executor) delete(ctx context.Context, taskID string, grace int64) error {
	release, err := e.write(ctx)
	if err != nil {
		return err
	}
	err = e.cs.CoreV1().Pods(e.ns).Delete(ctx, podName(taskID), metav1.DeleteOptions{GracePeriodSeconds: ptr.To(grace)})
	release()
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("kubernetes: deleting the Pod of task %s: %w", taskID, err)
	}
	return nil
}

// Remove deletes taskID's Pod at once (killing its container if it still
// runs) and takes off its finalizer, and returns once the informer has seen
// it go. Its output goes with it: keeping logs is the runner's job. Removing
// a task that does not exist is not an error.
func (e *Executor) Remove(ctx context.Context, taskID string) error {
	if err := e.delete(ctx, taskID, 0); err != nil {
		return err
	}
	patch := []byte(`{"metadata":{"$deleteFromPrimitiveList/finalizers":["` + Finalizer + `"]}}`)
	release, err := e.write(ctx)
	if err != nil {
		return err
	}
	_, err = e.cs.CoreV1().Pods(e.ns).Patch(ctx, podName(taskID), types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	release()
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("kubernetes: removing task %s: %w", taskID, err)
	}
	return e.watch(ctx, taskID, func(pod *corev1.Pod, _ bool) (bool, time.Duration, error) {
		return pod == nil, 0, nil
	})
}

// List returns the tasks of every Pod of this executor's instance that has
// not been removed, from the informer's cache.
func (e *Executor) List(ctx context.Context) ([]barge.TaskInfo, error) {
	pods, err := e.pods.List(labels.Everything())
	if err != nil {
		return nil, fmt.Errorf("kubernetes: listing Pods: %w", err)
	}
	out := make([]barge.TaskInfo, 0, len(pods))
	for _, pod := range pods {
		id := pod.Labels[LabelTaskID]
		if id == "" || pod.Name != podName(id) {
			continue
		}
		attempt, _ := strconv.Atoi(pod.Labels[LabelAttempt])
		_, ended := result(pod)
		out = append(out, barge.TaskInfo{
			TaskID:  id,
			JobID:   pod.Annotations[AnnotationJobID],
			Attempt: attempt,
			Running: !ended,
		})
	}
	return out, nil
}
