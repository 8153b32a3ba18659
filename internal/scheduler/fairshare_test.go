package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/scheduler"
	"github.com/bargehq/barge/internal/store"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fairQueue creates compute environment ce with maxvCpus vCPUs and queue fq
// on it with a fair-share policy of the given weights (share → weight).
func fairQueue(t *testing.T, st *store.Store, maxvCpus int, reservation int, weights map[string]float64) {
	t.Helper()
	ctx := context.Background()
	if err := st.CreateComputeEnvironment(ctx, ce("ce", maxvCpus, barge.StateEnabled)); err != nil {
		t.Fatal(err)
	}
	fp := &barge.FairsharePolicy{}
	if reservation > 0 {
		fp.ComputeReservation = &reservation
	}
	for share, w := range weights {
		fp.ShareDistribution = append(fp.ShareDistribution, barge.ShareAttributes{ShareIdentifier: share, WeightFactor: &w})
	}
	if err := st.CreateSchedulingPolicy(ctx, &barge.SchedulingPolicy{Name: "fair", FairsharePolicy: fp}); err != nil {
		t.Fatal(err)
	}
	q := queue("fq", 1, "ce")
	q.SchedulingPolicyArn = scope.ARN(barge.KindSchedulingPolicy, "fair")
	if err := st.CreateJobQueue(ctx, q); err != nil {
		t.Fatal(err)
	}
}

// shareJobs returns n RUNNABLE jobs of share in queue fq, ids share0,
// share1, ..., of vcpu vCPUs.
func shareJobs(share string, n int, vcpu string) []*barge.Job {
	var jobs []*barge.Job
	for i := range n {
		j := job(fmt.Sprintf("%s%d", share, i), "fq", vcpu)
		j.Spec.ShareIdentifier = share
		jobs = append(jobs, j)
	}
	return jobs
}

// sequencer runs a scheduler whose placements it receives one by one.
type sequencer struct {
	t      *testing.T
	s      *scheduler.Scheduler
	placed chan barge.Placement
	cancel context.CancelFunc
	done   chan struct{}
}

func startSequencer(t *testing.T, st *store.Store, now func() time.Time) *sequencer {
	t.Helper()
	q := &sequencer{t: t, placed: make(chan barge.Placement, 1000), done: make(chan struct{})}
	q.s = scheduler.New(scheduler.Config{Store: st, Jobs: jobstate.New(jobstate.Config{Store: st, Now: now}), Scope: scope, Now: now, Tick: 10 * time.Millisecond,
		Place: func(_ context.Context, ps []barge.Placement) {
			for _, p := range ps {
				q.placed <- p
			}
		}})
	ctx, cancel := context.WithCancel(context.Background())
	q.cancel = cancel
	if err := q.s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	go func() { q.s.Run(ctx); close(q.done) }()
	t.Cleanup(func() { cancel(); <-q.done })
	return q
}

// next returns the next placement.
func (q *sequencer) next() barge.Placement {
	q.t.Helper()
	select {
	case p := <-q.placed:
		return p
	case <-time.After(10 * time.Second):
		q.t.Fatal("no placement within 10 s")
		return barge.Placement{}
	}
}

// none checks that nothing more is placed once the scheduler settles: a
// pass after the wake-up finds nothing, and a placement would come with it.
func (q *sequencer) none() {
	q.t.Helper()
	q.s.Kick()
	select {
	case p := <-q.placed:
		q.t.Errorf("placed %s, want nothing more", p.Job.ID)
	case <-time.After(200 * time.Millisecond):
	}
}

// shareOrder places n jobs one at a time in a compute environment with room
// for one: each placement's capacity is released before the next.
func shareOrder(q *sequencer, n int) string {
	var order []string
	for range n {
		p := q.next()
		order = append(order, p.Spec.ShareIdentifier)
		q.s.Release(p.ComputeEnvironment, p.VCPU, p.MemoryMiB)
	}
	return strings.Join(order, " ")
}

func TestFairShareInterleaves(t *testing.T) {
	st := openStore(t)
	fairQueue(t, st, 1, 0, nil)
	// All of a's jobs are older than b's: first in, first out would run
	// them all first.
	if err := st.InsertJobs(context.Background(), append(shareJobs("a", 10, "1"), shareJobs("b", 10, "1")...)); err != nil {
		t.Fatal(err)
	}
	clk := newClock() // usage does not decay: ties go to the first share by name
	q := startSequencer(t, st, clk.Now)
	if got, want := shareOrder(q, 12), "a b a b a b a b a b a b"; got != want {
		t.Errorf("placements by share = %s, want %s", got, want)
	}
}

