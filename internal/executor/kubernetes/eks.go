package kubernetes

import (
	"context"
	"fmt"
	"maps"
	"math"
	"strconv"

	"github.com/bargehq/barge"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// AnnotationTaskContainer names the container of a Pod whose exit is the
// task's and whose output is its log: "task" in the Pods of ECS-shaped
// tasks, the first container in an EKS job's Pod.
const AnnotationTaskContainer = "barge/task-container"

var _ barge.PodLocator = (*Executor)(nil)

// eksPod returns the Pod of an EKS job's attempt: spec.Pod as AWS Batch
// makes it (reference §5). Requests missing from a container's resources
// are its limits; a memory request without a limit gets an equal limit;
// a cpu request without a limit stays a soft share. hostNetwork is true
// and the DNS policy ClusterFirstWithHostNet unless the job says
// otherwise; allowPrivilegeEscalation is false unless it says otherwise.
// The Pod carries AWS Batch's labels (spec.PodLabels), the job's metadata
// and barge's own labels, which index it as any task's Pod.
func (e *Executor) eksPod(spec *barge.TaskSpec) (*corev1.Pod, error) {
	p := spec.Pod
	if ns := podNamespace(p); ns != "" && ns != e.ns {
		return nil, barge.TaskFailed(barge.CannotCreateContainerError, "podProperties.metadata.namespace %s: this cluster's executor runs Pods in namespace %s", ns, e.ns)
	}
	names := map[string]bool{}
	for _, cs := range [][]barge.EksContainer{p.Containers, p.InitContainers} {
		for _, c := range cs {
			names[c.Name] = true
		}
	}
	containers := make([]corev1.Container, len(p.Containers))
	for i := range p.Containers {
		containers[i] = eksContainer(&p.Containers[i], uniqueName(names, p.Containers[i].Name, "default", i))
	}
	var inits []corev1.Container
	for i := range p.InitContainers {
		inits = append(inits, eksContainer(&p.InitContainers[i], uniqueName(names, p.InitContainers[i].Name, "init", i)))
	}
	labels := map[string]string{}
	annotations := map[string]string{}
	if m := p.Metadata; m != nil {
		maps.Copy(labels, m.Labels)
		maps.Copy(annotations, m.Annotations)
	}
	maps.Copy(labels, spec.PodLabels)
	maps.Copy(labels, e.labels(spec))
	annotations[AnnotationJobID] = spec.JobID
	annotations[AnnotationTaskContainer] = containers[0].Name
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        podName(spec.TaskID),
			Namespace:   e.ns,
			Labels:      labels,
			Annotations: annotations,
			Finalizers:  []string{Finalizer},
		},
		Spec: corev1.PodSpec{
			Containers:                    containers,
			InitContainers:                inits,
			Volumes:                       eksVolumes(p.Volumes),
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr.To(int64(math.Ceil(e.stopGrace.Seconds()))),
			ServiceAccountName:            p.ServiceAccountName,
			HostNetwork:                   p.UsesHostNetwork(),
			DNSPolicy:                     corev1.DNSPolicy(p.EffectiveDNSPolicy()),
			ShareProcessNamespace:         p.ShareProcessNamespace,
			EnableServiceLinks:            ptr.To(false),
		},
	}
	if p.ServiceAccountName == "" {
		// Without a service account of its own the job has no business
		// with the cluster's API (with one, it is how it gets its role).
		pod.Spec.AutomountServiceAccountToken = ptr.To(false)
	}
	for _, s := range p.ImagePullSecrets {
		pod.Spec.ImagePullSecrets = append(pod.Spec.ImagePullSecrets, corev1.LocalObjectReference{Name: s.Name})
	}
	return pod, nil
}

func podNamespace(p *barge.EksPodProperties) string {
	if p.Metadata == nil {
		return ""
	}
	return p.Metadata.Namespace
}

