package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/bargehq/barge"
)

// LeaseState is a lease's row as a reader sees it.
type LeaseState struct {
	// Holder is the holding server's ID, "" when the lease is free.
	Holder string
	// Token is the fencing token of the holder's term: it grows by one at
	// each new holder.
	Token int64
	// Renewals counts the holder's renewals in this term; a contender that
	// sees (Token, Renewals) unchanged for a lease's duration takes it.
	Renewals int64
}

// ReadLease returns lease name's state; a lease never taken reads as free,
// with token 0.
func (s *Store) ReadLease(ctx context.Context, name string) (LeaseState, error) {
	var l LeaseState
	err := s.queryRow(ctx, "SELECT holder, token, renewals FROM leases WHERE name = ?", name).Scan(&l.Holder, &l.Token, &l.Renewals)
	if errors.Is(err, sql.ErrNoRows) {
		return LeaseState{}, nil
	}
	return l, s.d.dbError(err)
}

// TakeLease makes holder the holder of lease name, if the lease is still as
// seen (the state a ReadLease returned), and returns the new term's token.
// A lease that changed meanwhile is an EConflict error: someone renewed,
// released or took it first.
func (s *Store) TakeLease(ctx context.Context, name, holder string, seen LeaseState) (int64, error) {
	var token int64
	err := s.write(ctx, func(tx *wtx) error {
		if seen.Token == 0 {
			n, err := affected(tx.exec(`INSERT INTO leases (name, holder, token, renewals) VALUES (?, ?, 1, 0)
				ON CONFLICT (name) DO NOTHING`, name, holder))
			if err != nil {
				return err
			}
			if n == 0 {
				return barge.Errorf(barge.EConflict, "lease %s was taken meanwhile", name)
			}
			token = 1
			return nil
		}
		n, err := affected(tx.exec(`UPDATE leases SET holder = ?, token = token + 1, renewals = 0
			WHERE name = ? AND holder = ? AND token = ? AND renewals = ?`, holder, name, seen.Holder, seen.Token, seen.Renewals))
		if err != nil {
			return err
		}
		if n == 0 {
			return barge.Errorf(barge.EConflict, "lease %s changed meanwhile", name)
		}
		token = seen.Token + 1
		return nil
	})
	return token, err
}

// RenewLease renews holder's term token of lease name. A term that ended
// (another holder took the lease) is an EConflict error.
func (s *Store) RenewLease(ctx context.Context, name, holder string, token int64) error {
	return s.write(ctx, func(tx *wtx) error {
		n, err := affected(tx.exec("UPDATE leases SET renewals = renewals + 1 WHERE name = ? AND holder = ? AND token = ?",
			name, holder, token))
		if err != nil {
			return err
		}
		if n == 0 {
			return barge.Errorf(barge.EConflict, "lease %s: term %d has ended", name, token)
		}
		return nil
	})
}

// ReleaseLease ends holder's term token of lease name, so that a contender
// takes the lease without waiting for it to expire. A term that ended
// already is not an error.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string, token int64) error {
	return s.write(ctx, func(tx *wtx) error {
		_, err := tx.exec("UPDATE leases SET holder = '', renewals = renewals + 1 WHERE name = ? AND holder = ? AND token = ?",
			name, holder, token)
		return err
	})
}
