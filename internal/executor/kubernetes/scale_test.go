package kubernetes_test

import (
	"fmt"
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
	"k8s.io/client-go/rest"
)

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
	if err := kubecluster.KwokAvailable(); err != nil {
		t.Skipf("no kwok: %v", err)
	}
	c := cluster(t)
	ctx := t.Context()
	undo, err := c.StartKwokNodes(ctx, nodes)
	if err != nil {
		t.Fatalf("StartKwokNodes(%d) = %v", nodes, err)
	}
	defer undo()

	// Every request the executor makes, counted by verb and resource.
	counter := &kubecluster.RequestCounter{}
	cfg := rest.CopyConfig(c.Config)
	cfg.QPS, cfg.Burst = 0, 0 // the executor's defaults
	cfg.Wrap(counter.Wrap)
	e, err := kubernetes.New(ctx, kubernetes.Options{Config: cfg, Namespace: namespace, Instance: "scale"})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	defer e.Close()
	deadline := time.Now().Add(2 * time.Minute)
	for e.ClusterCapacity().VCPU < float64(kubecluster.KwokNodeVCPU*nodes) {
		if time.Now().After(deadline) {
			t.Fatalf("the fake nodes are not Ready after 2 minutes: capacity %+v", e.ClusterCapacity())
		}
		time.Sleep(100 * time.Millisecond)
	}
	before := counter.Counts()

	selfBefore, clusterBefore := selfCPU(t), clusterCPU(t, c)
	load0 := kubecluster.LoadAverage()
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
	load1 := kubecluster.LoadAverage()
	if failed.Load() > 0 {
		t.Fatalf("%d of %d tasks failed", failed.Load(), tasks)
	}
	after := counter.Counts()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))] }
	created := counter.Created()
	rate, middle := kubecluster.CreationRate(created)
	t.Logf("%d tasks on %d kwok nodes in %v (%.0f tasks/s, start to removal); %d Pods created at %.0f/s (first to last creation), %.0f/s over the middle 80%%",
		tasks, nodes, elapsed.Round(time.Millisecond), float64(tasks)/elapsed.Seconds(), len(created), rate, middle)
	t.Logf("start → Running: p50 %v, p99 %v, max %v", pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), latencies[len(latencies)-1].Round(time.Millisecond))
	t.Logf("CPU: test process (executor + harness) %v = %.2f ms per task; cluster processes %v; executor share %.1f%% of the two",
		self.Round(time.Millisecond), float64(self.Microseconds())/1000/float64(tasks), clus.Round(time.Millisecond),
		100*self.Seconds()/(self+clus).Seconds())
	total, detail := kubecluster.RequestsPer(before, after, tasks)
	t.Logf("API requests: %d in all, %.2f per task: %s", total, float64(total)/float64(tasks), detail)
	t.Logf("load average (1 min) %s before, %s after; %d cores", load0, load1, runtimeCPUs())
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
