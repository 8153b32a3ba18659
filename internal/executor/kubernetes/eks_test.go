package kubernetes

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestEksPod builds the Pod of an EKS job from its podProperties, as AWS
// Batch does: containers with command and args as given, resources with
// requests defaulted from limits, volumes, mounts, security context,
// service account, host network and DNS policy, and AWS Batch's labels
// beside the job's own and barge's.
func TestEksPod(t *testing.T) {
	var pod barge.EksPodProperties
	if err := json.Unmarshal([]byte(`{
		"serviceAccountName":"runner","imagePullSecrets":[{"name":"regcred"}],
		"containers":[
			{"image":"busybox","command":["sh","-c"],"args":["echo $(A)"],"env":[{"name":"A","value":"1"}],
			 "resources":{"limits":{"cpu":"1.5","memory":"1024Mi"}},
			 "volumeMounts":[{"name":"scratch","mountPath":"/scratch"},{"name":"data","mountPath":"/data","subPath":"in","readOnly":true}],
			 "securityContext":{"runAsUser":1000,"runAsGroup":2000,"readOnlyRootFilesystem":true}},
			{"name":"side","image":"busybox:1.36","imagePullPolicy":"Always","resources":{"requests":{"cpu":"0.25","memory":"64Mi"}},
			 "securityContext":{"privileged":true}}],
		"initContainers":[{"image":"busybox","command":["true"]}],
		"volumes":[{"name":"scratch","emptyDir":{"medium":"Memory","sizeLimit":"128Mi"}},{"name":"data","persistentVolumeClaim":{"claimName":"data","readOnly":true}},
			{"name":"host","hostPath":{"path":"/var/tmp"}},{"name":"creds","secret":{"secretName":"creds","optional":true}}],
		"metadata":{"labels":{"app":"etl"},"annotations":{"example.com/owner":"team-a"}}}`), &pod); err != nil {
		t.Fatal(err)
	}
	e := &Executor{ns: "batch", stopGrace: 30 * time.Second}
	spec := &barge.TaskSpec{TaskID: "0123456789abcdef0123456789abcdef", JobID: "job-1:3", Attempt: 2, Pod: &pod,
		PodLabels: map[string]string{"batch.amazonaws.com/job-id": "job-1.3", "batch.amazonaws.com/compute-environment-uuid": "ce-uuid"}}
	got, err := e.pod(spec)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"name", got.Name, "barge-0123456789abcdef0123456789abcdef"},
		{"namespace", got.Namespace, "batch"},
		{"restartPolicy", got.Spec.RestartPolicy, corev1.RestartPolicyNever},
		{"hostNetwork", got.Spec.HostNetwork, true},
		{"dnsPolicy", got.Spec.DNSPolicy, corev1.DNSClusterFirstWithHostNet},
		{"serviceAccountName", got.Spec.ServiceAccountName, "runner"},
		{"automount token", got.Spec.AutomountServiceAccountToken == nil, true},
		{"imagePullSecrets", got.Spec.ImagePullSecrets, []corev1.LocalObjectReference{{Name: "regcred"}}},
		{"label app", got.Labels["app"], "etl"},
		{"label job-id", got.Labels["batch.amazonaws.com/job-id"], "job-1.3"},
		{"label ce uuid", got.Labels["batch.amazonaws.com/compute-environment-uuid"], "ce-uuid"},
		{"label barge task", got.Labels[LabelTaskID], spec.TaskID},
		{"label barge managed", got.Labels[LabelManaged], "true"},
		{"annotation", got.Annotations["example.com/owner"], "team-a"},
		{"annotation job", got.Annotations[AnnotationJobID], "job-1:3"},
		{"task container", got.Annotations[AnnotationTaskContainer], "default"},
		{"containers", len(got.Spec.Containers), 2},
		{"init containers", len(got.Spec.InitContainers), 1},
		{"init name", got.Spec.InitContainers[0].Name, "init"},
		{"volumes", len(got.Spec.Volumes), 4},
	}
	for _, c := range checks {
		if !equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}

	main, side := got.Spec.Containers[0], got.Spec.Containers[1]
	if main.Name != "default" || strings.Join(main.Command, " ") != "sh -c" || strings.Join(main.Args, " ") != "echo $(A)" {
		t.Errorf("main container = %s %q %q, want default [sh -c] [echo $(A)]", main.Name, main.Command, main.Args)
	}
	if len(main.Env) != 1 || main.Env[0] != (corev1.EnvVar{Name: "A", Value: "1"}) {
		t.Errorf("main env = %v, want A=1", main.Env)
	}
	wantQ := func(what string, l corev1.ResourceList, name corev1.ResourceName, want string) {
		t.Helper()
		q, ok := l[name]
		if w := resource.MustParse(want); !ok || q.Cmp(w) != 0 {
			t.Errorf("%s %s = %v (set %v), want %s", what, name, q.String(), ok, want)
		}
	}
	wantQ("main limits", main.Resources.Limits, corev1.ResourceCPU, "1500m")
	wantQ("main requests", main.Resources.Requests, corev1.ResourceCPU, "1500m")
	wantQ("main requests", main.Resources.Requests, corev1.ResourceMemory, "1Gi")
	wantQ("side requests", side.Resources.Requests, corev1.ResourceCPU, "250m")
	wantQ("side limits", side.Resources.Limits, corev1.ResourceMemory, "64Mi")
	if _, ok := side.Resources.Limits[corev1.ResourceCPU]; ok {
		t.Errorf("side cpu limit set; a cpu request alone is a soft share")
	}
	if side.Name != "side" || side.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("side = %s %s, want side Always", side.Name, side.ImagePullPolicy)
	}
	if sc := main.SecurityContext; *sc.RunAsUser != 1000 || *sc.RunAsGroup != 2000 || !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation {
		t.Errorf("main securityContext = %+v, want uid 1000, gid 2000, read-only root, no privilege escalation", sc)
	}
	if sc := side.SecurityContext; !*sc.Privileged || sc.AllowPrivilegeEscalation != nil {
		t.Errorf("side securityContext = %+v, want privileged with allowPrivilegeEscalation unset", sc)
	}
	if m := main.VolumeMounts; len(m) != 2 || m[1] != (corev1.VolumeMount{Name: "data", MountPath: "/data", SubPath: "in", ReadOnly: true}) {
		t.Errorf("main volumeMounts = %v", m)
	}
	v := got.Spec.Volumes
	if v[0].EmptyDir == nil || v[0].EmptyDir.Medium != corev1.StorageMediumMemory || v[0].EmptyDir.SizeLimit.String() != "128Mi" ||
		v[1].PersistentVolumeClaim == nil || v[1].PersistentVolumeClaim.ClaimName != "data" || !v[1].PersistentVolumeClaim.ReadOnly ||
		v[2].HostPath == nil || v[2].HostPath.Path != "/var/tmp" ||
		v[3].Secret == nil || v[3].Secret.SecretName != "creds" || !*v[3].Secret.Optional {
		t.Errorf("volumes = %+v", v)
	}

	f := false
	pod.HostNetwork = &f
	if got, _ := e.pod(spec); got.Spec.HostNetwork || got.Spec.DNSPolicy != corev1.DNSClusterFirst {
		t.Errorf("hostNetwork false: Pod hostNetwork %v, dnsPolicy %s, want false, ClusterFirst", got.Spec.HostNetwork, got.Spec.DNSPolicy)
	}
	pod.Metadata.Namespace = "other"
	if _, err := e.pod(spec); err == nil || !strings.Contains(err.Error(), "namespace other") {
		t.Errorf("Pod in another namespace: err = %v, want a CannotCreateContainerError naming it", err)
	}
}

