package store

import (
	"context"
	"testing"
	"time"
)

// TestConsoleSessionsShared: a session one server records is read by
// another on the same database, a sign-out on either ends it for both, and
// a sign-in sweeps the sessions that expired.
func TestConsoleSessionsShared(t *testing.T) {
	ctx := context.Background()
	a, b := openReplicas(t)
	now := time.UnixMilli(1_800_000_000_000)

	old := ConsoleSession{TokenHash: "old", AccessKeyID: "AKID", CSRF: "c0", Expires: now}
	if err := a.CreateConsoleSession(ctx, old, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	cs := ConsoleSession{TokenHash: "h1", AccessKeyID: "AKID", CSRF: "c1", Expires: now.Add(12 * time.Hour)}
	if err := a.CreateConsoleSession(ctx, cs, now); err != nil {
		t.Fatalf("CreateConsoleSession = %v", err)
	}
	got, ok, err := b.ConsoleSession(ctx, "h1")
	if err != nil || !ok || got.AccessKeyID != cs.AccessKeyID || got.CSRF != cs.CSRF || !got.Expires.Equal(cs.Expires) || got.TokenHash != "h1" {
		t.Fatalf("ConsoleSession(h1) on the other server = %+v, %v, %v; want %+v", got, ok, err, cs)
	}
	if _, ok, err := b.ConsoleSession(ctx, "old"); ok || err != nil {
		t.Errorf("ConsoleSession(expired before the last sign-in) = %v, %v; want swept", ok, err)
	}
	if _, ok, err := a.ConsoleSession(ctx, "forged"); ok || err != nil {
		t.Errorf("ConsoleSession(never made) = %v, %v; want none", ok, err)
	}
	if err := b.DeleteConsoleSession(ctx, "h1"); err != nil {
		t.Fatalf("DeleteConsoleSession = %v", err)
	}
	if _, ok, err := a.ConsoleSession(ctx, "h1"); ok || err != nil {
		t.Errorf("ConsoleSession(signed out on the other server) = %v, %v; want none", ok, err)
	}
	if err := b.DeleteConsoleSession(ctx, "h1"); err != nil {
		t.Errorf("DeleteConsoleSession(again) = %v, want nil", err)
	}
}
