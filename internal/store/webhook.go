package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/bargehq/barge"
)

// AddWebhookDeliveries adds deliveries to the outbox, in one durable write.
func (s *Store) AddWebhookDeliveries(ctx context.Context, ds []barge.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *wtx) error {
		for _, d := range ds {
			if _, err := tx.exec(`INSERT INTO webhook_outbox (url, event_id, body, created_at, attempts, next_at)
				VALUES (?, ?, ?, ?, ?, ?)`, d.URL, d.EventID, d.Body, d.CreatedAt, d.Attempts, d.NextAt); err != nil {
				return err
			}
		}
		return nil
	})
}

// DueWebhookDeliveries returns up to limit deliveries due at now (Unix
// milliseconds), soonest first.
func (s *Store) DueWebhookDeliveries(ctx context.Context, now int64, limit int) ([]barge.WebhookDelivery, error) {
	rows, err := s.query(ctx, `SELECT seq, url, event_id, body, created_at, attempts, next_at, COALESCE(last_error, '')
		FROM webhook_outbox WHERE next_at <= ? ORDER BY next_at, seq LIMIT ?`, now, limit)
	if err != nil {
		return nil, s.d.dbError(err)
	}
	defer rows.Close()
	var out []barge.WebhookDelivery
	for rows.Next() {
		var d barge.WebhookDelivery
		if err := rows.Scan(&d.Seq, &d.URL, &d.EventID, &d.Body, &d.CreatedAt, &d.Attempts, &d.NextAt, &d.LastError); err != nil {
			return nil, s.d.dbError(err)
		}
		out = append(out, d)
	}
	return out, s.d.dbError(rows.Err())
}

// NextWebhookDue returns when the soonest delivery is due (Unix
// milliseconds); ok is false when the outbox is empty.
func (s *Store) NextWebhookDue(ctx context.Context) (at int64, ok bool, err error) {
	err = s.queryRow(ctx, "SELECT next_at FROM webhook_outbox ORDER BY next_at, seq LIMIT 1").Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return at, err == nil, s.d.dbError(err)
}

// FinishWebhookDeliveries removes the deliveries done (or given up on) and
// records the next attempt of those to retry, in one durable write.
func (s *Store) FinishWebhookDeliveries(ctx context.Context, done []int64, retry []barge.WebhookDelivery) error {
	if len(done) == 0 && len(retry) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *wtx) error {
		for _, seq := range done {
			if _, err := tx.exec("DELETE FROM webhook_outbox WHERE seq = ?", seq); err != nil {
				return err
			}
		}
		for _, d := range retry {
			if _, err := tx.exec("UPDATE webhook_outbox SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?",
				d.Attempts, d.NextAt, d.LastError, d.Seq); err != nil {
				return err
			}
		}
		return nil
	})
}