func TestFairShareWeights(t *testing.T) {
	st := openStore(t)
	fairQueue(t, st, 1, 0, map[string]float64{"fast": 0.5, "slow": 1})
	if err := st.InsertJobs(context.Background(), append(shareJobs("slow", 20, "1"), shareJobs("fast", 20, "1")...)); err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	q := startSequencer(t, st, clk.Now)
	got := shareOrder(q, 15)
	if want := "fast slow fast fast slow fast fast slow fast fast slow fast fast slow fast"; got != want {
		t.Errorf("placements by share = %s, want %s (weight 0.5 gets twice weight 1's)", got, want)
	}
}

// TestFairShareDecay: a share's usage halves every shareDecaySeconds, so a
// share that ran much long ago is owed less than one that ran a little
// lately.
func TestFairShareDecay(t *testing.T) {
	st := openStore(t)
	fairQueue(t, st, 1, 0, nil)
	ctx := context.Background()
	if err := st.InsertJobs(ctx, shareJobs("old", 8, "1")); err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	q := startSequencer(t, st, clk.Now)
	if got := shareOrder(q, 3); got != "old old old" {
		t.Fatalf("placements = %s, want old's first three", got)
	}
	// 4 vCPUs placed for old, then thirty minutes (three half-lives of
	// 600 s): they count as 0.5. new, at 0, is served first, and then old,
	// owed more than new's 1. Without the decay new would be served four
	// times in a row.
	p := q.next()
	clk.advance(30 * time.Minute)
	if err := st.InsertJobs(ctx, shareJobs("new", 4, "1")); err != nil {
		t.Fatal(err)
	}
	q.s.Release(p.ComputeEnvironment, p.VCPU, p.MemoryMiB)
	if got, want := shareOrder(q, 4), "new old new old"; got != want {
		t.Errorf("placements after 30 minutes = %s, want %s", got, want)
	}
}

