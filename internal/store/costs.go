package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/bargehq/barge"
)

// RecordJobCosts adds finished jobs' costs to their queue's day totals, in
// one transaction. A job already recorded is counted once: its row is
// replaced when the entry prices at least as many attempts, and the totals
// move by the difference; otherwise the entry is stale and ignored.
func (s *Store) RecordJobCosts(ctx context.Context, entries []barge.JobCostEntry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.write(ctx, func(t *wtx) error {
		for _, e := range entries {
			if err := recordJobCost(t, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func recordJobCost(t *wtx, e barge.JobCostEntry) error {
	var old barge.JobCostEntry
	err := t.queryRow("SELECT queue, day, attempts, fargate_usd, fargate_spot_usd FROM job_costs WHERE job_id = ?", e.JobID).
		Scan(&old.Queue, &old.Day, &old.Attempts, &old.FargateUSD, &old.FargateSpotUSD)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := t.exec("INSERT INTO job_costs (job_id, queue, day, attempts, fargate_usd, fargate_spot_usd) VALUES (?, ?, ?, ?, ?, ?)",
			e.JobID, e.Queue, e.Day, e.Attempts, e.FargateUSD, e.FargateSpotUSD); err != nil {
			return err
		}
		return addDayCost(t, e.Queue, e.Day, e.FargateUSD, e.FargateSpotUSD, 1)
	case err != nil:
		return err
	case e.Attempts < old.Attempts || old == (barge.JobCostEntry{Queue: e.Queue, Day: e.Day, Attempts: e.Attempts, FargateUSD: e.FargateUSD, FargateSpotUSD: e.FargateSpotUSD}):
		return nil // stale, or seen before
	}
	if _, err := t.exec("UPDATE job_costs SET queue = ?, day = ?, attempts = ?, fargate_usd = ?, fargate_spot_usd = ? WHERE job_id = ?",
		e.Queue, e.Day, e.Attempts, e.FargateUSD, e.FargateSpotUSD, e.JobID); err != nil {
		return err
	}
	if err := addDayCost(t, old.Queue, old.Day, -old.FargateUSD, -old.FargateSpotUSD, -1); err != nil {
		return err
	}
	return addDayCost(t, e.Queue, e.Day, e.FargateUSD, e.FargateSpotUSD, 1)
}

func addDayCost(t *wtx, queue, day string, fargate, spot float64, jobs int) error {
	_, err := t.exec(`INSERT INTO cost_days (queue, day, fargate_usd, fargate_spot_usd, jobs) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (queue, day) DO UPDATE SET fargate_usd = cost_days.fargate_usd + excluded.fargate_usd,
			fargate_spot_usd = cost_days.fargate_spot_usd + excluded.fargate_spot_usd, jobs = cost_days.jobs + excluded.jobs`,
		queue, day, fargate, spot, jobs)
	return err
}

// DailyCosts returns queue's day totals from day from (2006-01-02) on,
// oldest first; days without finished jobs are absent.
func (s *Store) DailyCosts(ctx context.Context, queue, from string) ([]barge.DayCost, error) {
	rows, err := s.query(ctx, "SELECT day, fargate_usd, fargate_spot_usd, jobs FROM cost_days WHERE queue = ? AND day >= ? ORDER BY day", queue, from)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var days []barge.DayCost
	for rows.Next() {
		var d barge.DayCost
		if err := rows.Scan(&d.Day, &d.FargateUSD, &d.FargateSpotUSD, &d.Jobs); err != nil {
			return nil, s.d.dbError(err)
		}
		days = append(days, d)
	}
	return days, s.d.dbError(rows.Err())
}
