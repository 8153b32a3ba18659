package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/bargehq/barge"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// maxLine bounds a line held back for its end; a longer one is passed on in
// pieces. It is CloudWatch Logs' limit on one event.
const maxLine = 256 * 1024

// Logs follows taskID's stdout and stderr from the engine's log driver,
// from since on (the engine's since is inclusive), until the container
// stops or ctx ends. Each line carries the time the engine received it.
func (e *Executor) Logs(ctx context.Context, taskID string, since time.Time, out func(barge.LogLine)) error {
	seen := &frames{}
	stdout := &lineWriter{out: out, seen: seen}
	stderr := &lineWriter{out: out, seen: seen, stderr: true}
	// resume makes the next read start at the last frame passed on.
	resume := func() {
		if !seen.last.IsZero() {
			since = seen.last
		}
		seen.skip = seen.count
	}
	for {
		if err := e.copyLogs(ctx, taskID, since, true, stdout, stderr); err != nil {
			return err
		}
		// The stream ends when the container stops, or when the engine
		// drops it: then follow again.
		ins, err := e.cli.ContainerInspect(ctx, containerName(taskID), client.ContainerInspectOptions{})
		if err != nil {
			return notFound(taskID, err)
		}
		resume()
		if ins.Container.State == nil || !ins.Container.State.Running {
			break
		}
	}
	// A follower can stop at the container's end before it has read the
	// last of the output (Docker 20.10 does): read what is left.
	if err := e.copyLogs(ctx, taskID, since, false, stdout, stderr); err != nil {
		return err
	}
	// A last line without a newline still counts.
	stdout.flush()
	stderr.flush()
	return nil
}

// copyLogs copies taskID's output from since on to the writers.
func (e *Executor) copyLogs(ctx context.Context, taskID string, since time.Time, follow bool, stdout, stderr io.Writer) error {
	opts := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Follow: follow, Timestamps: true}
	if !since.IsZero() {
		opts.Since = since.UTC().Format(time.RFC3339Nano)
	}
	rc, err := e.cli.ContainerLogs(ctx, containerName(taskID), opts)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return notFound(taskID, err)
	}
	defer rc.Close()
	_, err = stdcopy.StdCopy(stdout, stderr, rc)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("docker: reading the output of task %s: %w", taskID, err)
	}
	return nil
}

// frames remembers the latest time of the frames passed on, and how many
// frames had that time, so that a second read from that time on skips them.
// (The engine leaves out the frames older than a read's since.)
type frames struct {
	last  time.Time
	count int // frames passed on with time last
	skip  int // frames with time last still to skip
}

// admit reports whether a frame of time t is new, records it, and returns
// the time to give it. A frame older than the latest is new: the engine
// stamps a task's stdout and stderr apart, so that a line written to one
// just before a line to the other can reach the log after it, with the
// earlier time. (Dropping such frames lost a task's first line now and
// then.) It is given the latest time instead, so that the lines passed on
// keep their times in order, as a log stream's events must be.
func (f *frames) admit(t time.Time) (time.Time, bool) {
	switch {
	case t.IsZero():
	case t.Before(f.last):
		return f.last, true
	case t.Equal(f.last):
		if f.skip > 0 {
			f.skip--
			return t, false
		}
		f.count++
	default:
		f.last, f.count, f.skip = t, 1, 0
	}
	return t, true
}

// lineWriter turns the frames of one stream into lines. The engine sends a
// frame per log message, each starting with its timestamp; a message that
// does not end in a newline is the first part of a long line (the engine
// splits lines at 16 KiB) or the task's last words, so it is held until its
// end comes, and the timestamps of its continuations are dropped. stdcopy
// writes each frame with one Write call.
type lineWriter struct {
	out     func(barge.LogLine)
	seen    *frames // shared by a task's two streams
	stderr  bool
	pending []byte
	at      time.Time // the time of pending's first part
}

func (w *lineWriter) Write(frame []byte) (int, error) {
	n := len(frame)
	t, msg := splitTimestamp(frame)
	t, ok := w.seen.admit(t)
	if !ok {
		return n, nil
	}
	if t.IsZero() {
		t = w.at
		if t.IsZero() {
			t = time.Now()
		}
	}
	if len(w.pending) == 0 {
		w.at = t
	}
	for {
		i := bytes.IndexByte(msg, '\n')
		if i < 0 {
			break
		}
		w.pending = append(w.pending, msg[:i]...)
		w.emit()
		msg = msg[i+1:]
		w.at = t
	}
	w.pending = append(w.pending, msg...)
	if len(w.pending) >= maxLine {
		w.flush()
	}
	return n, nil
}

// flush passes on the partial line held back, if any.
func (w *lineWriter) flush() {
	if len(w.pending) > 0 {
		w.emit()
	}
}

// emit passes on the line held back.
func (w *lineWriter) emit() {
	w.out(barge.LogLine{Time: w.at, Stderr: w.stderr, Message: string(w.pending)})
	w.pending = w.pending[:0]
}

// splitTimestamp splits the engine's "<RFC 3339 time> " prefix off a frame;
// the zero time when there is none.
func splitTimestamp(frame []byte) (time.Time, []byte) {
	i := bytes.IndexByte(frame, ' ')
	if i < 0 || i > 40 {
		return time.Time{}, frame
	}
	t, err := time.Parse(time.RFC3339Nano, string(frame[:i]))
	if err != nil {
		return time.Time{}, frame
	}
	return t, frame[i+1:]
}
