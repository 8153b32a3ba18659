package kubernetes_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/conformance"
	"github.com/bargehq/barge/internal/executor/kubernetes"
	"github.com/bargehq/barge/internal/kubecluster"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8s "k8s.io/client-go/kubernetes"
)

// namespace is where the tests' Pods run.
const namespace = "barge-test"

// The cluster the package's tests share, started by the first that needs it.
var (
	clusterOnce sync.Once
	shared      *kubecluster.Cluster
	clusterErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping the test cluster: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// cluster returns the test cluster, starting it the first time; it skips
// the test where none can run.
func cluster(t *testing.T) *kubecluster.Cluster {
	t.Helper()
	if err := kubecluster.Available(); err != nil {
		t.Skipf("no Kubernetes test cluster: %v", err)
	}
	clusterOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		shared, clusterErr = kubecluster.Start(ctx, "", namespace)
		if clusterErr == nil {
			fmt.Fprintf(os.Stderr, "test cluster (Kubernetes v%s) up in %v\n", kubecluster.Version, shared.StartupTime.Round(time.Millisecond))
		}
	})
	if clusterErr != nil {
		t.Fatalf("starting the test cluster: %v", clusterErr)
	}
	return shared
}

// newExecutor returns an executor of the test instance instance.
func newExecutor(t *testing.T, c *kubecluster.Cluster, instance string) *kubernetes.Executor {
	t.Helper()
	e, err := kubernetes.New(t.Context(), kubernetes.Options{
		Config:      c.Config,
		Namespace:   namespace,
		Instance:    instance,
		PullTimeout: 3 * time.Second,
	})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestConformance(t *testing.T) {
	c := cluster(t)
	instance := fmt.Sprintf("conformance-%d", time.Now().UnixNano())
	conformance.Run(t, func(t *testing.T) barge.Executor { return newExecutor(t, c, instance) }, conformance.Options{
		Image:     kubecluster.BusyboxImage,
		Images:    true,
		Limits:    true,
		OOMReason: true,
		// The kubelet enforces ephemeral storage by evicting the Pod, not
		// with a full disk: TestStorageEviction tests that.
		Storage:        false,
		User:           true,
		ReadonlyRootfs: true,
		// Start returns before the kubelet reports that the command does
		// not exist: the task then ends without a CannotStartContainerError.
		LateStartFailure: true,
		// stdout and stderr are one stream, as in CloudWatch Logs.
		MergedStreams: true,
	})
}

// TestPod starts a task and checks the Pod it made: requests equal to
// limits, args for the command, labels for its tags, IfNotPresent, no
// restarts.
func TestPod(t *testing.T) {
	c := cluster(t)
	e := newExecutor(t, c, "pod-test")
	spec := &barge.TaskSpec{
		TaskID: strings.Repeat("a", 32), JobID: "4a6f7e1c-0000-4000-8000-000000000001:7", Attempt: 2,
		Image: kubecluster.BusyboxImage, Command: []string{"echo", "hi"},
		Environment: map[string]string{"AWS_BATCH_JOB_ATTEMPT": "2"},
		VCPU:        1.5, MemoryMiB: 300, StorageGiB: 2,
		Tags: map[string]string{"team": "data", "aws:cloudformation:stack-name": "my stack/1"},
	}
	if err := e.Start(t.Context(), spec); err != nil {
		t.Fatalf("Start = %v", err)
	}
	t.Cleanup(func() { e.Remove(context.Background(), spec.TaskID) })
	cs, err := k8s.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	pod, err := cs.CoreV1().Pods(namespace).Get(t.Context(), "barge-"+spec.TaskID, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting the Pod: %v", err)
	}
	ct := pod.Spec.Containers[0]
	want := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("1500m"),
		corev1.ResourceMemory:           resource.MustParse("300Mi"),
		corev1.ResourceEphemeralStorage: resource.MustParse("2Gi"),
	}
	for name, q := range want {
		if got := ct.Resources.Requests[name]; got.Cmp(q) != 0 {
			t.Errorf("requests[%s] = %s, want %s", name, got.String(), q.String())
		}
		if got := ct.Resources.Limits[name]; got.Cmp(q) != 0 {
			t.Errorf("limits[%s] = %s, want %s", name, got.String(), q.String())
		}
	}
	if pod.Status.QOSClass != corev1.PodQOSGuaranteed {
		t.Errorf("QoS class = %s, want Guaranteed (requests equal limits)", pod.Status.QOSClass)
	}
	if !slices.Equal(ct.Args, spec.Command) || ct.Command != nil {
		t.Errorf("command %q args %q, want the task's command as args", ct.Command, ct.Args)
	}
	if ct.ImagePullPolicy != corev1.PullIfNotPresent || pod.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("pull policy %s restart policy %s, want IfNotPresent and Never", ct.ImagePullPolicy, pod.Spec.RestartPolicy)
	}
	for k, v := range map[string]string{
		kubernetes.LabelTaskID: spec.TaskID, kubernetes.LabelAttempt: "2",
		kubernetes.LabelJobID:                                       "4a6f7e1c-0000-4000-8000-000000000001_7",
		kubernetes.LabelTagPrefix + "team":                          "data",
		kubernetes.LabelTagPrefix + "aws_cloudformation_stack-name": "my_stack_1",
	} {
		if got := pod.Labels[k]; got != v {
			t.Errorf("label %s = %q, want %q", k, got, v)
		}
	}
	tasks, err := e.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(tasks, func(ti barge.TaskInfo) bool { return ti.TaskID == spec.TaskID }); i < 0 || tasks[i].JobID != spec.JobID {
		t.Errorf("List = %+v, want the task with job ID %s", tasks, spec.JobID)
	}
}

