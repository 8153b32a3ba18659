package kubernetes

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
)

func TestLabelValue(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"data", "data"},
		{"4a6f7e1c-0000-4000-8000-000000000001:7", "4a6f7e1c-0000-4000-8000-000000000001_7"},
		{"aws:cloudformation:stack-name", "aws_cloudformation_stack-name"},
		{"-_.x y._-", "x_y"},
		{"::", ""},
		{"", ""},
		{strings.Repeat("a", 70), strings.Repeat("a", 63)},
		{strings.Repeat("a", 62) + "-b", strings.Repeat("a", 62)},
	} {
		if got := labelValue(c.in); got != c.want {
			t.Errorf("labelValue(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReadLines(t *testing.T) {
	long := strings.Repeat("x", maxLine+10)
	in := "2026-01-02T03:04:05.123456789Z first\n" +
		"2026-01-02T03:04:06Z  two spaces\n" +
		"2026-01-02T03:04:07Z " + long + "\n" +
		"2026-01-02T03:04:08Z no newline"
	var got []barge.LogLine
	if err := readLines(strings.NewReader(in), true, func(l barge.LogLine) bool { got = append(got, l); return true }); err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339Nano, s); return v }
	want := []barge.LogLine{
		{Time: at("2026-01-02T03:04:05.123456789Z"), Stderr: true, Message: "first"},
		{Time: at("2026-01-02T03:04:06Z"), Stderr: true, Message: " two spaces"},
		{Time: at("2026-01-02T03:04:07Z"), Stderr: true, Message: long[:maxLine]},
		{Time: at("2026-01-02T03:04:07Z"), Stderr: true, Message: long[maxLine:]},
		{Time: at("2026-01-02T03:04:08Z"), Stderr: true, Message: "no newline"},
	}
	if !slices.Equal(got, want) {
		for i := range max(len(got), len(want)) {
			if i >= len(got) || i >= len(want) || got[i] != want[i] {
				t.Errorf("line %d differs (got %d lines, want %d)", i, len(got), len(want))
				break
			}
		}
	}
}

// TestMerge: a stderr line written before a stdout line, but read after it,
// is passed on first; a later line older than one passed on gets its time.
func TestMerge(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	stdout, stderr := make(chan logLine, 4), make(chan logLine, 4)
	line := func(ms int, msg string) logLine {
		return logLine{LogLine: barge.LogLine{Time: base.Add(time.Duration(ms) * time.Millisecond), Message: msg}, arrived: time.Now()}
	}
	stdout <- line(20, "out1")
	stdout <- line(40, "out2")
	go func() {
		time.Sleep(20 * time.Millisecond)
		stderr <- line(10, "err1")
		stderr <- line(30, "err2")
		close(stderr)
		time.Sleep(2 * mergeHold)
		stdout <- line(35, "out3 late")
		close(stdout)
	}()
	var got []string
	var times []time.Time
	merge(context.Background(), [2]chan logLine{stdout, stderr}, func(l barge.LogLine) {
		got = append(got, l.Message)
		times = append(times, l.Time)
	})
	if want := []string{"err1", "out1", "err2", "out2", "out3 late"}; !slices.Equal(got, want) {
		t.Errorf("merged = %q, want %q", got, want)
	}
	if !slices.IsSortedFunc(times, func(a, b time.Time) int { return a.Compare(b) }) {
		t.Errorf("times %v are not in order", times)
	}
}