// uniqueName returns name, or for a container without one, base (then
// base-i) not used by another container of the Pod. AWS's default
// container name is "Default", which Kubernetes spells "default".
func uniqueName(taken map[string]bool, name, base string, i int) string {
	if name != "" {
		return name
	}
	n := base
	if i > 0 || taken[n] {
		n = base + "-" + strconv.Itoa(i)
	}
	for taken[n] {
		n += "x"
	}
	taken[n] = true
	return n
}

// eksContainer returns c as a Kubernetes container named name.
func eksContainer(c *barge.EksContainer, name string) corev1.Container {
	out := corev1.Container{
		Name:            name,
		Image:           c.Image,
		ImagePullPolicy: corev1.PullPolicy(c.ImagePullPolicy),
		Command:         c.Command,
		Args:            c.Args,
		Resources:       eksResources(c.Resources),
	}
	for _, v := range c.Env {
		ev := corev1.EnvVar{Name: v.Name}
		if v.Value != nil {
			ev.Value = *v.Value
		}
		out.Env = append(out.Env, ev)
	}
	for _, m := range c.VolumeMounts {
		out.VolumeMounts = append(out.VolumeMounts, corev1.VolumeMount{Name: m.Name, MountPath: m.MountPath, SubPath: m.SubPath, ReadOnly: ptr.Deref(m.ReadOnly, false)})
	}
	sc := &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false)}
	if s := c.SecurityContext; s != nil {
		sc.RunAsUser, sc.RunAsGroup, sc.RunAsNonRoot = s.RunAsUser, s.RunAsGroup, s.RunAsNonRoot
		sc.Privileged, sc.ReadOnlyRootFilesystem = s.Privileged, s.ReadOnlyRootFilesystem
		if s.AllowPrivilegeEscalation != nil {
			sc.AllowPrivilegeEscalation = s.AllowPrivilegeEscalation
		}
	}
	if ptr.Deref(sc.Privileged, false) {
		// Kubernetes refuses a privileged container that may not
		// escalate; AWS's default of false yields to privileged.
		sc.AllowPrivilegeEscalation = nil
	}
	out.SecurityContext = sc
	return out
}

// eksResources returns a container's resources as AWS Batch sets them:
// limits as given, requests as given or else copied from the limits, and a
// memory or GPU limit equal to a request given alone (Kubernetes requires
// an extended resource's request and limit to be equal).
func eksResources(r *barge.EksResources) corev1.ResourceRequirements {
	if r == nil {
		return corev1.ResourceRequirements{}
	}
	limits, requests := corev1.ResourceList{}, corev1.ResourceList{}
	for k, v := range r.Limits {
		limits[corev1.ResourceName(k)] = eksQuantity(k, v)
	}
	for k, v := range r.Requests {
		requests[corev1.ResourceName(k)] = eksQuantity(k, v)
	}
	for k, v := range limits {
		if _, ok := requests[k]; !ok {
			requests[k] = v.DeepCopy()
		}
	}
	for _, k := range []corev1.ResourceName{corev1.ResourceMemory, barge.EksResourceGPU} {
		if _, ok := limits[k]; !ok {
			if v, ok := requests[k]; ok {
				limits[k] = v.DeepCopy()
			}
		}
	}
	out := corev1.ResourceRequirements{}
	if len(limits) > 0 {
		out.Limits = limits
	}
	if len(requests) > 0 {
		out.Requests = requests
	}
	return out
}

// eksQuantity parses a validated resource value: cpu in vCPUs (0.25
// steps), memory in Mi, GPUs whole.
func eksQuantity(name, v string) resource.Quantity {
	if name == barge.EksResourceCPU {
		f, _ := strconv.ParseFloat(v, 64)
		return *resource.NewMilliQuantity(int64(math.Round(f*1000)), resource.DecimalSI)
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return resource.Quantity{}
	}
	return q
}

