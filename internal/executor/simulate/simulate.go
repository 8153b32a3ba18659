// Package simulate is the simulate executor: it runs no containers. A
// task's run time, exit code and output come from BARGE_SIMULATE_*
// environment variables of its container (EnvDuration and the others, and
// docs/SIMULATE.md); with none, it exits 0 at once and writes nothing.
// Otherwise a simulated task is a task like any other: it starts, runs,
// writes lines that Logs follows, ends with an exit code, takes SIGTERM
// and SIGKILL as a container does, and stays listed until removed; so the
// runner, the scheduler and everything built on the Executor contract
// (capacity, attempts, retries, timeouts, termination) work on it as on a
// real one.
//
// # Time
//
// Tasks run by a Clock: by default the time package's (and so, under
// testing/synctest, the bubble's), or a ManualClock that moves only when
// a test advances it.
//
// # Surviving barge
//
// All there is to a task is its settings, when it started and when it was
// signalled; its end, exit code and output follow from these and the
// clock. With a Dir, the executor keeps them in <Dir>/<taskID>.json from
// Start until Remove, so a task that was running when barge stopped, or
// was killed, runs on in simulated time, as a container runs on without
// barge: the next barge's executor lists it running if its end has not
// come, or ended with its exit code if it has, and Logs replays its output
// with the lines' times; a Stop given before the restart takes effect at
// its time. The runner's Recover thus adopts it like a container. Only one
// barge may use a Dir at a time (a lock file enforces it). Without a Dir,
// tasks live in memory only: a new executor knows none of them, and the
// runner fails the attempts of jobs that were running as lost.
package simulate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bargehq/barge"
)

// Options configure an Executor.
type Options struct {
	// Dir keeps the tasks' state, e.g. <barge --data>/simulate; "" keeps
	// it in memory only.
	Dir string
	// Clock is the time tasks run by; nil is the time package's.
	Clock Clock
	// Log receives the executor's own messages; nil discards them.
	Log *slog.Logger
}

// Executor simulates tasks. Its methods are safe for concurrent use.
type Executor struct {
	dir   string
	clock Clock
	log   *slog.Logger

	lock      *os.File
	ctx       context.Context // ends when the executor closes
	cancel    context.CancelFunc
	closeOnce sync.Once

	mu    sync.Mutex
	tasks map[string]*task
}

var _ barge.Executor = (*Executor)(nil)

var errClosed = errors.New("simulate executor: closed")

