package barge

import (
	"fmt"
	"strings"
)

// MaxReasonLen is the most characters AWS Batch keeps of a statusReason or
// a container's reason; it cuts what is longer.
const MaxReasonLen = 255

// FitReason formats a reason (a statusReason or a container's reason) whose
// string args are its variable parts: names, ARNs, paths. When the whole is
// longer than MaxReasonLen, the longest string args are shortened, with
// "..." in their middle, until it fits, so that the fixed text, which says
// what to do, is never cut. Its format must fit with short args; tests
// check each reason barge builds with its longest args.
func FitReason(format string, args ...any) string {
	s := fmt.Sprintf(format, args...)
	for range len(args) {
		over := len(s) - MaxReasonLen
		if over <= 0 {
			return s
		}
		longest := -1
		for i, a := range args {
			if v, ok := a.(string); ok && len(v) > 7 && (longest < 0 || len(v) > len(args[longest].(string))) {
				longest = i
			}
		}
		if longest < 0 {
			break
		}
		v := args[longest].(string)
		keep := max(len(v)-over-len("..."), 4)
		args[longest] = shortenMiddle(v, keep)
		s = fmt.Sprintf(format, args...)
	}
	if len(s) > MaxReasonLen {
		s = strings.ToValidUTF8(s[:MaxReasonLen], "")
	}
	return s
}

// shortenMiddle keeps keep bytes of s, its start and its end, with "..."
// between them.
func shortenMiddle(s string, keep int) string {
	head := keep * 2 / 3
	tail := keep - head
	return strings.ToValidUTF8(s[:head], "") + "..." + strings.ToValidUTF8(s[len(s)-tail:], "")
}