// eksVolumes returns the Pod's volumes.
func eksVolumes(vs []barge.EksVolume) []corev1.Volume {
	var out []corev1.Volume
	for _, v := range vs {
		vol := corev1.Volume{Name: v.Name}
		switch {
		case v.HostPath != nil:
			vol.HostPath = &corev1.HostPathVolumeSource{Path: v.HostPath.Path}
		case v.EmptyDir != nil:
			ed := &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMedium(v.EmptyDir.Medium)}
			if v.EmptyDir.SizeLimit != "" {
				if q, err := resource.ParseQuantity(v.EmptyDir.SizeLimit); err == nil {
					ed.SizeLimit = &q
				}
			}
			vol.EmptyDir = ed
		case v.Secret != nil:
			vol.Secret = &corev1.SecretVolumeSource{SecretName: v.Secret.SecretName, Optional: v.Secret.Optional}
		case v.PersistentVolumeClaim != nil:
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: v.PersistentVolumeClaim.ClaimName, ReadOnly: ptr.Deref(v.PersistentVolumeClaim.ReadOnly, false)}
		}
		out = append(out, vol)
	}
	return out
}

// PodOf returns where taskID's Pod runs: its name, namespace and node (""
// until the scheduler binds it), from the informer's cache.
func (e *Executor) PodOf(ctx context.Context, taskID string) (barge.PodPlacement, error) {
	pod, err := e.pods.Get(podName(taskID))
	if apierrors.IsNotFound(err) {
		return barge.PodPlacement{}, notFound(taskID)
	}
	if err != nil {
		return barge.PodPlacement{}, fmt.Errorf("kubernetes: task %s: %w", taskID, err)
	}
	return barge.PodPlacement{Name: pod.Name, Namespace: pod.Namespace, NodeName: pod.Spec.NodeName}, nil
}

// taskContainer returns the name of the container of pod whose exit is the
// task's.
func taskContainer(pod *corev1.Pod) string {
	if n := pod.Annotations[AnnotationTaskContainer]; n != "" {
		return n
	}
	return containerName
}

// containerOutcomes returns how each container of an EKS job's Pod ended,
// in the Pod's order, and the exit code that is the attempt's: the first
// non-zero one of the app containers, else 0 when they all exited; nil
// when one has no exit code.
func containerOutcomes(pod *corev1.Pod) (apps, inits []barge.PodContainerOutcome, exit *int) {
	inits = outcomes(pod.Spec.InitContainers, pod.Status.InitContainerStatuses)
	apps = outcomes(pod.Spec.Containers, pod.Status.ContainerStatuses)
	for _, o := range apps {
		if o.ExitCode == nil {
			return apps, inits, nil
		}
		if exit == nil || (*exit == 0 && *o.ExitCode != 0) {
			exit = o.ExitCode
		}
	}
	return apps, inits, exit
}

func outcomes(cs []corev1.Container, statuses []corev1.ContainerStatus) []barge.PodContainerOutcome {
	out := make([]barge.PodContainerOutcome, len(cs))
	for i, c := range cs {
		out[i].Name = c.Name
		for _, st := range statuses {
			if st.Name != c.Name {
				continue
			}
			out[i].ContainerID = st.ContainerID
			switch t, w := st.State.Terminated, st.State.Waiting; {
			case t != nil:
				code := int(t.ExitCode)
				out[i].ExitCode = &code
				switch t.Reason {
				case "OOMKilled":
					out[i].Reason = ReasonOutOfMemory
				case "Completed", "Error":
				default:
					out[i].Reason = clipReason(t.Reason + ": " + t.Message)
				}
			case w != nil && w.Reason != "" && w.Reason != "PodInitializing" && w.Reason != "ContainerCreating":
				out[i].Reason = clipReason(w.Reason + ": " + w.Message)
			}
		}
	}
	return out
}

func clipReason(s string) string {
	if len(s) > maxReason {
		return s[:maxReason]
	}
	return s
}
