package barge

// JobChange is one job written to the store: inserted (From is "") or
// updated from status From. The store reports the changes of each durable
// write, in commit order, to whoever asked for them (store.Options's
// OnJobsWritten).
//
// Job is a snapshot of the job as written, shared by every consumer of the
// change: callers must not modify it, nor anything it points to.
type JobChange struct {
	Job  *Job
	From JobStatus // "" for a new job
}
