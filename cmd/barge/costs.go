package main

import (
	"context"

	"github.com/bargehq/barge/internal/batch"
	"github.com/bargehq/barge/internal/costs"
)

// costDays answers the Batch API's POST /v1/barge/costs from the totals.
func costDays(totals *costs.Totals) func(ctx context.Context, queue string, days int) ([]batch.CostDay, error) {
	return func(ctx context.Context, queue string, days int) ([]batch.CostDay, error) {
		found, err := totals.Daily(ctx, queue, days)
		if err != nil {
			return nil, err
		}
		out := make([]batch.CostDay, len(found))
		for i, d := range found {
			out[i] = batch.CostDay{Day: d.Day, FargateUSD: d.FargateUSD, FargateSpotUSD: d.FargateSpotUSD, Jobs: d.Jobs}
		}
		return out, nil
	}
}
