package scheduler_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/scheduler"
)

// TestHostCapacity: compute environments on one host share its capacity;
// a job is placed only where it fits both its compute environment's
// maxvCpus and the host's free memory; the jobs left say which limit holds
// them, a job bigger than the host says so (and, in FIFO order, keeps no
// job behind it waiting); released capacity is seen, and a restart counts
// the memory still held.
func TestHostCapacity(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	for _, c := range []*barge.ComputeEnvironment{ce("a", 1, barge.StateEnabled), ce("b", 100, barge.StateEnabled)} {
		if err := st.CreateComputeEnvironment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []*barge.JobQueue{queue("qa", 10, "a"), queue("qb", 1, "b")} {
		if err := st.CreateJobQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	huge := job("huge", "qb", "1")
	huge.Spec.Container.ResourceRequirements[1].Value = "16384"
	jobs := []*barge.Job{job("a0", "qa", "1"), job("a1", "qa", "1"), huge}
	for _, id := range []string{"b0", "b1", "b2", "b3", "b4"} {
		jobs = append(jobs, job(id, "qb", "1"))
	}
	if err := st.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	// 8 GiB of memory: four jobs of 2 GiB.
	host := func(*barge.ComputeEnvironment) (string, barge.HostCapacity) {
		return "process", barge.HostCapacity{VCPU: 100, MemoryMiB: 8192, CPUOvercommit: 4, MemoryOvercommit: 1}
	}
	withHost := func(c *scheduler.Config) { c.Host = host }
	rec := &recorder{}
	s := runPassWith(t, st, rec, withHost)

	got := rec.ids()
	slices.Sort(got)
	if want := []string{"a0@a", "b0@b", "b1@b", "b2@b"}; !slices.Equal(got, want) {
		t.Fatalf("placed %v, want %v (a's maxvCpus 1, then the host's 8 GiB)", got, want)
	}
	for _, tt := range []struct{ queue, id, want string }{
		{"qa", "a1", "Waiting for capacity: the job needs 1 vCPU; compute environment a has 1 of 1 vCPUs in use."},
		{"qb", "b3", "Waiting for host capacity: the job needs 2 GiB of memory; the host has 0 GiB of 8 GiB free (barge --memory-overcommit 1)."},
		{"qb", "huge", "Waiting for a bigger host: the job needs 16 GiB of memory, more than this host gives all its jobs (8 GiB, barge --memory-overcommit 1), so it waits here until cancelled; AWS would run it."},
	} {
		j := jobByID(t, jobs, tt.id)
		if got := s.WaitReason(tt.queue, j.Spec); got != tt.want {
			t.Errorf("WaitReason(%s) = %q, want %q", tt.id, got, tt.want)
		}
	}

	// A restart counts the 8 GiB the placed jobs hold, and places nothing.
	rec2 := &recorder{}
	s2 := runPassWith(t, st, rec2, withHost)
	if got := rec2.ids(); len(got) != 0 {
		t.Errorf("after a restart, placed %v on a full host", got)
	}
	// Released memory is room again: b3 no longer waits for the host.
	s2.Release("b", 1, 1024)
	if got := s2.WaitReason("qb", jobByID(t, jobs, "b3").Spec); got != "Waiting for host capacity: the job needs 2 GiB of memory; the host has 1 GiB of 8 GiB free (barge --memory-overcommit 1)." {
		t.Errorf("with 1 GiB released, WaitReason(b3) = %q", got)
	}
	s2.Release("b", 1, 1024)
	if got := s2.WaitReason("qb", jobByID(t, jobs, "b3").Spec); got != "" {
		t.Errorf("with 2 GiB released, WaitReason(b3) = %q, want none (it fits)", got)
	}
}

// TestHostCapacityVCPU: the host's vCPUs, overcommit included, bound what
// runs as its memory does, and a job needing more vCPUs than the whole
// host says so.
func TestHostCapacityVCPU(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if err := st.CreateComputeEnvironment(ctx, ce("c", 256, barge.StateEnabled)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateJobQueue(ctx, queue("q", 1, "c")); err != nil {
		t.Fatal(err)
	}
	jobs := []*barge.Job{job("big", "q", "16"), job("j0", "q", "2"), job("j1", "q", "2"), job("j2", "q", "2")}
	if err := st.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s := runPassWith(t, st, rec, func(c *scheduler.Config) {
		c.Host = func(*barge.ComputeEnvironment) (string, barge.HostCapacity) {
			return "docker", barge.HostCapacity{VCPU: 4, MemoryMiB: 1 << 20, CPUOvercommit: 2, MemoryOvercommit: 1}
		}
	})
	got := rec.ids()
	slices.Sort(got)
	if want := []string{"j0@c", "j1@c"}; !slices.Equal(got, want) {
		t.Fatalf("placed %v, want %v (4 vCPUs on the host)", got, want)
	}
	if got, want := s.WaitReason("q", jobByID(t, jobs, "j2").Spec), "Waiting for host capacity: the job needs 2 vCPU; the host has 0 of 4 vCPUs free (barge --cpu-overcommit 2)."; got != want {
		t.Errorf("WaitReason(j2) = %q, want %q", got, want)
	}
	if got, want := s.WaitReason("q", jobByID(t, jobs, "big").Spec), "Waiting for a bigger host: the job needs 16 vCPU, more than this host gives all its jobs (4 vCPUs, barge --cpu-overcommit 2), so it waits here until cancelled; AWS would run it."; got != want {
		t.Errorf("WaitReason(big) = %q, want %q", got, want)
	}
}

func jobByID(t *testing.T, jobs []*barge.Job, id string) *barge.Job {
	t.Helper()
	for _, j := range jobs {
		if j.ID == id {
			return j
		}
	}
	t.Fatalf("no job %s", id)
	return nil
}

// TestClusterCapacity: on a Kubernetes cluster, what its nodes have free
// bounds what runs, with maxvCpus on top (ten nodes of 8 vCPUs under
// maxvCpus 256 run 80 vCPUs of jobs); a job bigger than every node waits
// and says so; the jobs left say what the cluster has free; and the
// capacity is asked again on every pass, so nodes that join are used.
func TestClusterCapacity(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if err := st.CreateComputeEnvironment(ctx, ce("k", 256, barge.StateEnabled)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateJobQueue(ctx, queue("q", 1, "k")); err != nil {
		t.Fatal(err)
	}
	jobs := []*barge.Job{job("big", "q", "16")}
	for i := range 100 {
		jobs = append(jobs, job(fmt.Sprintf("j%03d", i), "q", "1"))
	}
	for i, j := range jobs {
		j.CreatedAt = int64(i + 1)
	}
	if err := st.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	var nodes atomic.Int64
	nodes.Store(10)
	withCluster := func(c *scheduler.Config) {
		c.Host = func(*barge.ComputeEnvironment) (string, barge.HostCapacity) {
			n := int(nodes.Load())
			c := barge.HostCapacity{Cluster: "kube", VCPU: 8 * float64(n), MemoryMiB: 32768 * n}
			if n > 0 {
				c.NodeVCPU, c.NodeMemoryMiB = 8, 32768
			}
			return "kube", c
		}
	}
	rec := &recorder{}
	cfg := scheduler.Config{Store: st, Jobs: jobstate.New(jobstate.Config{Store: st}), Scope: scope, Place: rec.place, Tick: time.Hour}
	withCluster(&cfg)
	s := scheduler.New(cfg)
	runCtx, cancel := context.WithCancel(ctx)
	if err := s.Init(runCtx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Run(runCtx); close(done) }()
	defer func() { cancel(); <-done }()
	settle := func() int {
		last := -1
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
			n := len(rec.ids())
			if n == last {
				break
			}
			last = n
		}
		return last
	}
	if got := settle(); got != 80 {
		t.Fatalf("placed %d jobs of 1 vCPU, want 80 (ten nodes of 8 vCPUs)", got)
	}
	if slices.Contains(rec.ids(), "big@k") {
		t.Errorf("placed a 16-vCPU job on nodes of 8")
	}
	for _, tt := range []struct{ id, want string }{
		{"j099", "Waiting for cluster capacity: the job needs 1 vCPU; Kubernetes cluster kube has 0 of 80 vCPUs free (the allocatable CPU of its Ready, schedulable nodes, less what Pods other than barge's request)."},
		{"big", "Waiting for a bigger node: the job needs 16 vCPU, more than any node of Kubernetes cluster kube has allocatable for it (at most 8 vCPUs), so it waits until such a node joins or it is cancelled; AWS would run it."},
	} {
		if got := s.WaitReason("q", jobByID(t, jobs, tt.id).Spec); got != tt.want {
			t.Errorf("WaitReason(%s) = %q, want %q", tt.id, got, tt.want)
		}
	}

	// Two more nodes join: the next pass sees them, and 16 more jobs run;
	// the big one still waits.
	nodes.Store(12)
	s.Kick()
	if got := settle(); got != 96 {
		t.Errorf("with two more nodes, %d jobs placed in all, want 96", got)
	}
	if slices.Contains(rec.ids(), "big@k") {
		t.Errorf("placed a 16-vCPU job on nodes of 8")
	}

	// Every node is cordoned (or tainted, or not Ready): a job waits for a
	// node, not for a bigger one.
	nodes.Store(0)
	s.Kick()
	settle()
	want := "Waiting for a node: no node of Kubernetes cluster kube takes the job's Pod now (each is cordoned, tainted, not Ready or full), so it waits until one does or it is cancelled."
	for _, id := range []string{"j099", "big"} {
		if got := s.WaitReason("q", jobByID(t, jobs, id).Spec); got != want {
			t.Errorf("with no node, WaitReason(%s) = %q, want %q", id, got, want)
		}
	}
}
