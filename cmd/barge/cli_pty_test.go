package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/bargehq/barge/internal/executor/simulate"
)

// TestCLIWaitProgressBar runs barge wait on an array with its stdout on a
// pseudo-terminal, as in a person's shell: the progress bar is redrawn in
// place (carriage return, erase line) as children end, and the summary
// follows on a line of its own.
func TestCLIWaitProgressBar(t *testing.T) {
	cliEnv(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Cols: 100, Rows: 24}); err != nil {
		t.Fatal(err)
	}
	var screen syncBuffer
	go io.Copy(&screen, ptmx)

	clock := simulate.NewManualClock(time.Now().Add(time.Minute).Truncate(time.Millisecond))
	ts := startSimulateServer(t, "", clock)
	c := ts.batch()
	simSetup(t, ts, "sim", 1, nil, "BARGE_SIMULATE_DURATION", "1m")
	id := strings.TrimSpace(ts.barge("submit", "--job-name", "arr", "--job-queue", "sim-queue", "--job-definition", "sim-def", "--array-size", "4").wantOK(t, "submit"))

	done := make(chan int)
	go func() { done <- ts.bargeTo(tty, io.Discard, "wait", id, "--interval", "20ms") }()
	runArray(t, c, clock, id,
		func(n int) { seen(t, &screen, fmt.Sprintf("%d/4 succeeded, 2 running", n)) },
		func(n int) { seen(t, &screen, fmt.Sprintf("%d/4 succeeded", n)) })
	if code := <-done; code != 0 {
		t.Errorf("barge wait: exit %d, want 0", code)
	}
	seen(t, &screen, "4 succeeded, 0 failed")
	out := screen.String()
	if path := os.Getenv("BARGE_RECORD_WAIT"); path != "" {
		os.WriteFile(path, []byte(out), 0o644)
	}
	frames := strings.Split(out, "\r\x1b[K")
	if len(frames) < 4 {
		t.Fatalf("screen %q: want the bar redrawn in place (\\r ESC[K) at least 3 times", out)
	}
	bars := []string{
		`^\[#{0}>{20}\.{20}\] 0/4 succeeded, 2 running, 2 waiting \(ETA -\)$`,
		`^\[#{20}>{20}\] 2/4 succeeded, 2 running, 0 waiting \(\d+\.\d/s, ETA \S+\)$`,
		`^\[#{40}\] 4/4 succeeded, 0 running, 0 waiting \(\d+\.\d/s\)\r\ndone in \S+: 4 succeeded, 0 failed\r\n$`,
	}
	for _, b := range bars {
		re := regexp.MustCompile(b)
		found := false
		for _, f := range frames {
			found = found || re.MatchString(f)
		}
		if !found {
			t.Errorf("screen %q: want a frame matching %s", out, b)
		}
	}
	if last := frames[len(frames)-1]; !strings.HasPrefix(last, "[") {
		t.Errorf("last frame %q, want the final bar", last)
	}
}
