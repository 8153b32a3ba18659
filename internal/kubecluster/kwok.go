package kubecluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	k8s "k8s.io/client-go/kubernetes"
)

// KwokVersion is the kwok that scripts/kube-build.sh builds.
const KwokVersion = "v0.8.0"

// KwokLabel and KwokValue label the fake nodes that StartKwok's kwok plays
// the kubelet of.
const (
	KwokLabel = "type"
	KwokValue = "kwok"
)

// KwokAvailable returns why kwok cannot run here, or nil: it needs the
// kwok binary and kwok's module (for its stages), which
// scripts/kube-build.sh builds and downloads.
func KwokAvailable() error {
	if _, err := os.Stat(filepath.Join(BinDir(), "kwok")); err != nil {
		return fmt.Errorf("kwok is not built (scripts/kube-build.sh): %w", err)
	}
	_, err := KwokStages()
	return err
}

// StartKwok starts kwok (sigs.k8s.io/kwok, built by scripts/kube-build.sh
// into BinDir), which plays the kubelet of every node labelled
// type=kwok: it keeps them Ready and moves their Pods through stages (the
// kwok Stage objects in stages, YAML documents joined by "---") without
// running anything, so that thousands of Pods cost no containers. It stops
// with the cluster.
func (c *Cluster) StartKwok(stages string) error {
	bin := filepath.Join(BinDir(), "kwok")
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("kwok is not built (scripts/kube-build.sh): %w", err)
	}
	path := filepath.Join(c.Dir, "kwok-stages.yaml")
	if err := os.WriteFile(path, []byte(stages), 0o644); err != nil {
		return err
	}
	ports, err := freePorts(1)
	if err != nil {
		return err
	}
	return c.run("kwok", bin, "--kubeconfig="+c.Kubeconfig, "--config="+path,
		"--manage-nodes-with-label-selector="+KwokLabel+"="+KwokValue,
		// Fake Pod addresses: a range big enough for every Pod at once.
		"--cidr=100.64.0.0/10", "--node-ip=127.0.0.1",
		"--server-address=127.0.0.1:"+strconv.Itoa(ports[0]))
}

// KwokStages returns kwok's own stages for fast nodes (Ready at once, with
// heartbeats) and Pods (Running at once, deleted when asked), read from
// its module in the Go module cache, where scripts/kube-build.sh put it.
func KwokStages() (string, error) {
	root := filepath.Join(goModCache(), "sigs.k8s.io", "kwok@"+KwokVersion, "kustomize", "stage")
	var docs []string
	for _, f := range []string{"node/fast/node-initialize.yaml", "node/heartbeat/node-heartbeat.yaml", "pod/fast/pod-ready.yaml", "pod/fast/pod-delete.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return "", fmt.Errorf("kwok's stages: %w", err)
		}
		docs = append(docs, string(b))
	}
	return strings.Join(docs, "\n---\n"), nil
}

// goModCache is the Go module cache: $GOMODCACHE, else $GOPATH/pkg/mod,
// else ~/go/pkg/mod.
func goModCache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.Join(filepath.SplitList(p)[0], "pkg", "mod")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go", "pkg", "mod")
}

// CPUTime returns the CPU time (user and system) the cluster's processes
// have used so far, from /proc.
func (c *Cluster) CPUTime() (time.Duration, error) {
	times, err := c.CPUTimes()
	var total time.Duration
	for _, t := range times {
		total += t
	}
	return total, err
}

// CPUTimes returns the CPU time each of the cluster's running processes
// has used so far, by name (etcd, kube-apiserver, kwok, ...).
func (c *Cluster) CPUTimes() (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for _, p := range c.procs {
		select {
		case <-p.done:
			continue
		default:
		}
		t, err := ProcessCPUTime(p.cmd.Process.Pid)
		if err != nil {
			return nil, err
		}
		out[p.name] += t
	}
	return out, nil
}

// ProcessCPUTime returns the CPU time (user and system, its own threads)
// of process pid, from /proc/<pid>/stat.
func ProcessCPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command's closing parenthesis; utime and stime
	// are the 14th and 15th of the line.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad times", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// clockTicks is the kernel's USER_HZ, 100 on Linux.
const clockTicks = 100

// PodCompleteStage is a kwok stage that ends barge's running Pods (those
// labelled barge/managed=true) a second after they start, exit code 0, as
// a short job would.
const PodCompleteStage = `apiVersion: kwok.x-k8s.io/v1alpha1
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

// KwokNodeVCPU is the vCPUs of each fake node that StartKwokNodes creates.
const KwokNodeVCPU = 32

// StartKwokNodes makes the cluster a cluster of n fake nodes for scale
// measurements: it cordons the real node (only the fake ones take Pods),
// starts kwok with its fast stages and PodCompleteStage (a barge Pod runs a
// second and ends with exit code 0), and creates n nodes of KwokNodeVCPU
// vCPUs, 256 GiB and 1,000 Pods each, named kwok-000 on. undo deletes the
// nodes and uncordons the real one; kwok stops with the cluster. The error
// says when kwok is not built.
func (c *Cluster) StartKwokNodes(ctx context.Context, n int) (undo func(), err error) {
	cs, err := k8s.NewForConfig(c.Config)
	if err != nil {
		return nil, err
	}
	cordon := func(on bool) error {
		_, err := cs.CoreV1().Nodes().Patch(context.Background(), c.Node, types.MergePatchType,
			[]byte(`{"spec":{"unschedulable":`+strconv.FormatBool(on)+`}}`), metav1.PatchOptions{})
		return err
	}
	var names []string
	undo = func() {
		for _, n := range names {
			cs.CoreV1().Nodes().Delete(context.Background(), n, metav1.DeleteOptions{})
		}
		cordon(false)
	}
	defer func() {
		if err != nil {
			undo()
		}
	}()
	if err := cordon(true); err != nil {
		return nil, err
	}
	stages, err := KwokStages()
	if err != nil {
		return nil, err
	}
	if err := c.StartKwok(stages + "\n---\n" + PodCompleteStage); err != nil {
		return nil, err
	}
	room := corev1.ResourceList{corev1.ResourceCPU: *resource.NewQuantity(KwokNodeVCPU, resource.DecimalSI),
		corev1.ResourceMemory: resource.MustParse("256Gi"), corev1.ResourcePods: resource.MustParse("1000")}
	for i := range n {
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("kwok-%03d", i), Labels: map[string]string{KwokLabel: KwokValue},
				Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"}},
			Status: corev1.NodeStatus{Capacity: room, Allocatable: room},
		}
		if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return nil, err
		}
		names = append(names, node.Name)
	}
	return undo, nil
}
