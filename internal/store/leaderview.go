package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/bargehq/barge"
)

// LeaderView is a view the leader published (PublishView), as ReadView
// found it.
type LeaderView struct {
	// Token is the leader lease's term that wrote it.
	Token int64
	// Version grows by one at each write; 0 for a view never published.
	Version int64
	// Body is what was published; nil when Version is the one the reader
	// said it had.
	Body []byte
}

// PublishView replaces the body of view name. Only the leader publishes:
// ctx must carry its term's fence (WithFence), whose token the view
// records, and a term that ended is refused (ErrFenced).
func (s *Store) PublishView(ctx context.Context, name string, body []byte) error {
	f, ok := fenceOf(ctx)
	if !ok {
		return barge.Errorf(barge.EInvalid, "view %s: only a leader publishes, under its term's fence", name)
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := tx.exec(`INSERT INTO leader_views (name, token, version, body) VALUES (?, ?, 1, ?)
			ON CONFLICT (name) DO UPDATE SET token = excluded.token, version = leader_views.version + 1, body = excluded.body`,
			name, f.Token, body)
		return err
	})
}

// ReadView returns view name, its body only if its version is not known
// (the version the caller has already read, 0 for none).
func (s *Store) ReadView(ctx context.Context, name string, known int64) (LeaderView, error) {
	var v LeaderView
	err := s.queryRow(ctx, "SELECT token, version, CASE WHEN version = ? THEN NULL ELSE body END FROM leader_views WHERE name = ?",
		known, name).Scan(&v.Token, &v.Version, &v.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return LeaderView{}, nil
	}
	return v, s.d.dbError(err)
}
