package scheduler_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/scheduler"
	"github.com/bargehq/barge/internal/store"
)

var scope = barge.Scope{Region: "us-east-1", Account: "123456789012"}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func ce(name string, max int, state barge.State) *barge.ComputeEnvironment {
	return &barge.ComputeEnvironment{Name: name, Type: barge.CEManaged, State: state, Status: barge.StatusValid,
		ComputeResources: &barge.ComputeResource{Type: barge.CRFargate, MaxvCpus: &max}, EcsClusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/AWSBatch-" + name + "-x"}
}

func queue(name string, priority int, ces ...string) *barge.JobQueue {
	q := &barge.JobQueue{Name: name, State: barge.StateEnabled, Status: barge.StatusValid, Priority: priority}
	for i, c := range ces {
		q.ComputeEnvironmentOrder = append(q.ComputeEnvironmentOrder, barge.ComputeEnvironmentOrder{Order: i + 1, ComputeEnvironment: c})
	}
	return q
}

func job(id, q, vcpu string) *barge.Job {
	return &barge.Job{ID: id, Name: id, Queue: q, Status: barge.JobRunnable, CreatedAt: 1, Spec: &barge.JobSpec{
		JobDefinitionName: "d",
		Container: &barge.ContainerProperties{ResourceRequirements: []barge.ResourceRequirement{
			{Type: barge.ResourceVCPU, Value: vcpu}, {Type: barge.ResourceMemory, Value: "2048"}}},
	}}
}

// recorder collects placements.
type recorder struct {
	mu     sync.Mutex
	placed []barge.Placement
}

func (r *recorder) place(_ context.Context, ps []barge.Placement) {
	r.mu.Lock()
	r.placed = append(r.placed, ps...)
	r.mu.Unlock()
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, p := range r.placed {
		ids = append(ids, p.Job.ID+"@"+p.ComputeEnvironment)
	}
	return ids
}

// runPass starts the scheduler, lets it settle and stops it.
func runPass(t *testing.T, st *store.Store, rec *recorder) *scheduler.Scheduler {
	t.Helper()
	return runPassWith(t, st, rec, nil)
}

// runPassWith is runPass with the scheduler's configuration changed by edit.
func runPassWith(t *testing.T, st *store.Store, rec *recorder, edit func(*scheduler.Config)) *scheduler.Scheduler {
	t.Helper()
	cfg := scheduler.Config{Store: st, Jobs: jobstate.New(jobstate.Config{Store: st}), Scope: scope, Place: rec.place, Tick: time.Hour}
	if edit != nil {
		edit(&cfg)
	}
	s := scheduler.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	// Run places everything that fits in its first passes; a kick after
	// they settle is a no-op that proves the scheduler is idle.
	deadline := time.Now().Add(5 * time.Second)
	last := -1
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n := len(rec.ids())
		if n == last {
			break
		}
		last = n
	}
	cancel()
	<-done
	return s
}

func TestPlacementOrderAndCapacity(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	for _, c := range []*barge.ComputeEnvironment{ce("spot", 2, barge.StateEnabled), ce("ondemand", 1, barge.StateEnabled), ce("off", 100, barge.StateDisabled)} {
		if err := st.CreateComputeEnvironment(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []*barge.JobQueue{queue("low", 1, "off", "spot", "ondemand"), queue("high", 10, "spot", "ondemand")} {
		if err := st.CreateJobQueue(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Submission order: low's jobs first, but high has the higher priority.
	var jobs []*barge.Job
	for i := 0; i < 3; i++ {
		jobs = append(jobs, job("low"+strconv.Itoa(i), "low", "1"))
	}
	jobs = append(jobs, job("high0", "high", "1"), job("high1", "high", "1"))
	if err := st.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	s := runPass(t, st, rec)

	// 3 vCPUs in all (the DISABLED CE does not count): high's two jobs take
	// Spot first, then low's oldest job gets on-demand.
	want := []string{"high0@spot", "high1@spot", "low0@ondemand"}
	if got := rec.ids(); !equal(got, want) {
		t.Errorf("placements = %v, want %v", got, want)
	}
	if got := s.Used("spot"); got != 2 {
		t.Errorf("Used(spot) = %v, want 2", got)
	}
	got, err := st.GetJobs(ctx, []string{"high0", "low1"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Status != barge.JobStarting || got[0].Runtime == nil || got[0].Runtime.ComputeEnvironment != "spot" ||
		len(barge.TaskID(got[0].Runtime.TaskArn)) != 32 {
		t.Errorf("placed job = %+v %+v, want STARTING on spot with a task ARN", got[0], got[0].Runtime)
	}
	if got[1].Status != barge.JobRunnable {
		t.Errorf("job without room = %s, want RUNNABLE", got[1].Status)
	}

	// Freed capacity is used again, and a restart counts what is held.
	s.Release("spot", 1, 2048)
	rec2 := &recorder{}
	s2 := runPass(t, st, rec2)
	if got := s2.Used("spot") + s2.Used("ondemand"); got != 3 {
		t.Errorf("after restart Used = %v, want the 3 vCPUs of STARTING jobs", got)
	}
	if len(rec2.ids()) != 0 {
		t.Errorf("after restart placed %v with no free capacity", rec2.ids())
	}
}

func TestArrayChildrenAndBigJobs(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if err := st.CreateComputeEnvironment(ctx, ce("ce", 4, barge.StateEnabled)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateJobQueue(ctx, queue("q", 1, "ce")); err != nil {
		t.Fatal(err)
	}
	big := job("big", "q", "16") // never fits: stays RUNNABLE, does not block others
	parent := job("arr", "q", "1")
	parent.Status = barge.JobPending
	parent.Spec.ArraySize = 3
	jobs := []*barge.Job{big, parent}
	for i := 0; i < 3; i++ {
		jobs = append(jobs, &barge.Job{ID: barge.ChildID("arr", i), Name: "arr", Queue: "q", Status: barge.JobRunnable, CreatedAt: 1, ArrayParent: "arr", ArrayIndex: i})
	}
	if err := st.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	runPass(t, st, rec)
	want := []string{"arr:0@ce", "arr:1@ce", "arr:2@ce"}
	if got := rec.ids(); !equal(got, want) {
		t.Errorf("placements = %v, want %v", got, want)
	}
}

// TestPlacementBehindBigJobs: with room for few jobs, a pass reads short
// pages; jobs too big for any compute environment at the head of the queue
// still do not keep the ones behind them from the room.
func TestPlacementBehindBigJobs(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if err := st.CreateComputeEnvironment(ctx, ce("ce", 8, barge.StateEnabled)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateJobQueue(ctx, queue("q", 1, "ce")); err != nil {
		t.Fatal(err)
	}
	var jobs []*barge.Job
	for i := 0; i < 100; i++ {
		jobs = append(jobs, job(fmt.Sprintf("big%03d", i), "q", "16"))
	}
	var want []string
	for i := 0; i < 100; i++ {
		id := fmt.Sprintf("small%03d", i)
		jobs = append(jobs, job(id, "q", "0.25"))
		if i < 32 { // 8 vCPUs hold 32 quarter-vCPU jobs
			want = append(want, id+"@ce")
		}
	}
	if err := st.InsertJobs(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	runPass(t, st, rec)
	if got := rec.ids(); !equal(got, want) {
		t.Errorf("placements = %v, want the 32 oldest small jobs", got)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
