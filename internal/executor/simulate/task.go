package simulate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// state is all there is to a simulated task: what it was told to do, when
// it started, and when it was signalled. Everything else (whether it
// runs, its exit code, its output) follows from these and the clock, so a
// task kept in a file goes on after a restart as if it had run meanwhile.
type state struct {
	TaskID    string    `json:"taskId"`
	JobID     string    `json:"jobId"`
	Attempt   int       `json:"attempt"`
	Plan      plan      `json:"plan"`
	StartedAt time.Time `json:"startedAt"`
	TermAt    time.Time `json:"termAt,omitzero"` // when SIGTERM came
	KillAt    time.Time `json:"killAt,omitzero"` // when SIGKILL comes, or came
}

// outcome is how and when the task ends.
type outcome struct {
	end      time.Time
	exitCode int
	reason   string
}

func (st *state) outcome() outcome {
	p := &st.Plan
	o := outcome{end: st.StartedAt.Add(p.Duration), exitCode: p.ExitCode}
	if p.OutOfMemory {
		o.exitCode, o.reason = exitSIGKILL, ReasonOutOfMemory
	}
	if !st.TermAt.IsZero() && st.TermAt.Before(o.end) && !p.IgnoreSigterm {
		o = outcome{end: st.TermAt, exitCode: p.SigtermExitCode}
	}
	if !st.KillAt.IsZero() && !st.KillAt.After(o.end) {
		o = outcome{end: st.KillAt, exitCode: exitSIGKILL}
	}
	return o
}

// output is every line the task writes before its end, in order: its
// stdout and stderr lines, each spread evenly over its run time (stdout
// first where they meet), with the SIGTERM lines after those written by
// the time it came.
func (st *state) output(end time.Time) []barge.LogLine {
	p := &st.Plan
	stdout, stderr := spread(st.StartedAt, p.Duration, p.Stdout, false), spread(st.StartedAt, p.Duration, p.Stderr, true)
	all := make([]barge.LogLine, 0, len(stdout)+len(stderr)+len(p.SigtermLog))
	for len(stdout) > 0 || len(stderr) > 0 {
		if len(stderr) == 0 || (len(stdout) > 0 && !stdout[0].Time.After(stderr[0].Time)) {
			all, stdout = append(all, stdout[0]), stdout[1:]
		} else {
			all, stderr = append(all, stderr[0]), stderr[1:]
		}
	}
	if !st.TermAt.IsZero() && len(p.SigtermLog) > 0 {
		i := 0
		for i < len(all) && !all[i].Time.After(st.TermAt) {
			i++
		}
		term := make([]barge.LogLine, len(p.SigtermLog))
		for k, m := range p.SigtermLog {
			term[k] = barge.LogLine{Time: st.TermAt, Message: m}
		}
		all = append(all[:i:i], append(term, all[i:]...)...)
	}
	n := 0
	for n < len(all) && !all[n].Time.After(end) {
		n++
	}
	return all[:n]
}

// spread times n lines at start + k*d/n.
func spread(start time.Time, d time.Duration, msgs []string, stderr bool) []barge.LogLine {
	out := make([]barge.LogLine, len(msgs))
	n := time.Duration(len(msgs))
	for k, m := range msgs {
		k := time.Duration(k)
		out[k] = barge.LogLine{Time: start.Add(d/n*k + d%n*k/n), Stderr: stderr, Message: m}
	}
	return out
}

// task is a simulated task of an executor.
type task struct {
	mu      sync.Mutex
	st      state
	out     outcome
	lines   []barge.LogLine
	changed chan struct{} // closed and replaced when st changes
	done    chan struct{} // closed once the task has ended
	ended   bool
	stop    func() bool // stops the timer of the task's end
}

func newTask(st state) *task {
	tk := &task{st: st, changed: make(chan struct{}), done: make(chan struct{})}
	tk.derive()
	return tk
}

// derive works out the task's outcome and output from its state; tk.mu
// is held (or tk is new).
func (tk *task) derive() {
	tk.out = tk.st.outcome()
	tk.lines = tk.st.output(tk.out.end)
}

// snapshot returns what a follower of the task's output needs.
func (tk *task) snapshot() (lines []barge.LogLine, end time.Time, changed <-chan struct{}) {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return tk.lines, tk.out.end, tk.changed
}

func (tk *task) result() barge.TaskResult {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	code := tk.out.exitCode
	return barge.TaskResult{ExitCode: &code, Reason: tk.out.reason, StartedAt: tk.st.StartedAt, StoppedAt: tk.out.end}
}

func (tk *task) info() barge.TaskInfo {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return barge.TaskInfo{TaskID: tk.st.TaskID, JobID: tk.st.JobID, Attempt: tk.st.Attempt, Running: !tk.ended}
}

// file is where a task's state is kept.
func file(dir, taskID string) string { return filepath.Join(dir, taskID+".json") }

// save writes st to its file in dir, atomically; with no dir, nothing.
func save(dir string, st state) error {
	if dir == "" {
		return nil
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	path := file(dir, st.TaskID)
	if err := os.WriteFile(path+".tmp", b, 0o600); err != nil {
		return err
	}
	return os.Rename(path+".tmp", path)
}
