package runner

import (
	"slices"
	"testing"
	"time"

	"github.com/bargehq/barge"
)

// TestResumedOutput reads a task's output again after a restart from the
// millisecond of the last line stored: the lines stored at that millisecond
// are passed over, once each, and every line after them is kept, even one
// that repeats a stored message.
func TestResumedOutput(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_500)
	line := func(ms int64, msg string) barge.LogLine {
		return barge.LogLine{Time: at.Add(time.Duration(ms) * time.Millisecond), Message: msg}
	}
	tests := []struct {
		name   string
		r      resumed
		lines  []barge.LogLine
		stored []string // the messages kept
	}{
		{"from the start", resumed{}, []barge.LogLine{line(-5, "a"), line(0, "b")}, []string{"a", "b"}},
		{"stored lines passed over", resumed{since: at, stored: []string{"a", "b"}},
			[]barge.LogLine{line(-1, "old"), line(0, "a"), line(0, "b"), line(0, "c"), line(1, "d")}, []string{"c", "d"}},
		{"a repeated message after the stored ones", resumed{since: at, stored: []string{"a"}},
			[]barge.LogLine{line(0, "a"), line(0, "a"), line(2, "a")}, []string{"a", "a"}},
		{"a new line first ends the passing over", resumed{since: at, stored: []string{"a"}},
			[]barge.LogLine{line(0, "x"), line(0, "a")}, []string{"x", "a"}},
		{"nothing stored at since", resumed{since: at}, []barge.LogLine{line(0, "a")}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			var kept []string
			for _, l := range tt.lines {
				if r.keep(l) {
					kept = append(kept, l.Message)
				}
			}
			if !slices.Equal(kept, tt.stored) {
				t.Errorf("kept %q, want %q", kept, tt.stored)
			}
		})
	}
}
