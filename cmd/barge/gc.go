package main

import "runtime/debug"

// serverGCPercent is the garbage collector's target the server runs with
// unless GOGC says otherwise: the heap may grow to five times what is live
// before a collection, rather than Go's default of twice. barge's live heap
// is small (tens of MiB with a million jobs stored: the store's pages live
// in SQLite's cache), and its reads allocate much that dies at once, so
// collecting less often takes the collector's pauses and assists out of
// most requests (DescribeJobs(100) p99 at 1M jobs: 10.6 ms at 100, 8.1 ms
// at 400; docs/PERFORMANCE.md) for a few tens of MiB.
const serverGCPercent = 400

// serverMemoryLimit is the soft memory limit the server runs with unless
// GOMEMLIMIT says otherwise: near it the collector runs as often as it
// must, whatever serverGCPercent allows.
const serverMemoryLimit = 1 << 30

// tuneGC sets the server's garbage collector targets, leaving each that its
// environment variable (GOGC, GOMEMLIMIT) sets to the Go runtime.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serverMemoryLimit)
	}
}
