package kubernetes_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge/internal/executor/kubernetes"
)

// TestClustersMisconfigured asks for clusters that cannot be reached: no
// kubeconfig, an unknown context, an API server that does not answer. Each
// says why, and Executor never blocks.
func TestClustersMisconfigured(t *testing.T) {
	dir := t.TempDir()
	dead := filepath.Join(dir, "dead")
	// A kubeconfig whose one context points at a closed port.
	cfg := `apiVersion: v1
kind: Config
clusters:
- name: dead
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: dead
  context:
    cluster: dead
    namespace: batch
current-context: dead
`
	if err := os.WriteFile(dead, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, kubeconfig, context string
		want                      string
	}{
		{"no kubeconfig", filepath.Join(dir, "missing"), "", "no kubeconfig with a context at " + filepath.Join(dir, "missing")},
		{"unknown context", dead, "nope", `has no context "nope"`},
		{"unreachable", dead, "", "listing Pods in namespace batch at https://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := kubernetes.NewClusters(kubernetes.ClustersOptions{Kubeconfig: tt.kubeconfig, Context: tt.context, ConnectTimeout: 5 * time.Second})
			defer c.Close()
			if x, err := c.Executor("", ""); x != nil || err == nil {
				t.Fatalf("Executor before connecting = %v, %v, want an error", x, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			x, err := c.Connect(ctx, "", "")
			if x != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Connect = %v, %v, want an error saying %q", x, err, tt.want)
			}
			if _, err := c.Executor("", ""); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Executor after the failure = %v, want the same error until the retry", err)
			}
			if got := c.Executors(); len(got) != 0 {
				t.Errorf("Executors = %v, want none", got)
			}
		})
	}
}

// TestClustersWaitEnds waits for a cluster that cannot be reached: Wait
// keeps trying, and returns with an error when its context ends or the
// clusters close, so that a shutdown never hangs on it.
func TestClustersWaitEnds(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	c := kubernetes.NewClusters(kubernetes.ClustersOptions{Kubeconfig: missing, Retry: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if x, err := c.Wait(ctx, "", ""); x != nil || err != context.DeadlineExceeded {
		t.Errorf("Wait until its context ends = %v, %v, want %v", x, err, context.DeadlineExceeded)
	}
	type waited struct {
		x   any
		err error
	}
	done := make(chan waited, 1)
	go func() {
		x, err := c.Wait(context.Background(), "", "")
		done <- waited{x, err}
	}()
	time.Sleep(50 * time.Millisecond) // Wait tries a few times
	c.Close()
	select {
	case w := <-done:
		if w.x != nil || w.err == nil || !strings.Contains(w.err.Error(), "no kubeconfig with a context") && !strings.Contains(w.err.Error(), "shutting down") {
			t.Errorf("Wait when the clusters close = %v, %v, want why it could not connect", w.x, w.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Wait did not return when the clusters closed")
	}
}

// TestClustersShareExecutors connects to the test cluster by the default
// context and by its name, with the namespace given and not: each names
// the same namespace, so they share one executor (one informer).
func TestClustersShareExecutors(t *testing.T) {
	c := cluster(t)
	clusters := kubernetes.NewClusters(kubernetes.ClustersOptions{Kubeconfig: c.Kubeconfig, Namespace: namespace,
		Executor: kubernetes.Options{Instance: "clusters-test"}})
	defer clusters.Close()
	ctx := t.Context()
	def, err := clusters.Connect(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	named, err := clusters.Connect(ctx, "local", namespace)
	if err != nil {
		t.Fatal(err)
	}
	if def != named {
		t.Errorf("Connect(\"\", \"\") and Connect(local, %s) = two executors, want one", namespace)
	}
	if x, err := clusters.Executor("local", namespace); x != named || err != nil {
		t.Errorf("Executor(local, %s) = %v, %v, want the connected executor", namespace, x, err)
	}
	other, err := clusters.Connect(ctx, "local", "default")
	if err != nil {
		t.Fatal(err)
	}
	if other == def {
		t.Error("Connect(local, default) = the executor of another namespace")
	}
	if got := clusters.Executors(); len(got) != 2 {
		t.Errorf("Executors = %d, want 2 (one per namespace)", len(got))
	}
	if _, err := clusters.Connect(ctx, "local", "no-such-namespace"); err == nil || !strings.Contains(err.Error(), "namespace no-such-namespace does not exist") {
		t.Errorf("Connect(local, no-such-namespace) = %v, want the namespace named missing", err)
	}
}