// TestEntrypointKept: the task's command replaces the image's CMD and keeps
// its ENTRYPOINT, as on ECS.
func TestEntrypointKept(t *testing.T) {
	c := cluster(t)
	e := newExecutor(t, c, "entrypoint-test")
	for i, tc := range []struct {
		command []string
		want    string
	}{
		{nil, "entrypoint image-cmd"},
		{[]string{"job", "args"}, "entrypoint job args"},
	} {
		spec := &barge.TaskSpec{TaskID: strings.Repeat("e", 31) + fmt.Sprint(i), JobID: "j", Attempt: 1,
			Image: kubecluster.EntrypointImage, Command: tc.command}
		if err := e.Start(t.Context(), spec); err != nil {
			t.Fatalf("Start = %v", err)
		}
		t.Cleanup(func() { e.Remove(context.Background(), spec.TaskID) })
		if _, err := e.Wait(t.Context(), spec.TaskID); err != nil {
			t.Fatalf("Wait = %v", err)
		}
		var got []string
		if err := e.Logs(t.Context(), spec.TaskID, time.Time{}, func(l barge.LogLine) { got = append(got, l.Message) }); err != nil {
			t.Fatalf("Logs = %v", err)
		}
		if !slices.Equal(got, []string{tc.want}) {
			t.Errorf("command %q: output %q, want %q", tc.command, got, tc.want)
		}
	}
}

// TestDeletedByOthers: a Pod that someone else deletes (a drain, kubectl)
// ends its attempt with a reason, and its finalizer keeps it for Wait.
func TestDeletedByOthers(t *testing.T) {
	c := cluster(t)
	e := newExecutor(t, c, "deleted-test")
	spec := &barge.TaskSpec{TaskID: strings.Repeat("d", 32), JobID: "j", Attempt: 1,
		Image: kubecluster.BusyboxImage, Command: []string{"sh", "-c", "echo ready; sleep 300"}}
	if err := e.Start(t.Context(), spec); err != nil {
		t.Fatalf("Start = %v", err)
	}
	t.Cleanup(func() { e.Remove(context.Background(), spec.TaskID) })
	cs, err := k8s.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	grace := int64(1)
	if err := cs.CoreV1().Pods(namespace).Delete(t.Context(), "barge-"+spec.TaskID, metav1.DeleteOptions{GracePeriodSeconds: &grace}); err != nil {
		t.Fatalf("deleting the Pod: %v", err)
	}
	res, err := e.Wait(t.Context(), spec.TaskID)
	if err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if res.Reason != kubernetes.ReasonDeleted || res.ExitCode == nil || *res.ExitCode == 0 {
		t.Errorf("Wait = exit %v reason %q, want a non-zero exit and %q", res.ExitCode, res.Reason, kubernetes.ReasonDeleted)
	}
}

// TestStorageEviction: a task that writes more than its ephemeral storage
// is evicted by the kubelet, and its attempt ends with the Evicted reason.
func TestStorageEviction(t *testing.T) {
	c := cluster(t)
	e := newExecutor(t, c, "eviction-test")
	spec := &barge.TaskSpec{TaskID: strings.Repeat("5", 32), JobID: "j", Attempt: 1, StorageGiB: 1,
		Image: kubecluster.BusyboxImage, Command: []string{"sh", "-c", "head -c 1500000000 /dev/zero >/big; echo written; sleep 600"}}
	if err := e.Start(t.Context(), spec); err != nil {
		t.Fatalf("Start = %v", err)
	}
	t.Cleanup(func() { e.Remove(context.Background(), spec.TaskID) })
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	res, err := e.Wait(ctx, spec.TaskID)
	if err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if !strings.HasPrefix(res.Reason, kubernetes.ReasonEvictedPrefix) || !strings.Contains(res.Reason, "ephemeral") {
		t.Errorf("Wait = exit %v reason %q, want %s... about ephemeral storage", res.ExitCode, res.Reason, kubernetes.ReasonEvictedPrefix)
	}
}
