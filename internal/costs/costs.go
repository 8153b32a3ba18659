// Package costs keeps the cost of finished jobs per queue and UTC day, from
// the job changes the store reports, in the store's job_costs and cost_days
// tables (docs/COST.md).
//
// Changes are taken without blocking the caller (the job bus,
// internal/jobbus) and written by Run in batches. Counting is
// idempotent: a job is one row keyed by its ID, so a change seen twice does
// not count twice. Changes taken but not yet written when the server stops
// are not counted; the jobs' own bargeCost in DescribeJobs is unaffected.
package costs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// DayCost is one UTC day of a queue's finished jobs.
type DayCost = barge.DayCost

// Store is what Totals needs of the store.
type Store interface {
	RecordJobCosts(ctx context.Context, entries []barge.JobCostEntry) error
	DailyCosts(ctx context.Context, queue, from string) ([]barge.DayCost, error)
	GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error)
}

// Options configures Totals.
type Options struct {
	Store  Store
	Prices barge.PriceTable
	Now    func() time.Time // today, for Daily; time.Now when nil
	Log    *slog.Logger
}

// Totals keeps the cost totals. Its methods are safe for concurrent use.
type Totals struct {
	store  Store
	prices barge.PriceTable
	now    func() time.Time
	log    *slog.Logger

	mu      sync.Mutex
	pending []*barge.Job
	idle    *sync.Cond // signalled when pending is empty and nothing is being written
	busy    bool
	wake    chan struct{}

	specs map[string]*barge.JobSpec // array parents' specs, bounded
}

// maxSpecs bounds the array parents' specs Totals keeps.
const maxSpecs = 1024

// New returns Totals; Run writes what it takes.
func New(opts Options) *Totals {
	t := &Totals{
		store:  opts.Store,
		prices: opts.Prices,
		now:    opts.Now,
		log:    opts.Log,
		wake:   make(chan struct{}, 1),
		specs:  map[string]*barge.JobSpec{},
	}
	t.idle = sync.NewCond(&t.mu)
	if t.now == nil {
		t.now = time.Now
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	return t
}

// Publish takes job changes: cmd/barge subscribes it to the job bus
// (internal/jobbus). Only jobs that reached SUCCEEDED or FAILED are
// kept; it never blocks on the store.
func (t *Totals) Publish(changes []barge.JobChange) {
	jobs := make([]*barge.Job, 0, len(changes))
	for _, c := range changes {
		if c.Job.Status.Done() {
			jobs = append(jobs, c.Job)
		}
	}
	t.Take(jobs)
}

// Take takes jobs as written; it never blocks on the store.
func (t *Totals) Take(jobs []*barge.Job) {
	n := 0
	t.mu.Lock()
	for _, j := range jobs {
		if j.Status.Done() && !j.IsArrayParent() {
			t.pending = append(t.pending, j)
			n++
		}
	}
	t.mu.Unlock()
	if n > 0 {
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
}

// Run writes the jobs taken until ctx ends.
func (t *Totals) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.wake:
		}
		t.mu.Lock()
		jobs := t.pending
		t.pending, t.busy = nil, true
		t.mu.Unlock()
		if err := t.record(ctx, jobs); err != nil && ctx.Err() == nil {
			t.log.Error("recording job costs failed", "jobs", len(jobs), "error", err)
		}
		t.mu.Lock()
		t.busy = false
		if len(t.pending) == 0 {
			t.idle.Broadcast()
		}
		t.mu.Unlock()
	}
}

// Flush waits until every job taken so far is written (or ctx ends; the
// wait then continues in the background until Run catches up). Tests and
// shutdown use it.
func (t *Totals) Flush(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		t.mu.Lock()
		for len(t.pending) > 0 || t.busy {
			t.idle.Wait()
		}
		t.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// record prices jobs and writes them.
func (t *Totals) record(ctx context.Context, jobs []*barge.Job) error {
	if len(jobs) == 0 {
		return nil
	}
	if err := t.loadSpecs(ctx, jobs); err != nil {
		return err
	}
	entries := make([]barge.JobCostEntry, 0, len(jobs))
	for _, j := range jobs {
		spec := j.Spec
		if spec == nil {
			spec = t.specs[j.ArrayParent]
		}
		c, ok := barge.JobCostOf(j, spec, t.prices)
		if !ok {
			continue
		}
		entries = append(entries, barge.JobCostEntry{
			JobID: j.ID, Queue: j.Queue, Day: day(j), Attempts: len(j.Attempts),
			FargateUSD: c.FargateUSD, FargateSpotUSD: c.FargateSpotUSD,
		})
	}
	return t.store.RecordJobCosts(ctx, entries)
}

// loadSpecs reads the specs of the array parents of jobs that it does not
// hold yet.
func (t *Totals) loadSpecs(ctx context.Context, jobs []*barge.Job) error {
	var missing []string
	for _, j := range jobs {
		if j.Spec == nil && j.ArrayParent != "" {
			if _, ok := t.specs[j.ArrayParent]; !ok {
				t.specs[j.ArrayParent] = nil
				missing = append(missing, j.ArrayParent)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	for len(missing) > 0 {
		n := min(len(missing), 100)
		found, err := t.store.GetJobs(ctx, missing[:n])
		if err != nil {
			for _, id := range missing {
				delete(t.specs, id) // not known: read again next time
			}
			return err
		}
		for _, p := range found {
			t.specs[p.ID] = p.Spec
		}
		missing = missing[n:]
	}
	if len(t.specs) > maxSpecs {
		keep := map[string]*barge.JobSpec{}
		for _, j := range jobs {
			if s, ok := t.specs[j.ArrayParent]; ok {
				keep[j.ArrayParent] = s
			}
		}
		t.specs = keep
	}
	return nil
}

// day is the UTC day a finished job counts on: that of its stoppedAt, or
// of its last attempt's end when it has none.
func day(j *barge.Job) string {
	ms := j.StoppedAt
	if ms == 0 && len(j.Attempts) > 0 {
		ms = j.Attempts[len(j.Attempts)-1].StoppedAt
	}
	return time.UnixMilli(ms).UTC().Format(time.DateOnly)
}

// Daily returns queue's cost for each of the last days UTC days, today
// included, oldest first; a day without finished jobs is zero.
func (t *Totals) Daily(ctx context.Context, queue string, days int) ([]DayCost, error) {
	if days < 1 {
		return []DayCost{}, nil
	}
	today := t.now().UTC().Truncate(24 * time.Hour)
	first := today.AddDate(0, 0, -(days - 1))
	stored, err := t.store.DailyCosts(ctx, queue, first.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	byDay := make(map[string]DayCost, len(stored))
	for _, d := range stored {
		byDay[d.Day] = d
	}
	out := make([]DayCost, 0, days)
	for d := first; !d.After(today); d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		c, ok := byDay[key]
		if !ok {
			c = DayCost{Day: key}
		}
		out = append(out, c)
	}
	return out, nil
}
