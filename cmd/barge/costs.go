package main

import (
	"context"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
)

// costsStore is the store as the cost totals use it, bound once Run has
// opened it: the totals exist before the store, which reports its job
// writes to them, and read or write nothing before then.
type costsStore struct{ m *Main }

func (s costsStore) RecordJobCosts(ctx context.Context, entries []barge.JobCostEntry) error {
	return s.m.store.RecordJobCosts(ctx, entries)
}

func (s costsStore) DailyCosts(ctx context.Context, queue, from string) ([]barge.DayCost, error) {
	return s.m.store.DailyCosts(ctx, queue, from)
}

func (s costsStore) GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error) {
	return s.m.store.GetJobs(ctx, ids)
}

// costDays answers the Batch API's POST /v1/barge/costs from the totals.
func (m *Main) costDays(ctx context.Context, queue string, days int) ([]control.CostDay, error) {
	found, err := m.Costs.Daily(ctx, queue, days)
	if err != nil {
		return nil, err
	}
	out := make([]control.CostDay, len(found))
	for i, d := range found {
		out[i] = control.CostDay{Day: d.Day, FargateUSD: d.FargateUSD, FargateSpotUSD: d.FargateSpotUSD, Jobs: d.Jobs}
	}
	return out, nil
}
