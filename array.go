package barge

// ReasonArrayChildFailed is the statusReason of an array parent that failed
// because one of its children failed.
const ReasonArrayChildFailed = "Array Child Job failed"

// SettleArrayParent finishes array job parent once all its children are
// done, given their status counts, and reports whether parent changed. The
// parent SUCCEEDED when every child succeeded, else FAILED with "Array
// Child Job failed". A parent that was cancelled or terminated FAILED with
// the caller's reason, whatever its children did: AWS cancels an array
// parent "when all child jobs are completed".
func SettleArrayParent(parent *Job, counts map[JobStatus]int, now int64) bool {
	if parent.Status.Done() || parent.Spec == nil || counts[JobSucceeded]+counts[JobFailed] < parent.Spec.ArraySize {
		return false
	}
	parent.StoppedAt = now
	switch {
	case parent.IsCancelled || parent.IsTerminated:
		parent.Status = JobFailed
	case counts[JobFailed] == 0:
		parent.Status = JobSucceeded
	default:
		parent.Status, parent.StatusReason = JobFailed, ReasonArrayChildFailed
	}
	return true
}
