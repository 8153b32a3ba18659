package local

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The watcher's poll interval: short after output, longer while idle.
const (
	pollMin = 5 * time.Millisecond
	pollMax = 200 * time.Millisecond
)

// maxLine bounds a line held back for its end; a longer one is logged in
// pieces. It is CloudWatch Logs' limit on one event.
const maxLine = 256 * 1024

// readChunk bounds what one poll reads of a stream.
const readChunk = 4 << 20

// watch starts tk's watcher. exited is closed when the task's wrapper has
// been reaped, if this barge started it; nil means the watcher polls /proc.
func (e *Executor) watch(tk *task, exited <-chan struct{}) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			err := e.follow(tk, exited)
			if err == nil {
				return
			}
			// A full disk, say: try again; what is logged stays logged.
			e.log.Error("watching a task failed; retrying", "task_id", tk.state().TaskID, "error", err)
			select {
			case <-e.ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
}

// follow stamps tk's output into its log until the task has ended, then
// records how it ended.
func (e *Executor) follow(tk *task, exited <-chan struct{}) error {
	w, err := openLog(tk)
	if err != nil {
		return err
	}
	defer w.close()
	interval := pollMin
	for {
		ended := e.taskEnded(tk, exited)
		n, err := w.pump(false)
		if err != nil {
			return err
		}
		if ended {
			return e.finish(tk, w, exited != nil)
		}
		if n > 0 {
			interval = pollMin
		} else {
			interval = min(2*interval, pollMax)
		}
		t := time.NewTimer(interval)
		select {
		case <-e.ctx.Done():
			t.Stop()
			return nil
		case <-exited:
		case <-t.C:
		}
		t.Stop()
	}
}

// taskEnded reports whether tk's wrapper, and so its task, has exited.
func (e *Executor) taskEnded(tk *task, exited <-chan struct{}) bool {
	if exited != nil {
		return isClosed(exited)
	}
	st := tk.state()
	return !alive(st.WrapperPID, st.WrapperStart)
}

// finish records the end of tk: it kills what the task left running (as an
// engine does when a container's main process exits), logs the last of its
// output, and reads its exit code and its cgroup's OOM kills. prompt says
// the end was seen as it happened, so that the task's process group cannot
// yet have been reused.
func (e *Executor) finish(tk *task, w *logWriter, prompt bool) error {
	st := tk.state()
	if prompt && st.PID > 0 {
		syscall.Kill(-st.PID, syscall.SIGKILL)
	}
	for _, pid := range members(st.Cgroups) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	for {
		n, err := w.pump(false)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if _, err := w.pump(true); err != nil {
		return err
	}

	var code *int
	stopped := time.Now()
	if b, err := os.ReadFile(tk.file("exit")); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			code = &n
			if fi, err := os.Stat(tk.file("exit")); err == nil {
				stopped = fi.ModTime()
			}
		}
	}
	reason, neverRan := "", false
	switch {
	case code != nil && oomKills(st.Cgroups) > 0:
		reason = ReasonOutOfMemory
	case code == nil && st.PID == 0 && readInt(tk.file("pid")) == 0:
		// The wrapper writes the task's PID just before it runs the
		// command: without one, the command never ran.
		neverRan = true
	case code == nil:
		reason = reasonLost
	}
	if err := removeCgroups(st.Cgroups); err != nil {
		e.log.Warn("removing a task's cgroup failed", "task_id", st.TaskID, "error", err)
	}
	if err := tk.update(func(st *state) {
		st.Ended, st.ExitCode, st.Reason, st.NeverRan, st.StoppedAt, st.Cgroups = true, code, reason, neverRan, stopped, nil
	}); err != nil {
		return err
	}
	close(tk.done)
	tk.notify()
	return nil
}

// A log record is "<unix ns> <flag> <text>\n". The flag is the stream, o
// or e, in upper case when the text did not end with a newline in the
// task's output (a piece of an over-long line, or a last line without one).
func appendRecord(b []byte, t time.Time, flag byte, text []byte) []byte {
	b = strconv.AppendInt(b, t.UnixNano(), 10)
	b = append(b, ' ', flag, ' ')
	b = append(b, text...)
	return append(b, '\n')
}

// parseRecord parses a record without its newline.
func parseRecord(rec []byte) (t time.Time, flag byte, text []byte, ok bool) {
	i := bytes.IndexByte(rec, ' ')
	if i < 0 || len(rec) < i+3 || rec[i+2] != ' ' {
		return time.Time{}, 0, nil, false
	}
	ns, err := strconv.ParseInt(string(rec[:i]), 10, 64)
	if err != nil {
		return time.Time{}, 0, nil, false
	}
	return time.Unix(0, ns), rec[i+1], rec[i+3:], true
}

