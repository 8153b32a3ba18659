package scheduler_test

import (
	"context"
	"slices"
	"testing"

	"github.com/bargehq/barge"
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
