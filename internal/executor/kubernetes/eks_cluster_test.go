package kubernetes_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/kubecluster"
)

// TestEksPodRuns runs an EKS job's Pod on the real cluster: an init
// container fills an emptyDir that the job's container reads, a second
// container exits 3, and the task reports each container's outcome, the
// first non-zero exit as its own, the main container's output as its log,
// and where its Pod ran.
func TestEksPodRuns(t *testing.T) {
	c := cluster(t)
	e := newExecutor(t, c, "eks-test")
	off := false
	res := func(cpu, mem string) *barge.EksResources {
		return &barge.EksResources{Limits: map[string]string{"cpu": cpu, "memory": mem}}
	}
	env := []barge.EksEnvVar{{Name: "AWS_BATCH_JOB_ID", Value: ptrTo("job-eks")}}
	spec := &barge.TaskSpec{
		TaskID: strings.Repeat("5", 32), JobID: "job-eks", Attempt: 1, Image: kubecluster.BusyboxImage,
		Pod: &barge.EksPodProperties{
			HostNetwork: &off, // the Pod's own network, not the host's
			InitContainers: []barge.EksContainer{{Name: "fill", Image: kubecluster.BusyboxImage,
				Command:      []string{"sh", "-c", "echo from-init > /work/msg"},
				VolumeMounts: []barge.EksVolumeMount{{Name: "work", MountPath: "/work"}}}},
			Containers: []barge.EksContainer{
				{Image: kubecluster.BusyboxImage, Command: []string{"sh", "-c"}, Args: []string{"cat /work/msg; echo job=$AWS_BATCH_JOB_ID"},
					Env: env, Resources: res("0.25", "64Mi"), VolumeMounts: []barge.EksVolumeMount{{Name: "work", MountPath: "/work"}}},
				{Name: "side", Image: kubecluster.BusyboxImage, Command: []string{"sh", "-c", "exit 3"}, Env: env, Resources: res("0.25", "32Mi")},
			},
			Volumes:  []barge.EksVolume{{Name: "work", EmptyDir: &barge.EksEmptyDir{}}},
			Metadata: &barge.EksMetadata{Labels: map[string]string{"team": "etl"}},
		},
		PodLabels: map[string]string{"batch.amazonaws.com/job-id": "job-eks"},
	}
	if err := e.Start(t.Context(), spec); err != nil {
		t.Fatalf("Start = %v", err)
	}
	t.Cleanup(func() { e.Remove(context.Background(), spec.TaskID) })
	r, err := e.Wait(t.Context(), spec.TaskID)
	if err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if r.ExitCode == nil || *r.ExitCode != 3 {
		t.Errorf("exit code = %v, want 3 (side's, the first non-zero)", r.ExitCode)
	}
	if len(r.Containers) != 2 || r.Containers[0].Name != "default" || r.Containers[0].ExitCode == nil || *r.Containers[0].ExitCode != 0 ||
		r.Containers[1].Name != "side" || r.Containers[1].ExitCode == nil || *r.Containers[1].ExitCode != 3 || r.Containers[1].ContainerID == "" {
		t.Errorf("containers = %+v, want default exited 0 and side exited 3, with container IDs", r.Containers)
	}
	if len(r.InitContainers) != 1 || r.InitContainers[0].ExitCode == nil || *r.InitContainers[0].ExitCode != 0 {
		t.Errorf("init containers = %+v, want fill exited 0", r.InitContainers)
	}
	pod, err := e.PodOf(t.Context(), spec.TaskID)
	if err != nil || pod.Name != "barge-"+spec.TaskID || pod.Namespace != namespace || pod.NodeName == "" {
		t.Errorf("PodOf = %+v, %v; want barge-%s in %s on a node", pod, err, spec.TaskID, namespace)
	}
	var lines []string
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := e.Logs(ctx, spec.TaskID, time.Time{}, func(l barge.LogLine) { lines = append(lines, l.Message) }); err != nil {
		t.Fatalf("Logs = %v", err)
	}
	if got := strings.Join(lines, "|"); got != "from-init|job=job-eks" {
		t.Errorf("log = %q, want the main container's: from-init|job=job-eks", got)
	}
}

func ptrTo[T any](v T) *T { return &v }
