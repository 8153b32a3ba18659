package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/store"
)

// Following the job changes of the other servers of a shared database.
const (
	followEvery = 100 * time.Millisecond // how often the change log is read
	followPage  = 1000                   // the most entries one read takes
	changesKept = 10 * time.Minute       // how long entries stay in the log
	trimEvery   = time.Minute            // how often the leader trims it
)

// changeStore is what the follower needs from the store.
type changeStore interface {
	LastJobChange(ctx context.Context) (int64, error)
	JobChangesAfter(ctx context.Context, seq int64, limit int) ([]store.LoggedChange, error)
	TrimJobChanges(ctx context.Context, before int64) (int64, error)
	GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error)
}

// follower hands this server's followers the job changes that other
// servers sharing its database commit, read from the store's change log in
// commit order: this server's own changes reach them through its job bus.
type follower struct {
	store  changeStore
	origin string // this server's ID in the log
	log    *slog.Logger
	after  int64 // the last entry handed over
	// publish takes other servers' changes, each job as it is now but
	// with the status the change gave it.
	publish func([]barge.JobChange)
	// leading reports whether this server leads, and so trims the log.
	leading func() bool
}

// start notes where the log ends now: the follower hands over what comes
// after. Call it before the server serves.
func (f *follower) start(ctx context.Context) error {
	seq, err := f.store.LastJobChange(ctx)
	f.after = seq
	return err
}

// Run follows the log until ctx ends.
func (f *follower) Run(ctx context.Context) error {
	t := time.NewTicker(followEvery)
	defer t.Stop()
	trimmed := time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		for {
			n, err := f.next(ctx)
			if err != nil {
				if ctx.Err() == nil {
					f.log.Warn("reading the job change log failed", "error", err)
				}
				break
			}
			if n < followPage {
				break
			}
		}
		if time.Since(trimmed) >= trimEvery && f.leading() {
			trimmed = time.Now()
			if _, err := f.store.TrimJobChanges(ctx, time.Now().Add(-changesKept).UnixMilli()); err != nil && ctx.Err() == nil {
				f.log.Warn("trimming the job change log failed", "error", err)
			}
		}
	}
}

// next hands over one page of the log, returning how many entries it read.
func (f *follower) next(ctx context.Context) (int, error) {
	entries, err := f.store.JobChangesAfter(ctx, f.after, followPage)
	if err != nil || len(entries) == 0 {
		return 0, err
	}
	var ids []string
	for _, e := range entries {
		if e.Origin != f.origin {
			ids = append(ids, e.JobID)
		}
	}
	if len(ids) > 0 {
		jobs, err := f.store.GetJobs(ctx, ids)
		if err != nil {
			return 0, err
		}
		byID := make(map[string]*barge.Job, len(jobs))
		for _, j := range jobs {
			byID[j.ID] = j
		}
		var changes []barge.JobChange
		for _, e := range entries {
			j := byID[e.JobID]
			if e.Origin == f.origin || j == nil {
				continue // a job deleted since (its queue's)
			}
			c := *j
			c.Status = e.To
			changes = append(changes, barge.JobChange{Job: &c, From: e.From})
		}
		f.publish(changes)
	}
	f.after = entries[len(entries)-1].Seq
	return len(entries), nil
}