// validTaskID keeps a task ID a plain file name.
var validTaskID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// New returns an executor over opts.Dir, taking over the tasks a previous
// barge left there. It fails when another barge uses the Dir.
func New(opts Options) (*Executor, error) {
	e := &Executor{dir: opts.Dir, clock: opts.Clock, log: opts.Log, tasks: map[string]*task{}}
	if e.clock == nil {
		e.clock = realClock{}
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	if e.dir != "" {
		if err := os.MkdirAll(e.dir, 0o700); err != nil {
			return nil, fmt.Errorf("simulate executor: %w", err)
		}
		lock, err := os.OpenFile(filepath.Join(e.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil, fmt.Errorf("simulate executor: %w", err)
		}
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			lock.Close()
			return nil, fmt.Errorf("simulate executor: another barge uses %s: %w", e.dir, err)
		}
		e.lock = lock
		if err := e.load(); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// load takes over the tasks kept in Dir.
func (e *Executor) load() error {
	entries, err := os.ReadDir(e.dir)
	if err != nil {
		return fmt.Errorf("simulate executor: %w", err)
	}
	for _, ent := range entries {
		name := ent.Name()
		path := filepath.Join(e.dir, name)
		if strings.HasSuffix(name, ".json.tmp") {
			os.Remove(path) // a save that barge did not finish
			continue
		}
		if !strings.HasSuffix(name, ".json") || !validTaskID.MatchString(strings.TrimSuffix(name, ".json")) {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("simulate executor: %w", err)
		}
		var st state
		if err := json.Unmarshal(b, &st); err != nil || st.TaskID+".json" != name {
			e.log.Warn("skipping a simulated task whose state cannot be read", "file", path, "error", err)
			continue
		}
		tk := newTask(st)
		tk.mu.Lock()
		e.settle(tk)
		tk.mu.Unlock()
		e.tasks[st.TaskID] = tk
	}
	return nil
}

// Close stops the tasks' timers and lets another executor use Dir; the
// tasks kept there run on in simulated time. It is idempotent.
func (e *Executor) Close() error {
	e.closeOnce.Do(func() {
		e.cancel()
		e.mu.Lock()
		for _, tk := range e.tasks {
			tk.mu.Lock()
			if tk.stop != nil {
				tk.stop()
				tk.stop = nil
			}
			tk.mu.Unlock()
		}
		e.mu.Unlock()
		if e.lock != nil {
			e.lock.Close() // releases the lock
		}
	})
	return nil
}

// Name returns "simulate".
func (e *Executor) Name() string { return "simulate" }

// Ping reports whether the executor can start tasks: until it is closed,
// it can.
func (e *Executor) Ping(ctx context.Context) error {
	if e.ctx.Err() != nil {
		return errClosed
	}
	return nil
}

// Limitation says that nothing really runs.
func (e *Executor) Limitation() string {
	return "the simulate executor runs no containers: a job's run time, exit code and output come from its BARGE_SIMULATE_* environment variables (docs/SIMULATE.md), and it succeeds at once without them"
}

// Start starts simulating spec from its settings. A bad setting, or
// EnvStartError, fails it with a *barge.TaskError of the task's fault.
// Starting a task that has started before (running or ended) does nothing.
func (e *Executor) Start(ctx context.Context, spec *barge.TaskSpec) error {
	if !validTaskID.MatchString(spec.TaskID) {
		return barge.TaskFailed(barge.CannotStartContainerError, "invalid task ID %q", spec.TaskID)
	}
	if e.ctx.Err() != nil {
		return barge.InfrastructureFailed(barge.CannotStartContainerError, errClosed, "barge stopped while starting the task")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.tasks[spec.TaskID]; ok {
		return nil // started before: nothing runs twice
	}
	p, err := parsePlan(spec.Environment, spec.Attempt)
	if err != nil {
		return err
	}
	tk := newTask(state{TaskID: spec.TaskID, JobID: spec.JobID, Attempt: spec.Attempt, Plan: p, StartedAt: e.clock.Now()})
	if err := save(e.dir, tk.st); err != nil {
		return barge.InfrastructureFailed(barge.CannotStartContainerError, err, "simulate executor: %v", err)
	}
	e.tasks[spec.TaskID] = tk
	tk.mu.Lock()
	e.settle(tk)
	tk.mu.Unlock()
	return nil
}

// settle marks tk ended once its end has come, and otherwise sets a timer
// for its end; tk.mu is held.
func (e *Executor) settle(tk *task) {
	if tk.ended {
		return
	}
	if tk.stop != nil {
		tk.stop()
		tk.stop = nil
	}
	d := tk.out.end.Sub(e.clock.Now())
	if d <= 0 {
		tk.ended = true
		close(tk.done)
		return
	}
	tk.stop = e.clock.AfterFunc(d, func() {
		tk.mu.Lock()
		defer tk.mu.Unlock()
		if e.ctx.Err() == nil {
			e.settle(tk)
		}
	})
}

// signal applies a change of tk's state (a SIGTERM, a SIGKILL), unless tk
// has ended by now, and keeps it in Dir when persist.
func (e *Executor) signal(tk *task, persist bool, change func(st *state, now time.Time)) error {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	now := e.clock.Now()
	if tk.ended || !now.Before(tk.out.end) {
		e.settle(tk)
		return nil
	}
	st := tk.st
	change(&st, now)
	if persist {
		if err := save(e.dir, st); err != nil {
			return fmt.Errorf("simulate executor: %w", err)
		}
	}
	tk.st = st
	tk.derive()
	e.settle(tk)
	close(tk.changed)
	tk.changed = make(chan struct{})
	return nil
}

// lookup returns taskID's task, or a barge.ENotFound error.
func (e *Executor) lookup(taskID string) (*task, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if tk, ok := e.tasks[taskID]; ok {
		return tk, nil
	}
	return nil, barge.Errorf(barge.ENotFound, "task %s does not exist", taskID)
}

// Logs calls out with each line the task writes at or after since, as
// the clock reaches its time, until the task ends or ctx does.
func (e *Executor) Logs(ctx context.Context, taskID string, since time.Time, out func(barge.LogLine)) error {
	tk, err := e.lookup(taskID)
	if err != nil {
		return err
	}
	sent := 0
	for {
		// The time first: a signal after it cannot change the lines up
		// to it, nor the end if that came before it.
		now := e.clock.Now()
		lines, end, changed := tk.snapshot()
		for sent < len(lines) && !lines[sent].Time.After(now) {
			if !lines[sent].Time.Before(since) {
				out(lines[sent])
			}
			sent++
		}
		if sent == len(lines) && !now.Before(end) {
			return nil
		}
		next := end
		if sent < len(lines) {
			next = lines[sent].Time
		}
		due := make(chan struct{})
		stop := e.clock.AfterFunc(next.Sub(now), func() { close(due) })
		select {
		case <-due:
		case <-changed:
		case <-ctx.Done():
			stop()
			return ctx.Err()
		case <-e.ctx.Done():
			stop()
			return errClosed
		}
		stop()
	}
}

// Wait blocks until the task has ended and returns its exit code, reason
// and times.
func (e *Executor) Wait(ctx context.Context, taskID string) (barge.TaskResult, error) {
	tk, err := e.lookup(taskID)
	if err != nil {
		return barge.TaskResult{}, err
	}
	select {
	case <-tk.done:
		return tk.result(), nil
	case <-ctx.Done():
		return barge.TaskResult{}, ctx.Err()
	case <-e.ctx.Done():
		return barge.TaskResult{}, errClosed
	}
}

// Stop sends the task SIGTERM, which ends it at once with
// EnvSigtermExitCode unless its EnvSigterm is "ignore", and SIGKILL after
// grace, which ends it with exit code 137. It returns once the task has
// ended.
func (e *Executor) Stop(ctx context.Context, taskID string, grace time.Duration) error {
	tk, err := e.lookup(taskID)
	if err != nil {
		return err
	}
	err = e.signal(tk, true, func(st *state, now time.Time) {
		if st.TermAt.IsZero() {
			st.TermAt = now
		}
		if kill := now.Add(max(grace, 0)); st.KillAt.IsZero() || kill.Before(st.KillAt) {
			st.KillAt = kill
		}
	})
	if err != nil {
		return err
	}
	select {
	case <-tk.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-e.ctx.Done():
		return errClosed
	}
}

// Remove kills the task (exit code 137) if it still runs, and forgets it.
func (e *Executor) Remove(ctx context.Context, taskID string) error {
	if !validTaskID.MatchString(taskID) {
		return nil
	}
	e.mu.Lock()
	tk, ok := e.tasks[taskID]
	delete(e.tasks, taskID)
	e.mu.Unlock()
	if ok {
		e.signal(tk, false, func(st *state, now time.Time) { st.KillAt = now })
		tk.mu.Lock()
		if tk.stop != nil {
			tk.stop()
			tk.stop = nil
		}
		tk.mu.Unlock()
	}
	if e.dir == "" {
		return nil
	}
	if err := os.Remove(file(e.dir, taskID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("simulate executor: removing task %s: %w", taskID, err)
	}
	return nil
}

// List returns the tasks started and not removed.
func (e *Executor) List(ctx context.Context) ([]barge.TaskInfo, error) {
	e.mu.Lock()
	tasks := make([]*task, 0, len(e.tasks))
	for _, tk := range e.tasks {
		tasks = append(tasks, tk)
	}
	e.mu.Unlock()
	out := make([]barge.TaskInfo, len(tasks))
	for i, tk := range tasks {
		out[i] = tk.info()
	}
	slices.SortFunc(out, func(a, b barge.TaskInfo) int { return strings.Compare(a.TaskID, b.TaskID) })
	return out, nil
}

var _ barge.PodLocator = (*Executor)(nil)

// SimulatedNode is the nodeName of every simulated Pod.
const SimulatedNode = "barge-simulated"

// PodOf simulates an EKS job's Pod as the kubernetes executor names it,
// barge-<taskID>, on the node SimulatedNode. What the Pod does is its
// first container's, simulated from that container's environment.
func (e *Executor) PodOf(ctx context.Context, taskID string) (barge.PodPlacement, error) {
	if _, err := e.lookup(taskID); err != nil {
		return barge.PodPlacement{}, err
	}
	return barge.PodPlacement{Name: "barge-" + taskID, NodeName: SimulatedNode}, nil
}
