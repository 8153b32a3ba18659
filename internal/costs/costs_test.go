package costs

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var day1 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// done is a finished job of queue that ran one attempt of secs seconds
// ending at end, at 1 vCPU / 2 GB.
func done(id, queue string, end time.Time, secs ...int64) *barge.Job {
	j := &barge.Job{ID: id, Queue: queue, Status: barge.JobSucceeded, StoppedAt: end.UnixMilli(),
		Spec: &barge.JobSpec{Container: &barge.ContainerProperties{ResourceRequirements: []barge.ResourceRequirement{
			{Type: barge.ResourceVCPU, Value: "1"}, {Type: barge.ResourceMemory, Value: "2048"}}}}}
	for _, s := range secs {
		j.Attempts = append(j.Attempts, barge.Attempt{StartedAt: end.UnixMilli() - s*1000, StoppedAt: end.UnixMilli()})
	}
	return j
}

func cost(t *testing.T, j *barge.Job) barge.Cost {
	c, ok := barge.JobCost(j, barge.DefaultPrices())
	if !ok {
		t.Fatalf("JobCost(%s) not ok", j.ID)
	}
	return c
}

func TestTotals(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := openStore(t)
	tot := New(Options{Store: st, Prices: barge.DefaultPrices(), Now: func() time.Time { return day1.Add(24 * time.Hour) }})
	go tot.Run(ctx)

	a := done("a", "q", day1, 90)
	b := done("b", "q", day1, 600)
	next := done("c", "q", day1.Add(24*time.Hour), 60)
	other := done("d", "other", day1, 90)
	running := &barge.Job{ID: "e", Queue: "q", Status: barge.JobRunning}
	tot.Take([]*barge.Job{a, b, running, other})
	tot.Take([]*barge.Job{a, next}) // a seen twice
	tot.Flush(ctx)

	got, err := tot.Daily(ctx, "q", 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []DayCost{
		{Day: "2026-11-25"},
		{Day: "2026-11-26", FargateUSD: cost(t, a).FargateUSD + cost(t, b).FargateUSD, FargateSpotUSD: cost(t, a).FargateSpotUSD + cost(t, b).FargateSpotUSD, Jobs: 2},
		{Day: "2026-11-27", FargateUSD: cost(t, next).FargateUSD, FargateSpotUSD: cost(t, next).FargateSpotUSD, Jobs: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("Daily = %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Day != w.Day || g.Jobs != w.Jobs || !near(g.FargateUSD, w.FargateUSD) || !near(g.FargateSpotUSD, w.FargateSpotUSD) {
			t.Errorf("Daily[%d] = %+v, want %+v", i, g, w)
		}
	}

	// A terminated job's last attempt is recorded after it is FAILED: the
	// later change replaces the earlier, and a stale one seen late is
	// ignored.
	early := done("a", "q", day1)
	later := done("a", "q", day1, 90, 300)
	tot.Take([]*barge.Job{later, early})
	tot.Flush(ctx)
	got, err = tot.Daily(ctx, "q", 2)
	if err != nil {
		t.Fatal(err)
	}
	if w := cost(t, later).FargateUSD + cost(t, b).FargateUSD; got[0].Jobs != 2 || !near(got[0].FargateUSD, w) {
		t.Errorf("after a's later change, Daily[0] = %+v, want 2 jobs, %v USD", got[0], w)
	}
}

func TestTotalsArrayChildTakesParentSpec(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := openStore(t)
	parent := done("p", "q", day1)
	parent.Status, parent.Spec.ArraySize = barge.JobPending, 2
	if err := st.InsertJobs(ctx, []*barge.Job{parent}); err != nil {
		t.Fatal(err)
	}
	tot := New(Options{Store: st, Prices: barge.DefaultPrices(), Now: func() time.Time { return day1 }})
	go tot.Run(ctx)
	child := done("p:0", "q", day1, 90)
	child.Spec, child.ArrayParent = nil, "p"
	tot.Take([]*barge.Job{child})
	tot.Flush(ctx)
	got, err := tot.Daily(ctx, "q", 1)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := barge.JobCostOf(child, parent.Spec, barge.DefaultPrices())
	if got[0].Jobs != 1 || !near(got[0].FargateUSD, want.FargateUSD) {
		t.Errorf("Daily = %+v, want 1 job at %v USD", got, want.FargateUSD)
	}
}

func near(a, b float64) bool { d := a - b; return d < 1e-12 && d > -1e-12 }

// failingGets is a store whose next GetJobs fails.
type failingGets struct {
	*store.Store
	fail bool
}

func (f *failingGets) GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error) {
	if f.fail {
		f.fail = false
		return nil, errors.New("the disk is gone")
	}
	return f.Store.GetJobs(ctx, ids)
}

// A parent whose spec could not be read is read again for its next child,
// not remembered as having none (which left its children out of the totals).
func TestLoadSpecsRetriesAfterAFailedRead(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	parent := done("p", "q", day1)
	parent.Status, parent.Spec.ArraySize = barge.JobPending, 2
	if err := st.InsertJobs(ctx, []*barge.Job{parent}); err != nil {
		t.Fatal(err)
	}
	fs := &failingGets{Store: st, fail: true}
	tot := New(Options{Store: fs, Prices: barge.DefaultPrices(), Now: func() time.Time { return day1 }})
	child := done("p:0", "q", day1, 90)
	child.Spec, child.ArrayParent = nil, "p"
	if err := tot.loadSpecs(ctx, []*barge.Job{child}); err == nil {
		t.Fatal("loadSpecs with a failing store = nil, want its error")
	}
	if err := tot.loadSpecs(ctx, []*barge.Job{child}); err != nil {
		t.Fatalf("loadSpecs again = %v", err)
	}
	if tot.specs["p"] == nil {
		t.Errorf("parent's spec after a failed then a good read = nil, want it loaded")
	}
}
