package barge

// SettleArrayParent finishes array job parent once all its children are
// done, given their status counts: SUCCEEDED when every child succeeded,
// else FAILED ("Array Child Job failed", unless the parent was cancelled or
// terminated with a reason of its own). It reports whether parent changed.
func SettleArrayParent(parent *Job, counts map[JobStatus]int, now int64) bool {
	if parent.Status.Done() || parent.Spec == nil || counts[JobSucceeded]+counts[JobFailed] < parent.Spec.ArraySize {
		return false
	}
	parent.StoppedAt = now
	if counts[JobFailed] == 0 {
		parent.Status = JobSucceeded
		return true
	}
	parent.Status = JobFailed
	if !parent.IsCancelled && !parent.IsTerminated {
		parent.StatusReason = "Array Child Job failed"
	}
	return true
}
