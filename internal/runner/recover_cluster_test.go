package runner_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/runner"
)

// fakeClusters has one cluster, whose executor is exec, reachable or not.
// It is a fake inside this package's unit test; kubernetes.Clusters is
// tested against a real cluster.
type fakeClusters struct {
	exec *fakeExecutor
	up   chan struct{} // closed once the cluster can be reached
}

func newFakeClusters(exec *fakeExecutor) *fakeClusters {
	return &fakeClusters{exec: exec, up: make(chan struct{})}
}

// errUnreachable is what connecting to the cluster says while it is down.
var errUnreachable = errors.New("listing Pods in namespace batch at https://127.0.0.1:1: connection refused")

func (c *fakeClusters) reachable() bool {
	select {
	case <-c.up:
		return true
	default:
		return false
	}
}

func (c *fakeClusters) Executor(cluster, namespace string) (barge.Executor, error) {
	if !c.reachable() {
		return nil, errUnreachable
	}
	return c.exec, nil
}

func (c *fakeClusters) Connect(ctx context.Context, cluster, namespace string) (barge.Executor, error) {
	return c.Executor(cluster, namespace)
}

func (c *fakeClusters) Wait(ctx context.Context, cluster, namespace string) (barge.Executor, error) {
	select {
	case <-c.up:
		return c.exec, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *fakeClusters) Connecting(cluster, namespace string) bool { return false }

func (c *fakeClusters) Executors() []barge.Executor {
	if !c.reachable() {
		return nil
	}
	return []barge.Executor{c.exec}
}

// TestRecoverWhileClusterUnreachable restarts the runner while the
// Kubernetes cluster its jobs run on cannot be reached: Recover succeeds,
// the compute environment says why nothing is placed on it, its jobs stay
// as they were, and once the cluster is connected they are taken over as
// Recover does (adopted, or failed when their task is gone) and leftovers
// removed.
func TestRecoverWhileClusterUnreachable(t *testing.T) {
	ctx := context.Background()
	kube := newFake()
	kube.hold = make(chan struct{})
	clusters := newFakeClusters(kube)
	close(clusters.up)
	withClusters := func(c *fakeClusters) func(*runner.Config) {
		return func(cfg *runner.Config) { cfg.Clusters = c }
	}
	e := newEnvWith(t, nil, newFake(), withClusters(clusters))
	ce := &barge.ComputeEnvironment{Name: "ce", Type: "MANAGED", State: barge.StateEnabled, Status: barge.StatusValid,
		Tags: map[string]string{runner.TagExecutor: "kubernetes", runner.TagKubeNamespace: "batch"}}
	if err := e.st.CreateComputeEnvironment(ctx, ce); err != nil {
		t.Fatal(err)
	}
	s := spec("exit 0", nil, "arn:aws:iam::123456789012:role/exec")
	for id, taskID := range map[string]string{"running": strings.Repeat("a", 32), "vanished": strings.Repeat("b", 32)} {
		// As the scheduler places: the job STARTING, its compute
		// environment read.
		j := &barge.Job{ID: id, Name: id, Queue: "q", CreatedAt: 1, Spec: s, Status: barge.JobStarting,
			Runtime: &barge.ContainerRuntime{ComputeEnvironment: "ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce-x/" + taskID}}
		if err := e.st.InsertJobs(ctx, []*barge.Job{j}); err != nil {
			t.Fatal(err)
		}
		e.r.Place(e.ctx, []barge.Placement{{Job: j, Spec: s, ComputeEnvironment: "ce", CE: ce, VCPU: 1}})
	}
	e.waitStatus(t, "running", barge.JobRunning)
	e.waitStatus(t, "vanished", barge.JobRunning)
	kube.mu.Lock()
	started := len(kube.started)
	kube.mu.Unlock()
	if started != 2 {
		t.Fatalf("tasks started on the cluster = %d, want 2", started)
	}
	// "barge dies"; while it is down one task vanishes, another is left
	// over, and the cluster stops answering.
	e.cancel()
	kube.mu.Lock()
	delete(kube.tasks, strings.Repeat("b", 32))
	kube.tasks[strings.Repeat("c", 32)] = &fakeTask{spec: &barge.TaskSpec{JobID: "old"}, done: make(chan struct{})}
	kube.mu.Unlock()
	down := newFakeClusters(kube)

	e2 := newEnvWith(t, e.st, newFake(), withClusters(down))
	if err := e2.r.Recover(ctx); err != nil {
		t.Fatalf("Recover with the cluster unreachable = %v, want nil", err)
	}
	if why := e2.r.Unavailable(ce); !strings.Contains(why, "Kubernetes cluster") || !strings.Contains(why, "connection refused") {
		t.Errorf("Unavailable while the cluster cannot be reached = %q, want it to say why", why)
	}
	time.Sleep(100 * time.Millisecond)
	for _, id := range []string{"running", "vanished"} {
		if j := e2.job(t, id); j.Status != barge.JobRunning {
			t.Errorf("job %s while its cluster cannot be reached = %s, want RUNNING until it can", id, j.Status)
		}
	}
	kube.mu.Lock()
	removed := len(kube.removed)
	kube.mu.Unlock()
	if removed != 0 {
		t.Errorf("tasks removed while the cluster cannot be reached: %d, want none", removed)
	}

	close(down.up)
	if why := e2.r.Unavailable(ce); why != "" {
		t.Errorf("Unavailable once the cluster is reached = %q, want none", why)
	}
	if j := e2.waitDone(t, "vanished"); j.Status != barge.JobFailed || !strings.Contains(j.Attempts[0].Container.Reason, "gone") {
		t.Errorf("vanished job = %s %+v, want FAILED saying its container was gone", j.Status, j.Attempts)
	}
	close(kube.hold)
	if j := e2.waitDone(t, "running"); j.Status != barge.JobSucceeded || len(j.Attempts) != 1 {
		t.Errorf("adopted job = %s with %d attempts, want SUCCEEDED with 1", j.Status, len(j.Attempts))
	}
	kube.mu.Lock()
	defer kube.mu.Unlock()
	if _, left := kube.tasks[strings.Repeat("c", 32)]; left {
		t.Errorf("leftover task not removed: %v", kube.removed)
	}
	if len(kube.started) != 2 {
		t.Errorf("tasks started on the cluster = %d, want the 2 adopted, none again", len(kube.started))
	}
}
