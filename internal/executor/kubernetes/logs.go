package kubernetes

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/bargehq/barge"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// maxLine bounds a line passed on whole; a longer one is passed on in
// pieces. It is CloudWatch Logs' limit on one event.
const maxLine = 256 * 1024

// mergeHold is how long a line of one stream waits for an earlier line of
// the other: the two streams are read apart, and their lines are passed on
// in the order of their times.
const mergeHold = 150 * time.Millisecond

// logLine is a line read from one stream.
type logLine struct {
	barge.LogLine
	arrived time.Time
}

// Logs follows the log of taskID's container, with the kubelet's timestamps,
// from since on, until the container has ended (and its log is read to the
// end) or ctx ends. All lines are stdout, unless Options.SplitStreams asks
// for stdout and stderr apart and the cluster serves them apart: then each
// is followed and their lines merged by time.
// The API server takes sinceTime in whole seconds: lines older than since
// are dropped here.
func (e *Executor) Logs(ctx context.Context, taskID string, since time.Time, out func(barge.LogLine)) error {
	if _, err := e.pods.Get(podName(taskID)); apierrors.IsNotFound(err) {
		return notFound(taskID)
	}
	streams := []string{""}
	if e.followSplit && e.splitStreams.Load() {
		streams = []string{corev1.LogStreamStdout, corev1.LogStreamStderr}
	}
	fctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var chans [2]chan logLine
	errs := make([]error, len(streams))
	var wg sync.WaitGroup
	for i, stream := range streams {
		ch := make(chan logLine, 64)
		chans[i] = ch
		wg.Go(func() {
			defer close(ch)
			if err := e.follow(fctx, taskID, stream, since, ch); err != nil {
				errs[i] = err
				cancel()
			}
		})
	}
	merge(fctx, chans, out)
	cancel()
	wg.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return nil
}

// follow sends the lines of one stream ("" for both) to ch, reconnecting
// while the container runs when the API server or kubelet drops the stream.
func (e *Executor) follow(ctx context.Context, taskID, stream string, since time.Time, ch chan<- logLine) error {
	var last time.Time // the latest time sent
	sentAtLast := 0    // lines sent with time last
	// final is the read after the container has ended: a follow may end
	// with the container before the kubelet has read the last lines the
	// runtime wrote to its log file, so the file is read once more, to its
	// end, from the latest time sent.
	final := false
	container := containerName
	if pod, err := e.pods.Get(podName(taskID)); err == nil {
		container = taskContainer(pod)
	}
	for {
		opts := &corev1.PodLogOptions{Container: container, Follow: !final, Timestamps: true}
		from := since
		if last.After(from) {
			from = last
		}
		if !from.IsZero() {
			opts.SinceTime = &metav1.Time{Time: from}
		}
		if stream != "" {
			opts.Stream = &stream
		}
		rc, err := e.cs.CoreV1().Pods(e.ns).GetLogs(podName(taskID), opts).Stream(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if apierrors.IsNotFound(err) {
				return notFound(taskID)
			}
			if apierrors.IsBadRequest(err) && !e.containerStarted(taskID) {
				// The container waits to start: follow once it has.
				if err := e.waitStarted(ctx, taskID); err != nil {
					return err
				}
				if e.containerStarted(taskID) {
					continue
				}
				return nil // ended without running
			}
			return fmt.Errorf("kubernetes: the log of task %s: %w", taskID, err)
		}
		skip := sentAtLast
		err = readLines(rc, stream == corev1.LogStreamStderr, func(l barge.LogLine) bool {
			switch {
			case !l.Time.IsZero() && l.Time.Before(since):
				return true
			case l.Time.Before(last):
				return true
			case l.Time.Equal(last) && skip > 0:
				skip--
				return true
			case l.Time.Equal(last):
				sentAtLast++
			default:
				last, sentAtLast = l.Time, 1
			}
			select {
			case ch <- logLine{LogLine: l, arrived: time.Now()}:
				return true
			case <-ctx.Done():
				return false
			}
		})
		rc.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("kubernetes: reading the log of task %s: %w", taskID, err)
		}
		// The stream ends when the container has; or it was dropped.
		pod, err := e.pods.Get(podName(taskID))
		if err != nil {
			return nil // removed meanwhile
		}
		if final {
			return nil
		}
		if _, ended := result(pod); ended {
			final = true
			continue
		}
		if st := taskStatus(pod); st == nil || st.State.Running == nil {
			final = true
			continue
		}
		// The stream ended while the container runs, as far as the
		// informer knows. Mostly the container has ended and its status
		// is on its way (a kubelet reports it after it ends its log
		// streams): following again at once would make a request after
		// request, each ended at once, until the status comes. Wait for
		// the Pod to change, or for a second (a stream the API server
		// dropped), before following again.
		waited := false
		if err := e.watch(ctx, taskID, func(*corev1.Pod, bool) (bool, time.Duration, error) {
			done := waited
			waited = true
			return done, time.Second, nil
		}); err != nil {
			return err
		}
	}
}