func equal(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestEksResult reports each container of an EKS job's Pod, and the first
// non-zero exit of its app containers as the task's.
func TestEksResult(t *testing.T) {
	start := metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	term := func(name string, code int32, reason string) corev1.ContainerStatus {
		return corev1.ContainerStatus{Name: name, ContainerID: "containerd://" + name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: code, Reason: reason, StartedAt: start, FinishedAt: start}}}
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{AnnotationTaskContainer: "main"}},
		Spec: corev1.PodSpec{NodeName: "n1", InitContainers: []corev1.Container{{Name: "init"}},
			Containers: []corev1.Container{{Name: "main"}, {Name: "side"}}},
		Status: corev1.PodStatus{Phase: corev1.PodFailed,
			InitContainerStatuses: []corev1.ContainerStatus{term("init", 0, "Completed")},
			ContainerStatuses:     []corev1.ContainerStatus{term("main", 0, "Completed"), term("side", 137, "OOMKilled")}},
	}
	r, ended := result(pod)
	if !ended || r.ExitCode == nil || *r.ExitCode != 137 {
		t.Fatalf("result = %+v, %v; want ended with exit 137 (side's)", r, ended)
	}
	want := `[{"name":"main","containerID":"containerd://main","exitCode":0},{"name":"side","containerID":"containerd://side","exitCode":137,"reason":"OutOfMemoryError: Container killed due to memory usage"}]`
	if got, _ := json.Marshal(r.Containers); string(got) != want {
		t.Errorf("Containers = %s, want %s", got, want)
	}
	if len(r.InitContainers) != 1 || *r.InitContainers[0].ExitCode != 0 {
		t.Errorf("InitContainers = %+v, want init exited 0", r.InitContainers)
	}
}
