package barge

// ReasonArrayChildFailed is the statusReason of an array parent that failed
// because one of its children failed.
const ReasonArrayChildFailed = "Array Child Job failed"
