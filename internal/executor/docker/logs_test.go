package docker

import (
	"slices"
	"testing"
	"time"

	"github.com/bargehq/barge"
)

// TestLineWriter feeds frames as the engine sends them with timestamps=1.
func TestLineWriter(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC)
	ts := func(d time.Duration) string { return t0.Add(d).Format(time.RFC3339Nano) + " " }
	var got []barge.LogLine
	seen := &frames{}
	w := &lineWriter{out: func(l barge.LogLine) { got = append(got, l) }, seen: seen}
	for _, f := range []string{
		ts(0) + "one\n",
		ts(1) + "\n",     // an empty line
		ts(2) + "long ",  // a line the engine split ...
		ts(3) + "line\n", // ... ends in its next frame
		ts(4) + "last",   // the task's last words, without a newline
		" no stamp",      // a frame without a time takes its line's
	} {
		w.Write([]byte(f))
	}
	w.flush()
	want := []barge.LogLine{
		{Time: t0, Message: "one"},
		{Time: t0.Add(1), Message: ""},
		{Time: t0.Add(2), Message: "long line"},
		{Time: t0.Add(4), Message: "last no stamp"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("lines = %+v, want %+v", got, want)
	}
}

// TestFramesResume checks that a second read from the last frame's time
// skips the frames of that time already passed on, and only those.
func TestFramesResume(t *testing.T) {
	t0 := time.Unix(100, 0)
	f := &frames{}
	for _, d := range []time.Duration{0, 1, 1} {
		if _, ok := f.admit(t0.Add(d)); !ok {
			t.Fatalf("first read: admit(%v) = false", d)
		}
	}
	f.skip = f.count
	for _, c := range []struct {
		d    time.Duration
		want bool
	}{{1, false}, {1, false}, {1, true}, {2, true}} {
		if _, got := f.admit(t0.Add(c.d)); got != c.want {
			t.Errorf("second read: admit(+%d) = %v, want %v", c.d, got, c.want)
		}
	}
}

// TestFramesOutOfOrder checks that a frame stamped before one already
// passed on, as the engine's two streams produce, is passed on too, with
// the latest time, and does not move where a second read starts.
func TestFramesOutOfOrder(t *testing.T) {
	t0 := time.Unix(100, 0)
	f := &frames{}
	// err1 at +2 reached the log before out1 at +1.
	for _, c := range []struct{ d, want time.Duration }{{2, 2}, {1, 2}, {2, 2}, {3, 3}, {0, 3}} {
		got, ok := f.admit(t0.Add(c.d))
		if !ok || !got.Equal(t0.Add(c.want)) {
			t.Errorf("admit(+%d) = +%v, %v; want +%d, true", c.d, got.Sub(t0), ok, c.want)
		}
	}
	if !f.last.Equal(t0.Add(3)) || f.count != 1 {
		t.Errorf("after the read: last +%v, count %d; want +3, 1", f.last.Sub(t0), f.count)
	}
}

func TestStorageLimitSupported(t *testing.T) {
	for _, c := range []struct {
		driver, fs string
		want       bool
	}{
		{"overlay2", "extfs", false},
		{"overlay2", "xfs", true},
		{"overlay", "xfs", true},
		{"vfs", "", false},
		{"btrfs", "btrfs", true},
		{"zfs", "zfs", true},
	} {
		if got := storageLimitSupported(c.driver, c.fs); got != c.want {
			t.Errorf("storageLimitSupported(%q, %q) = %v, want %v", c.driver, c.fs, got, c.want)
		}
	}
}
