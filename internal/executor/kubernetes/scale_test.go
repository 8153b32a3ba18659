package kubernetes_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/kubernetes"
	"github.com/bargehq/barge/internal/kubecluster"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// bargePodComplete is a kwok stage that ends barge's running Pods a second
// after they start, exit code 0, as a short job would.
const bargePodComplete = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: barge-pod-complete
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values:
      - 'Running'
    - key: '.metadata.labels["barge/managed"]'
      operator: 'In'
      values:
      - 'true'
  delay:
    durationMilliseconds: 1000
  next:
    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range $index, $item := .spec.containers }}
      - image: {{ $item.image | Quote }}
        name: {{ $item.name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: 0
            finishedAt: {{ $now | Quote }}
            reason: Completed
            startedAt: {{ $now | Quote }}
      {{ end }}
      phase: Succeeded
`

// TestScale measures the executor on kwok's fake nodes (BARGE_KUBE_SCALE=1;
// BARGE_KUBE_SCALE_TASKS and BARGE_KUBE_SCALE_NODES change the 10,000 tasks
// and 100 nodes): every task is started at once, as the runner starts every
// attempt the scheduler places, runs a second, and is removed. It reports
// Pods created per second, start → Running latency, the test process's
// CPU (the executor's, and the harness's) against the cluster's, and the
// API requests per task. It asserts only that every task ran and ended.
// Run it with scripts/kube-scale.sh.
func TestScale(t *testing.T) {
	if os.Getenv("BARGE_KUBE_SCALE") == "" {
		t.Skip("set BARGE_KUBE_SCALE=1 to measure the executor on kwok's fake nodes (scripts/kube-scale.sh)")
	}
	tasks, nodes := envInt(t, "BARGE_KUBE_SCALE_TASKS", 10000), envInt(t, "BARGE_KUBE_SCALE_NODES", 100)
	c := cluster(t)
	ctx := t.Context()
	cs, err := k8s.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	// Only the fake nodes take Pods.
	cordon := func(on bool) error {
		_, err := cs.CoreV1().Nodes().Patch(context.Background(), c.Node, types.MergePatchType,
			[]byte(`{"spec":{"unschedulable":`+strconv.FormatBool(on)+`}}`), metav1.PatchOptions{})
		return err
	}
	if err := cordon(true); err != nil {
		t.Fatal(err)
	}
	defer cordon(false)
	stages, err := kubecluster.KwokStages()
	if err != nil {
		t.Skipf("no kwok stages: %v", err)
	}
	if err := c.StartKwok(stages + "\n---\n" + bargePodComplete); err != nil {
		t.Skipf("no kwok: %v", err)
	}
	room := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("32"), corev1.ResourceMemory: resource.MustParse("256Gi"),
		corev1.ResourcePods: resource.MustParse("1000")}
	var names []string
	for i := range nodes {
		n := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("kwok-%03d", i), Labels: map[string]string{kubecluster.KwokLabel: kubecluster.KwokValue},
				Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"}},
			Status: corev1.NodeStatus{Capacity: room, Allocatable: room},
		}
		if _, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		names = append(names, n.Name)
	}
	defer func() {
		for _, n := range names {
			cs.CoreV1().Nodes().Delete(context.Background(), n, metav1.DeleteOptions{})
		}
	}()

	// Every request the executor makes, counted by verb and resource.
	var counts sync.Map // "VERB path-kind" → *atomic.Int64
	created := &createTimes{}
	cfg := rest.CopyConfig(c.Config)
	cfg.QPS, cfg.Burst = 0, 0 // the executor's defaults
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return countingTransport{rt: rt, counts: &counts, created: created}
	})
	e, err := kubernetes.New(ctx, kubernetes.Options{Config: cfg, Namespace: namespace, Instance: "scale"})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	defer e.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for e.ClusterCapacity().VCPU < float64(32*nodes) {
		if time.Now().After(deadline) {
			t.Fatalf("the fake nodes are not Ready after 2 minutes: capacity %+v", e.ClusterCapacity())
		}
		time.Sleep(100 * time.Millisecond)
	}
	before := snapshotCounts(&counts)

	selfBefore, clusterBefore := selfCPU(t), clusterCPU(t, c)
	load0 := loadAverage()
	began := time.Now()
	latencies := make([]time.Duration, tasks)
	var failed atomic.Int64
	fail := func(format string, args ...any) {
		if failed.Add(1) <= 10 { // the first few say why
			t.Errorf(format, args...)
		}
	}
	var wg sync.WaitGroup
	for i := range tasks {
		wg.Go(func() {
			spec := &barge.TaskSpec{TaskID: fmt.Sprintf("%032x", i), JobID: fmt.Sprintf("scale-%d", i), Attempt: 1,
				VCPU: 0.25, MemoryMiB: 512, Image: kubecluster.BusyboxImage, Command: []string{"true"}}
			submitted := time.Now()
			if err := e.Start(ctx, spec); err != nil {
				fail("Start(%d) = %v", i, err)
				return
			}
			latencies[i] = time.Since(submitted)
			res, err := e.Wait(ctx, spec.TaskID)
			if err != nil || res.ExitCode == nil || *res.ExitCode != 0 {
				fail("Wait(%d) = %+v, %v", i, res, err)
			}
			if err := e.Remove(ctx, spec.TaskID); err != nil {
				fail("Remove(%d) = %v", i, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	self, clus := selfCPU(t)-selfBefore, clusterCPU(t, c)-clusterBefore
	load1 := loadAverage()
	if failed.Load() > 0 {
		t.Fatalf("%d of %d tasks failed", failed.Load(), tasks)
	}
	after := snapshotCounts(&counts)
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	n, rate := created.rate()
	t.Logf("%d tasks on %d kwok nodes in %v (%.0f tasks/s, start to removal); %d Pods created at %.0f/s (first to last creation)",
		tasks, nodes, elapsed.Round(time.Millisecond), float64(tasks)/elapsed.Seconds(), n, rate)
	t.Logf("start → Running: p50 %v, p99 %v, max %v", pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), latencies[len(latencies)-1].Round(time.Millisecond))
	t.Logf("CPU: test process (executor + harness) %v = %.2f ms per task; cluster processes %v; executor share %.1f%% of the two",
		self.Round(time.Millisecond), float64(self.Microseconds())/1000/float64(tasks), clus.Round(time.Millisecond),
		100*self.Seconds()/(self+clus).Seconds())
	var keys []string
	total := int64(0)
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			keys = append(keys, fmt.Sprintf("%s: %d (%.2f per task)", k, d, float64(d)/float64(tasks)))
			total += d
		}
	}
	slices.Sort(keys)
	t.Logf("API requests: %d in all, %.2f per task: %s", total, float64(total)/float64(tasks), strings.Join(keys, "; "))
	t.Logf("load average (1 min) %s before, %s after; %d cores", load0, load1, runtimeCPUs())
}

// countingTransport counts the requests it carries by verb and kind of
// path.
type countingTransport struct {
	rt      http.RoundTripper
	counts  *sync.Map
	created *createTimes
}

// createTimes records when the API server answered each Pod creation.
type createTimes struct {
	mu    sync.Mutex
	times []time.Time
}

// rate returns the creations per second from the first to the last.
func (c *createTimes) rate() (int, float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.times)
	if n < 2 {
		return n, 0
	}
	return n, float64(n-1) / c.times[n-1].Sub(c.times[0]).Seconds()
}

func (c countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Method + " " + pathKind(req.URL.Path)
	if req.URL.Query().Get("watch") == "true" {
		key = "WATCH " + pathKind(req.URL.Path)
	}
	n, _ := c.counts.LoadOrStore(key, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	resp, err := c.rt.RoundTrip(req)
	if key == "POST pods" && err == nil && resp.StatusCode == http.StatusCreated {
		c.created.mu.Lock()
		c.created.times = append(c.created.times, time.Now())
		c.created.mu.Unlock()
	}
	return resp, err
}

// pathKind reduces an API path to its resource: /api/v1/namespaces/x/pods/y
// is "pods/NAME", .../pods/y/log "pods/NAME/log".
func pathKind(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range parts {
		if p == "pods" || p == "nodes" {
			out := p
			if i+1 < len(parts) {
				out += "/NAME"
			}
			if i+2 < len(parts) {
				out += "/" + strings.Join(parts[i+2:], "/")
			}
			return out
		}
	}
	return path
}

func snapshotCounts(m *sync.Map) map[string]int64 {
	out := map[string]int64{}
	m.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

func selfCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func clusterCPU(t *testing.T, c *kubecluster.Cluster) time.Duration {
	t.Helper()
	d, err := c.CPUTime()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func runtimeCPUs() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\nprocessor") + 1
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}
