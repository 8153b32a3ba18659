package local

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/bargehq/barge"
)

// removeTimeout bounds how long Remove waits for a killed task to end.
const removeTimeout = 10 * time.Second

var errClosed = errors.New("process executor: closed")

// errNeverRan is what Wait returns for a task whose command never ran: the
// barge that started it stopped before letting it run.
var errNeverRan = barge.InfrastructureFailed(barge.CannotStartContainerError, nil, "barge stopped while starting the task")

// Logs replays taskID's log from since on (inclusive) and follows it until
// the task has ended and all its output is logged, or ctx ends.
func (e *Executor) Logs(ctx context.Context, taskID string, since time.Time, out func(barge.LogLine)) error {
	tk, err := e.lookup(taskID)
	if err != nil {
		return err
	}
	f, err := os.Open(tk.file("log"))
	if err != nil {
		return fmt.Errorf("process executor: task %s: %w", taskID, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var carry []byte // a record read in part
	for {
		changed := tk.changes()
		ended := tk.ended() // before reading: all it logged is then read
		for {
			rec, err := r.ReadBytes('\n')
			if err == io.EOF {
				carry = append(carry, rec...)
				break
			}
			if err != nil {
				return fmt.Errorf("process executor: task %s: %w", taskID, err)
			}
			if len(carry) > 0 {
				rec = append(carry, rec...)
				carry = nil
			}
			t, flag, text, ok := parseRecord(rec[:len(rec)-1])
			if !ok || t.Before(since) {
				continue
			}
			out(barge.LogLine{Time: t, Stderr: flag == 'e' || flag == 'E', Message: string(text)})
		}
		if ended {
			return nil
		}
		select {
		case <-changed:
		case <-tk.done:
		case <-ctx.Done():
			return ctx.Err()
		case <-e.ctx.Done():
			return errClosed
		}
	}
}

// Wait blocks until taskID has ended and its output is logged, and returns
// its exit code (128+n when signal n killed it), the OOM reason when its
// cgroup saw an OOM kill, and when it started and stopped.
func (e *Executor) Wait(ctx context.Context, taskID string) (barge.TaskResult, error) {
	tk, err := e.lookup(taskID)
	if err != nil {
		return barge.TaskResult{}, err
	}
	select {
	case <-tk.done:
	case <-ctx.Done():
		return barge.TaskResult{}, ctx.Err()
	case <-e.ctx.Done():
		return barge.TaskResult{}, errClosed
	}
	st := tk.state()
	if st.NeverRan {
		return barge.TaskResult{}, errNeverRan
	}
	return barge.TaskResult{ExitCode: st.ExitCode, Reason: st.Reason, StartedAt: st.StartedAt, StoppedAt: st.StoppedAt}, nil
}

// Stop sends SIGTERM to the task's process group and, if it has not ended
// after grace, SIGKILL to the group and to everything in its cgroup. It
// returns once the task has ended.
func (e *Executor) Stop(ctx context.Context, taskID string, grace time.Duration) error {
	tk, err := e.lookup(taskID)
	if err != nil {
		return err
	}
	if tk.ended() {
		return nil
	}
	st := tk.state()
	signalGroup(st, syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-tk.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-e.ctx.Done():
		return errClosed
	case <-t.C:
	}
	kill(st)
	select {
	case <-tk.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-e.ctx.Done():
		return errClosed
	}
}

// signalGroup sends sig to the task's process group, if its leader is still
// the process barge started.
func signalGroup(st state, sig syscall.Signal) {
	if alive(st.PID, st.PIDStart) {
		syscall.Kill(-st.PID, sig)
	}
}

// kill sends SIGKILL to the task's process group and to everything in its
// cgroup but the wrapper, which is to record the task's end.
func kill(st state) {
	signalGroup(st, syscall.SIGKILL)
	for _, pid := range members(st.Cgroups) {
		if pid != st.WrapperPID {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// Remove kills taskID if it still runs and deletes its directory and
// cgroups. Removing a task that does not exist is not an error.
func (e *Executor) Remove(ctx context.Context, taskID string) error {
	if !validTaskID.MatchString(taskID) {
		return barge.Errorf(barge.ENotFound, "task %s does not exist", taskID)
	}
	tk, err := e.lookup(taskID)
	if err != nil {
		return os.RemoveAll(filepath.Join(e.dir, taskID))
	}
	st := tk.state()
	if !tk.ended() {
		kill(st)
		t := time.NewTimer(removeTimeout)
		select {
		case <-tk.done:
		case <-ctx.Done():
		case <-e.ctx.Done():
		case <-t.C:
		}
		t.Stop()
		st = tk.state()
	}
	e.mu.Lock()
	delete(e.tasks, taskID)
	e.mu.Unlock()
	if err := removeCgroups(st.Cgroups); err != nil {
		e.log.Warn("removing a task's cgroup failed", "task_id", taskID, "error", err)
	}
	if err := os.RemoveAll(tk.dir); err != nil {
		return fmt.Errorf("process executor: removing task %s: %w", taskID, err)
	}
	return nil
}

// List returns the tasks in Dir.
func (e *Executor) List(ctx context.Context) ([]barge.TaskInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]barge.TaskInfo, 0, len(e.tasks))
	for _, tk := range e.tasks {
		st := tk.state()
		out = append(out, barge.TaskInfo{TaskID: st.TaskID, JobID: st.JobID, Attempt: st.Attempt, Running: !tk.ended()})
	}
	slices.SortFunc(out, func(a, b barge.TaskInfo) int { return strings.Compare(a.TaskID, b.TaskID) })
	return out, nil
}
