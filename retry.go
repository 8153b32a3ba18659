package barge

import (
	"strconv"
	"strings"
)

// MaxAttempts is how many attempts a job with retry strategy rs gets:
// retryStrategy.attempts, or 1 when it has none.
func (rs *RetryStrategy) MaxAttempts() int {
	if rs == nil || rs.Attempts == nil || *rs.Attempts < 1 {
		return 1
	}
	return *rs.Attempts
}

// Retries reports whether a job whose made-th attempt a failed is moved
// back to RUNNABLE, as AWS Batch decides: only while attempts remain, and
// then by the first evaluateOnExit rule whose conditions all match a (its
// statusReason, container reason and exit code), RETRY or EXIT; when no
// rule matches, the job is retried.
func (rs *RetryStrategy) Retries(made int, a Attempt) bool {
	if made >= rs.MaxAttempts() {
		return false
	}
	for _, e := range rs.EvaluateOnExit {
		if e.Matches(a) {
			return strings.EqualFold(e.Action, "RETRY")
		}
	}
	return true
}

// Matches reports whether every condition the rule gives matches attempt a.
// Patterns match the whole string, case-sensitively, or with a trailing *
// its start. An attempt without an exit code (its task never ran) matches
// no onExitCode pattern.
func (e EvaluateOnExit) Matches(a Attempt) bool {
	if e.OnStatusReason != "" && !MatchPattern(e.OnStatusReason, a.StatusReason) {
		return false
	}
	if e.OnReason != "" && !MatchPattern(e.OnReason, a.Container.Reason) {
		return false
	}
	if e.OnExitCode != "" {
		if a.Container.ExitCode == nil || !MatchPattern(e.OnExitCode, strconv.Itoa(*a.Container.ExitCode)) {
			return false
		}
	}
	return true
}

// MatchPattern matches s against a pattern as AWS Batch takes them (in
// evaluateOnExit and in a fair-share policy's share identifiers): exactly, or, when
// the pattern ends with *, by its start.
func MatchPattern(pattern, s string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(s, prefix)
	}
	return pattern == s
}
