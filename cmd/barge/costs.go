package main

import (
	"context"

	"github.com/bargehq/barge/internal/control"
	"github.com/bargehq/barge/internal/costs"
)

// costDays answers the Batch API's POST /v1/barge/costs from the totals.
func costDays(totals *costs.Totals) func(ctx context.Context, queue string, days int) ([]control.CostDay, error) {
	return func(ctx context.Context, queue string, days int) ([]control.CostDay, error) {
		found, err := totals.Daily(ctx, queue, days)
		if err != nil {
			return nil, err
		}
		out := make([]control.CostDay, len(found))
		for i, d := range found {
			out[i] = control.CostDay{Day: d.Day, FargateUSD: d.FargateUSD, FargateSpotUSD: d.FargateSpotUSD, Jobs: d.Jobs}
		}
		return out, nil
	}
}
