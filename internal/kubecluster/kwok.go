package kubecluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// KwokVersion is the kwok that scripts/kube-build.sh builds.
const KwokVersion = "v0.8.0"

// KwokLabel and KwokValue label the fake nodes that StartKwok's kwok plays
// the kubelet of.
const (
	KwokLabel = "type"
	KwokValue = "kwok"
)

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
	var total time.Duration
	for _, p := range c.procs {
		select {
		case <-p.done:
			continue
		default:
		}
		t, err := ProcessCPUTime(p.cmd.Process.Pid)
		if err != nil {
			return 0, err
		}
		total += t
	}
	return total, nil
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