func TestFairSharePriority(t *testing.T) {
	st := openStore(t)
	fairQueue(t, st, 1, 0, nil)
	jobs := shareJobs("a", 3, "1")
	high := 9
	jobs[2].Spec.SchedulingPriority = &high // the newest, but the highest priority
	if err := st.InsertJobs(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
	q := startSequencer(t, st, newClock().Now)
	var order []string
	for range 3 {
		p := q.next()
		order = append(order, p.Job.ID)
		q.s.Release(p.ComputeEnvironment, p.VCPU, p.MemoryMiB)
	}
	if got, want := strings.Join(order, " "), "a2 a0 a1"; got != want {
		t.Errorf("placements = %s, want %s (priority 9 first, then oldest first)", got, want)
	}
}

// TestFairShareArray: an array's children are placed in their parent's
// share.
func TestFairShareArray(t *testing.T) {
	st := openStore(t)
	fairQueue(t, st, 1, 0, nil)
	parent := job("arr", "fq", "1")
	parent.Status = barge.JobPending
	parent.Spec.ShareIdentifier, parent.Spec.ArraySize = "a", 3
	jobs := []*barge.Job{parent}
	for i := range 3 {
		jobs = append(jobs, &barge.Job{ID: barge.ChildID("arr", i), Name: "arr", Queue: "fq", Status: barge.JobRunnable, CreatedAt: 1, ArrayParent: "arr", ArrayIndex: i})
	}
	jobs = append(jobs, shareJobs("b", 3, "1")...)
	if err := st.InsertJobs(context.Background(), jobs); err != nil {
		t.Fatal(err)
	}
	q := startSequencer(t, st, newClock().Now)
	var order []string
	for range 4 {
		p := q.next()
		order = append(order, p.Job.ID)
		q.s.Release(p.ComputeEnvironment, p.VCPU, p.MemoryMiB)
	}
	if got, want := strings.Join(order, " "), "arr:0 b0 arr:1 b1"; got != want {
		t.Errorf("placements = %s, want %s", got, want)
	}
}

// TestComputeReservation: with computeReservation 50 and 4 vCPUs, one
// active share may use 4 - 4×0.5 = 2 vCPUs; a new share may use the
// reserve, after which two active shares leave 4×0.25 = 1 vCPU unused.
func TestComputeReservation(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	fairQueue(t, st, 4, 50, nil)
	if err := st.InsertJobs(ctx, shareJobs("a", 5, "1")); err != nil {
		t.Fatal(err)
	}
	q := startSequencer(t, st, newClock().Now)
	for _, want := range []string{"a0", "a1"} {
		if p := q.next(); p.Job.ID != want {
			t.Errorf("placed %s, want %s", p.Job.ID, want)
		}
	}
	q.none()
	reason := q.s.WaitReason("fq", shareJobs("a", 1, "1")[0].Spec)
	if !strings.Contains(reason, "computeReservation") || !strings.Contains(reason, "2 vCPUs are held back") {
		t.Errorf("WaitReason(a's job) = %q, want it to name the 2 vCPUs the computeReservation holds back", reason)
	}
	if got := loadedReason(t, q.s, "fq", shareJobs("a", 1, "1")[0].Spec); got != reason {
		t.Errorf("WaitReason(a's job) from the loaded view = %q, the leader's %q", got, reason)
	}

	if err := st.InsertJobs(ctx, shareJobs("b", 2, "1")); err != nil {
		t.Fatal(err)
	}
	q.s.Kick()
	if p := q.next(); p.Job.ID != "b0" {
		t.Errorf("placed %s, want b0 in the reserve", p.Job.ID)
	}
	q.none()
	if used := q.s.Used("ce"); used != 3 {
		t.Errorf("Used(ce) = %v, want 3 (1 vCPU reserved for a third share)", used)
	}
}

func TestSnapshotFrontAndUsage(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	fairQueue(t, st, 2, 0, map[string]float64{"a": 0.5})
	if err := st.InsertJobs(ctx, append(shareJobs("b", 4, "1"), shareJobs("a", 6, "1")...)); err != nil {
		t.Fatal(err)
	}
	q := startSequencer(t, st, newClock().Now)
	// Two placements fill the compute environment: a (weight 0.5), then
	// b (a's usage 0.5 against b's 0).
	first, second := q.next(), q.next()
	if first.Job.ID != "a0" || second.Job.ID != "b0" {
		t.Fatalf("placed %s, %s; want a0, b0", first.Job.ID, second.Job.ID)
	}
	fq, err := st.GetJobQueue(ctx, "fq")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := q.s.Snapshot(ctx, fq)
	if err != nil {
		t.Fatal(err)
	}
	// Usage a 0.5, b 1: a, a (1.0 — a tie, a first by name), b, a, a, b, ...
	var front []string
	for _, f := range snap.Front {
		front = append(front, f.JobID)
	}
	if got, want := strings.Join(front, " "), "a1 a2 b1 a3 a4 b2 a5 b3"; got != want {
		t.Errorf("front = %s, want %s", got, want)
	}
	if snap.VCPU != 2 || snap.FairShare == nil || snap.FairShare.ActiveShares != 2 || len(snap.FairShare.Top) != 2 {
		t.Fatalf("snapshot usage = %v vCPU, %+v; want 2 vCPUs held by 2 shares", snap.VCPU, snap.FairShare)
	}
}

// TestFairShareLongLine: a share that takes more jobs in a pass than its
// first read held reads on from where it stopped, in priority order.
func TestFairShareLongLine(t *testing.T) {
	st := openStore(t)
	fairQueue(t, st, 4, 0, map[string]float64{"a": 0.1})
	a := shareJobs("a", 20, "0.25")
	for i, j := range a {
		p := []int{1, 3, 2}[i%3] // a0 1, a1 3, a2 2, a3 1, ...
		j.Spec.SchedulingPriority = &p
	}
	if err := st.InsertJobs(context.Background(), append(a, shareJobs("b", 20, "0.25")...)); err != nil {
		t.Fatal(err)
	}
	q := startSequencer(t, st, newClock().Now)
	// 4 vCPUs hold 16 jobs: a, weighing a tenth, takes 14 of them. (a
	// first, the tie at nothing going by name; then b; then a until its
	// usage is ten times b's quarter vCPU, and so on.)
	var got []string
	for range 16 {
		if p := q.next(); p.Spec.ShareIdentifier == "a" {
			got = append(got, p.Job.ID)
		}
	}
	want := "a1 a4 a7 a10 a13 a16 a19 a2 a5 a8 a11 a14 a17 a0"
	if strings.Join(got, " ") != want {
		t.Errorf("a's placements = %s, want %s (priority 3, then 2, then 1, each oldest first)", strings.Join(got, " "), want)
	}
}
