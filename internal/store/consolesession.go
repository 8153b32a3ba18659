package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ConsoleSession is a browser signed in to the console.
type ConsoleSession struct {
	// TokenHash is the SHA-256 of the session cookie's token, in hex: the
	// token itself is never stored.
	TokenHash   string
	AccessKeyID string
	// CSRF is the token every form of the session posts.
	CSRF    string
	Expires time.Time
}

// CreateConsoleSession records a new session, and deletes the sessions that
// expired by now (found by their index, so a sign-in costs what expired
// since the last one).
func (s *Store) CreateConsoleSession(ctx context.Context, cs ConsoleSession, now time.Time) error {
	return s.write(ctx, func(tx *wtx) error {
		if _, err := tx.exec("DELETE FROM console_sessions WHERE expires <= ?", now.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.exec("INSERT INTO console_sessions (token_hash, access_key_id, csrf, expires) VALUES (?, ?, ?, ?)",
			cs.TokenHash, cs.AccessKeyID, cs.CSRF, cs.Expires.UnixMilli())
		return err
	})
}

// ConsoleSession returns the session of a token hash, expired or not; ok is
// false when there is none (never made, or signed out).
func (s *Store) ConsoleSession(ctx context.Context, tokenHash string) (cs ConsoleSession, ok bool, err error) {
	var expires int64
	err = s.queryRow(ctx, "SELECT access_key_id, csrf, expires FROM console_sessions WHERE token_hash = ?", tokenHash).
		Scan(&cs.AccessKeyID, &cs.CSRF, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return ConsoleSession{}, false, nil
	}
	if err != nil {
		return ConsoleSession{}, false, s.d.dbError(err)
	}
	cs.TokenHash, cs.Expires = tokenHash, time.UnixMilli(expires)
	return cs, true, nil
}

// DeleteConsoleSession ends a session; one that does not exist is no error.
func (s *Store) DeleteConsoleSession(ctx context.Context, tokenHash string) error {
	return s.write(ctx, func(tx *wtx) error {
		_, err := tx.exec("DELETE FROM console_sessions WHERE token_hash = ?", tokenHash)
		return err
	})
}
