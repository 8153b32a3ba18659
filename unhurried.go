package barge

import "context"

type unhurriedKey struct{}

// Unhurried returns a context whose store writes are background work that
// may wait a few milliseconds to share a commit, and so its disk sync, with
// other writes. The runner's records of attempts starting and ending, and
// of their logs, are such: no client waits on them, and on a busy server
// each would otherwise commit, and sync, alone.
func Unhurried(ctx context.Context) context.Context {
	return context.WithValue(ctx, unhurriedKey{}, true)
}

// IsUnhurried reports whether ctx was made by Unhurried (or from such a
// context).
func IsUnhurried(ctx context.Context) bool {
	v, _ := ctx.Value(unhurriedKey{}).(bool)
	return v
}