// containerStarted reports whether taskID's container runs or has run.
func (e *Executor) containerStarted(taskID string) bool {
	pod, err := e.pods.Get(podName(taskID))
	if err != nil {
		return false
	}
	st := taskStatus(pod)
	return st != nil && (st.State.Running != nil || st.State.Terminated != nil)
}

// waitStarted waits until taskID's container has started or its Pod ended.
func (e *Executor) waitStarted(ctx context.Context, taskID string) error {
	return e.watch(ctx, taskID, func(pod *corev1.Pod, _ bool) (bool, time.Duration, error) {
		if pod == nil {
			return true, 0, notFound(taskID)
		}
		_, ended := result(pod)
		st := taskStatus(pod)
		return ended || st != nil && (st.State.Running != nil || st.State.Terminated != nil), 0, nil
	})
}

// readers holds the 64 KiB readers of readLines. A log is followed afresh
// after every interruption, and thousands of tasks run at once: a reader
// made for each follow was most of what the executor allocated, and so of
// what Go's collector had to do (measured on kwok with 10,000 tasks).
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64*1024) }}

// readLines calls out with each line of a kubelet log with timestamps
// ("<RFC 3339 time> <message>\n"), the last one also without its newline,
// until out returns false or the stream ends. A line longer than maxLine is
// passed on in pieces, each with the line's time.
func readLines(r io.Reader, stderr bool, out func(barge.LogLine) bool) error {
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	defer func() {
		br.Reset(nil)
		readers.Put(br)
	}()
	var buf []byte
	var at time.Time
	started := false // buf's timestamp has been split off
	// pass passes on the pieces of maxLine in buf, and what is left too
	// when the line is complete.
	pass := func(complete bool) bool {
		if !started {
			at, buf = splitTimestamp(buf)
			started = true
		}
		for len(buf) > maxLine || !complete && len(buf) == maxLine {
			if !out(barge.LogLine{Time: at, Stderr: stderr, Message: string(buf[:maxLine])}) {
				return false
			}
			buf = append(buf[:0], buf[maxLine:]...)
		}
		if !complete {
			return true
		}
		l := barge.LogLine{Time: at, Stderr: stderr, Message: string(buf)}
		buf, started = buf[:0], false
		return out(l)
	}
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		switch {
		case err == nil:
			buf = buf[:len(buf)-1]
			if !pass(true) {
				return nil
			}
		case errors.Is(err, bufio.ErrBufferFull):
			if len(buf) >= maxLine+64 && !pass(false) {
				return nil
			}
		case errors.Is(err, io.EOF):
			if len(buf) > 0 {
				pass(true)
			}
			return nil
		default:
			return err
		}
	}
}

// splitTimestamp splits the kubelet's "<RFC 3339 time> " prefix off a line;
// the zero time when there is none.
func splitTimestamp(line []byte) (time.Time, []byte) {
	i := bytes.IndexByte(line, ' ')
	if i < 0 || i > 40 {
		return time.Time{}, line
	}
	t, err := time.Parse(time.RFC3339Nano, string(line[:i]))
	if err != nil {
		return time.Time{}, line
	}
	return t, line[i+1:]
}

// merge passes on the lines of up to two streams (a nil channel is none) in
// the order of their times, until both are closed or ctx ends. A line waits
// for the other stream's next line at most mergeHold. Times are kept in
// order, as a log stream's events must be: a line older than one passed on
// gets that one's time.
func merge(ctx context.Context, in [2]chan logLine, out func(barge.LogLine)) {
	var queues [2][]logLine
	closed := [2]bool{in[0] == nil, in[1] == nil}
	var last time.Time
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		for {
			i := -1
			for j := range queues {
				if len(queues[j]) > 0 && (i < 0 || queues[j][0].Time.Before(queues[i][0].Time)) {
					i = j
				}
			}
			if i < 0 {
				break
			}
			other := 1 - i
			if len(queues[other]) == 0 && !closed[other] && time.Since(queues[i][0].arrived) < mergeHold {
				break
			}
			l := queues[i][0].LogLine
			queues[i] = queues[i][1:]
			if l.Time.Before(last) {
				l.Time = last
			}
			last = l.Time
			out(l)
		}
		if closed[0] && closed[1] && len(queues[0]) == 0 && len(queues[1]) == 0 {
			return
		}
		var c [2]chan logLine
		for j := range in {
			if !closed[j] {
				c[j] = in[j]
			}
		}
		wait := time.Hour
		for j := range queues {
			if len(queues[j]) > 0 {
				wait = min(wait, mergeHold-time.Since(queues[j][0].arrived))
			}
		}
		timer.Reset(max(wait, time.Millisecond))
		select {
		case l, ok := <-c[0]:
			if ok {
				queues[0] = append(queues[0], l)
			} else {
				closed[0] = true
			}
		case l, ok := <-c[1]:
			if ok {
				queues[1] = append(queues[1], l)
			} else {
				closed[1] = true
			}
		case <-timer.C:
		case <-ctx.Done():
			return
		}
	}
}
