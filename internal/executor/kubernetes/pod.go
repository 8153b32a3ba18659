package kubernetes

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// pod returns the Pod of one attempt: an EKS job's own Pod (eksPod), or
// what a Fargate task would get, in Kubernetes' terms.
func (e *Executor) pod(spec *barge.TaskSpec) (*corev1.Pod, error) {
	if spec.Pod != nil {
		return e.eksPod(spec)
	}
	sc := &corev1.SecurityContext{}
	if spec.ReadonlyRootFilesystem {
		sc.ReadOnlyRootFilesystem = ptr.To(true)
	}
	if spec.User != "" {
		uid, gid, err := parseUser(spec.User)
		if err != nil {
			return nil, err
		}
		sc.RunAsUser, sc.RunAsGroup = uid, gid
	}
	names := slices.Sorted(maps.Keys(spec.Environment))
	env := make([]corev1.EnvVar, 0, len(names))
	for _, k := range names {
		env = append(env, corev1.EnvVar{Name: k, Value: spec.Environment[k]})
	}
	c := corev1.Container{
		Name:            containerName,
		Image:           spec.Image,
		Env:             env,
		Resources:       resources(spec),
		ImagePullPolicy: corev1.PullIfNotPresent,
		SecurityContext: sc,
	}
	if len(spec.Command) > 0 {
		// ECS semantics: the command replaces CMD (args); ENTRYPOINT stays.
		c.Args = slices.Clone(spec.Command)
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:        podName(spec.TaskID),
			Namespace:   e.ns,
			Labels:      e.labels(spec),
			Annotations: map[string]string{AnnotationJobID: spec.JobID},
			Finalizers:  []string{Finalizer},
		},
		Spec: corev1.PodSpec{
			Containers:                    []corev1.Container{c},
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr.To(int64(math.Ceil(e.stopGrace.Seconds()))),
			// A task has no business with the cluster's API, and a
			// service-account token would be one more volume to mount.
			AutomountServiceAccountToken: ptr.To(false),
			EnableServiceLinks:           ptr.To(false),
		},
	}, nil
}

// resources returns requests equal to limits: CPU from the task's vCPUs,
// memory from its MiB, ephemeral storage (which the kubelet enforces by
// eviction) from its GiB.
func resources(spec *barge.TaskSpec) corev1.ResourceRequirements {
	l := corev1.ResourceList{}
	if spec.VCPU > 0 {
		l[corev1.ResourceCPU] = *resource.NewMilliQuantity(int64(math.Round(spec.VCPU*1000)), resource.DecimalSI)
	}
	if spec.MemoryMiB > 0 {
		l[corev1.ResourceMemory] = *resource.NewQuantity(int64(spec.MemoryMiB)<<20, resource.BinarySI)
	}
	if spec.StorageGiB > 0 {
		l[corev1.ResourceEphemeralStorage] = *resource.NewQuantity(int64(spec.StorageGiB)<<30, resource.BinarySI)
	}
	if len(l) == 0 {
		return corev1.ResourceRequirements{}
	}
	return corev1.ResourceRequirements{Requests: l, Limits: l.DeepCopy()}
}

// parseUser parses a container user, "uid" or "uid:gid": Kubernetes runs
// containers as numeric IDs only.
func parseUser(user string) (uid, gid *int64, err error) {
	u, g, hasGroup := strings.Cut(user, ":")
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil || n < 0 {
		return nil, nil, barge.TaskFailed(barge.CannotCreateContainerError, "user %q: Kubernetes runs a container as a numeric user ID (uid or uid:gid)", user)
	}
	uid = &n
	if hasGroup {
		m, err := strconv.ParseInt(g, 10, 64)
		if err != nil || m < 0 {
			return nil, nil, barge.TaskFailed(barge.CannotCreateContainerError, "user %q: Kubernetes runs a container as a numeric group ID (uid:gid)", user)
		}
		gid = &m
	}
	return uid, gid, nil
}

// labels returns the labels of spec's Pod.
func (e *Executor) labels(spec *barge.TaskSpec) map[string]string {
	l := map[string]string{
		LabelManaged: "true",
		LabelTaskID:  spec.TaskID,
		LabelJobID:   labelValue(spec.JobID),
		LabelAttempt: strconv.Itoa(spec.Attempt),
	}
	if e.instance != "" {
		l[LabelInstance] = e.instance
	}
	for k, v := range spec.Tags {
		if name := labelValue(k); name != "" {
			l[LabelTagPrefix+name] = labelValue(v)
		}
	}
	return l
}

// labelValue turns s into a label value (also a valid label name when not
// empty): at most 63 of [A-Za-z0-9_.-], beginning and ending with a letter
// or digit. Other characters become '_'; "" stays "".
func labelValue(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			b[i] = '_'
		}
	}
	if len(b) > 63 {
		b = b[:63]
	}
	start, end := 0, len(b)
	for start < end && !isAlnum(b[start]) {
		start++
	}
	for end > start && !isAlnum(b[end-1]) {
		end--
	}
	return string(b[start:end])
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
