package kubernetes

import (
	"context"
	"errors"
	"time"

	"github.com/bargehq/barge"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Start creates the task's Pod and returns once its container runs (or has
// already ended). A Pod whose image cannot be pulled for PullTimeout fails
// with CannotPullContainerError, one whose container cannot be created or
// started with CannotCreateContainerError or CannotStartContainerError; the
// Pod is then deleted. A Pod that waits for a node waits with Start (the
// scheduler's reason is the cluster's shortage). Starting a task whose Pod
// exists (running, ended or still starting) creates nothing: a runner that
// died inside Start can call it again and nothing runs twice.
func (e *Executor) Start(ctx context.Context, spec *barge.TaskSpec) error {
	if spec.Image == "" {
		return barge.TaskFailed(barge.CannotPullContainerError, "the job has no image")
	}
	pod, err := e.pod(spec)
	if err != nil {
		return err
	}
	release, err := e.write(ctx)
	if err != nil {
		return barge.InfrastructureFailed(barge.CannotCreateContainerError, err, "barge stopped while starting the task")
	}
	_, err = e.cs.CoreV1().Pods(e.ns).Create(ctx, pod, metav1.CreateOptions{})
	release()
	if err != nil && !apierrors.IsAlreadyExists(err) {
		var status apierrors.APIStatus
		switch {
		case ctx.Err() != nil:
			return barge.InfrastructureFailed(barge.CannotCreateContainerError, err, "barge stopped while starting the task")
		case !errors.As(err, &status):
			// No answer from the API server: the cluster's failure.
			return barge.InfrastructureFailed(barge.ContainerRuntimeError, err, "the Kubernetes API server does not answer: %v", err)
		case overloaded(err):
			// The Pod may exist: a Start again finds it (AlreadyExists).
			return barge.InfrastructureFailed(barge.ContainerRuntimeError, err, "the Kubernetes API server could not create the task's Pod now: %s", apiMessage(err))
		}
		return barge.TaskFailed(barge.CannotCreateContainerError, "%s", apiMessage(err))
	}
	var failure *barge.TaskError
	var failingSince time.Time // when the current pull or create failure began
	err = e.watch(ctx, spec.TaskID, func(pod *corev1.Pod, _ bool) (bool, time.Duration, error) {
		if pod == nil {
			// Not in the informer's cache yet, or deleted by someone else.
			return false, 0, nil
		}
		if _, ended := result(pod); ended {
			if st := taskStatus(pod); st != nil && st.State.Terminated != nil && st.State.Terminated.Reason == "StartError" {
				failure = barge.TaskFailed(barge.CannotStartContainerError, "%s", st.State.Terminated.Message)
			}
			return true, 0, nil
		}
		st := taskStatus(pod)
		if st == nil {
			return false, 0, nil
		}
		if st.State.Running != nil || st.State.Terminated != nil {
			return true, 0, nil
		}
		w := st.State.Waiting
		if iw := initWaiting(pod); iw != nil {
			w = iw // an EKS job's init container cannot start
		}
		if w == nil {
			return false, 0, nil
		}
		kind, immediate := waitingFailure(w.Reason)
		if kind == "" {
			failingSince = time.Time{}
			return false, 0, nil
		}
		if failingSince.IsZero() {
			failingSince = time.Now()
		}
		left := e.pullTimeout - time.Since(failingSince)
		if immediate || left <= 0 {
			failure = barge.TaskFailed(kind, "%s: %s", w.Reason, w.Message)
			return true, 0, nil
		}
		return false, left, nil
	})
	if err != nil {
		if _, ok := barge.AsTaskError(err); !ok {
			err = barge.InfrastructureFailed(barge.CannotStartContainerError, err, "%v", err)
		}
		return err
	}
	if failure != nil {
		if err := e.Remove(context.WithoutCancel(ctx), spec.TaskID); err != nil {
			e.log.Warn("removing the Pod of a task that failed to start", "task_id", spec.TaskID, "error", err)
		}
		return failure
	}
	return nil
}

// waitingFailure classifies the reason a container waits: the kind of the
// failure ("" while it is only starting), and whether the failure is final
// at once rather than after a bounded wait.
func waitingFailure(reason string) (kind barge.TaskErrorKind, immediate bool) {
	switch reason {
	case "ErrImagePull", "ImagePullBackOff", "RegistryUnavailable", "SignatureValidationFailed":
		return barge.CannotPullContainerError, false
	case "InvalidImageName", "ErrImageNeverPull":
		return barge.CannotPullContainerError, true
	case "CreateContainerConfigError", "CreateContainerError":
		return barge.CannotCreateContainerError, false
	case "RunContainerError", "PreStartHookError", "PostStartHookError":
		return barge.CannotStartContainerError, false
	}
	return "", false
}

// initWaiting returns the waiting state of the first init container that
// fails to start, nil when none does.
func initWaiting(pod *corev1.Pod) *corev1.ContainerStateWaiting {
	for _, st := range pod.Status.InitContainerStatuses {
		if w := st.State.Waiting; w != nil {
			if kind, _ := waitingFailure(w.Reason); kind != "" {
				return w
			}
		}
	}
	return nil
}

// taskStatus returns the status of the task's container; nil before the
// kubelet has reported one.
func taskStatus(pod *corev1.Pod) *corev1.ContainerStatus {
	for i := range pod.Status.ContainerStatuses {
		if pod.Status.ContainerStatuses[i].Name == taskContainer(pod) {
			return &pod.Status.ContainerStatuses[i]
		}
	}
	return nil
}

// apiMessage returns the API server's message of err.
func apiMessage(err error) string {
	if s, ok := err.(apierrors.APIStatus); ok && s.Status().Message != "" {
		return s.Status().Message
	}
	return err.Error()
}

// PendingReason returns why taskID's Pod waits for a node, as the
// Kubernetes scheduler says (PodScheduled False, Unschedulable), read from
// the informer's cache; "" when it does not wait for one.
func (e *Executor) PendingReason(taskID string) string {
	pod, err := e.pods.Get(podName(taskID))
	if err != nil {
		return ""
	}
	return unschedulable(pod)
}

var _ barge.PendingReasoner = (*Executor)(nil)

// unschedulable returns why pod waits for a node, "" when it does not.
func unschedulable(pod *corev1.Pod) string {
	if pod.Spec.NodeName != "" {
		return ""
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return barge.FitReason("Waiting for cluster capacity: the Kubernetes scheduler cannot place the job's Pod %s yet: %s", pod.Name, c.Message)
		}
	}
	return ""
}

// overloaded reports whether err is the API server's failure rather than
// the Pod's: a timeout, too many requests, or a server error. The task is
// not to blame, and its job is placed again without using an attempt.
func overloaded(err error) bool {
	return apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) || apierrors.IsTooManyRequests(err) ||
		apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) || apierrors.IsUnexpectedServerError(err)
}
