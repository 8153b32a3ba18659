package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneGC runs the server's collector at its own targets unless GOGC or
// GOMEMLIMIT is set, and leaves what they set alone.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}

	tuneGC(env(nil))
	if got := debug.SetGCPercent(100); got != serverGCPercent {
		t.Errorf("GC percent = %d, want %d", got, serverGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != serverMemoryLimit {
		t.Errorf("memory limit = %d, want %d", got, serverMemoryLimit)
	}

	tuneGC(env(map[string]string{"GOGC": "50", "GOMEMLIMIT": "2GiB"}))
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, GC percent = %d, want it left at 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, memory limit = %d, want it left alone", got)
	}
}