// stream is one of a task's output files, as the watcher reads it.
type stream struct {
	flag     byte
	f        *os.File // nil when the task never opened it
	consumed int64    // bytes logged
	pending  []byte   // bytes read, waiting for the end of their line
}

// logWriter appends a task's output to its log.
type logWriter struct {
	f       *os.File
	streams [2]*stream
	last    time.Time // of the last record: times never go back
	tk      *task
}

// openLog opens tk's log for appending and its output files for reading,
// resuming after what the log already holds (dropping a record torn by a
// crash).
func openLog(tk *task) (*logWriter, error) {
	f, err := os.OpenFile(tk.file("log"), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	w := &logWriter{f: f, tk: tk, streams: [2]*stream{{flag: 'o'}, {flag: 'e'}}}
	r := bufio.NewReader(f)
	var valid int64
	for {
		rec, err := r.ReadBytes('\n')
		if err != nil {
			if err != io.EOF {
				f.Close()
				return nil, err
			}
			break
		}
		valid += int64(len(rec))
		t, flag, text, ok := parseRecord(rec[:len(rec)-1])
		if !ok {
			continue
		}
		s := w.stream(flag)
		if s == nil {
			continue
		}
		s.consumed += int64(len(text))
		if flag == 'o' || flag == 'e' {
			s.consumed++ // the newline
		}
		if t.After(w.last) {
			w.last = t
		}
	}
	if err := f.Truncate(valid); err != nil {
		f.Close()
		return nil, err
	}
	for i, name := range []string{"stdout", "stderr"} {
		rf, err := os.Open(tk.file(name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			w.close()
			return nil, err
		}
		w.streams[i].f = rf
	}
	return w, nil
}

func (w *logWriter) stream(flag byte) *stream {
	switch flag {
	case 'o', 'O':
		return w.streams[0]
	case 'e', 'E':
		return w.streams[1]
	}
	return nil
}

func (w *logWriter) close() {
	w.f.Close()
	for _, s := range w.streams {
		if s.f != nil {
			s.f.Close()
		}
	}
}

// pump logs the lines the task has written since the last call, each
// stamped with its file's modification time; final logs a last line
// without a newline too. It returns how many records it appended.
func (w *logWriter) pump(final bool) (int, error) {
	type batch struct {
		s       *stream
		mtime   time.Time
		records []piece
	}
	var batches []batch
	for _, s := range w.streams {
		if s.f == nil {
			continue
		}
		fi, err := s.f.Stat()
		if err != nil {
			return 0, err
		}
		from := s.consumed + int64(len(s.pending))
		if n := fi.Size() - from; n > 0 {
			buf := make([]byte, min(n, readChunk))
			m, err := s.f.ReadAt(buf, from)
			if err != nil && err != io.EOF {
				return 0, err
			}
			s.pending = append(s.pending, buf[:m]...)
		}
		b := batch{s: s, mtime: fi.ModTime(), records: splitLines(s.pending, final)}
		if len(b.records) > 0 {
			batches = append(batches, b)
		}
	}
	// The stream written to first comes first.
	slices.SortStableFunc(batches, func(a, b batch) int { return a.mtime.Compare(b.mtime) })
	var buf []byte
	n := 0
	for _, b := range batches {
		t := b.mtime
		if t.Before(w.last) {
			t = w.last
		}
		w.last = t
		for _, p := range b.records {
			flag := b.s.flag
			if !p.newline {
				flag -= 'a' - 'A'
			}
			buf = appendRecord(buf, t, flag, p.text)
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	if _, err := w.f.Write(buf); err != nil {
		return 0, err
	}
	for _, b := range batches {
		used := 0
		for _, p := range b.records {
			used += len(p.text)
			if p.newline {
				used++
			}
		}
		b.s.consumed += int64(used)
		b.s.pending = append(b.s.pending[:0], b.s.pending[used:]...)
	}
	w.tk.notify()
	return n, nil
}

// piece is a line, or a piece of one, of a task's output.
type piece struct {
	text    []byte
	newline bool // the text ended with a newline
}

// splitLines splits the complete lines off pending, and over-long pieces,
// and with final the rest too.
func splitLines(pending []byte, final bool) []piece {
	var out []piece
	for len(pending) > 0 {
		i := bytes.IndexByte(pending, '\n')
		switch {
		case i >= 0 && i <= maxLine:
			out = append(out, piece{text: pending[:i], newline: true})
			pending = pending[i+1:]
		case len(pending) >= maxLine:
			out = append(out, piece{text: pending[:maxLine]})
			pending = pending[maxLine:]
		case final:
			out = append(out, piece{text: pending})
			pending = nil
		default:
			return out
		}
	}
	return out
}
