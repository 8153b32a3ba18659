// Package local is the process executor: it runs a task's command as a
// process group on the host, for machines where no container engine
// answers. It cannot honour the job's image, and limits CPU and memory only
// where the host lets barge make cgroups.
//
// # Surviving barge
//
// A task must run on, and its output and exit code must be kept, when barge
// is killed (kill -9 included); the next barge adopts it. So nothing of a
// task goes through barge's own process:
//
//   - barge starts a small /bin/sh wrapper in a session of its own, with the
//     task's stdout and stderr opened on two files of the task's directory,
//     and two more files on descriptors 4 and 5;
//   - the wrapper forks the task, which writes its process ID to descriptor
//     4 and becomes, through setsid(1), the leader of its own session and
//     process group; the wrapper waits for it and writes its exit status
//     (128+n for signal n, as a shell reports it) to descriptor 5.
//
// A wrapper holds the task's process group apart from itself, so that Stop
// can signal the group (SIGTERM, then SIGKILL after the grace) and the
// wrapper still records how it ended. The wrapper waits on descriptor 3
// until barge has put it in the task's cgroups, so the task never runs
// outside them; the task's cgroups hold the wrapper too, which is shielded
// from the OOM killer (oom_score_adj -1000, put back to barge's own for the
// task) so that an OOM kill ends the task and not the record of it.
//
// The barge that started a task learns of its end when it reaps the
// wrapper; a later one polls /proc for the wrapper (its PID and start time).
// When a task's main process ends, what it left running in its cgroup is
// killed, as an engine does with a container, and so is the rest of its
// process group when the end is seen as it happens.
//
// # Timestamps
//
// While barge runs, a watcher goroutine per task reads what the task
// appended to its output files and appends each line, with its time and
// stream, to the task's log, from which Logs replays and follows. A line's
// time is the modification time of its output file when the watcher read it:
// the time of the last write it saw, at most a poll interval (5–200 ms) after
// the line was written. Output written while barge was down gets the time of
// the last write before barge came back. The times in the log never go back,
// so "since" loses nothing. Within one poll the two streams' lines cannot be
// interleaved exactly: each stream keeps its order, and the stream whose last
// write came first goes first.
//
// # Files
//
// <Dir>/<taskID>/ holds state.json (what barge knows: IDs, process IDs with
// their start times from /proc/<pid>/stat against PID reuse, cgroups, and the
// result once known), stdout and stderr (the task's raw output), log (the
// stamped lines: "<unix ns> <o|e> <text>", O or E for a piece that did not
// end a line), pid, exit, and work/, the task's working directory and HOME
// (or / for a task whose user cannot reach Dir).
// Only one barge may use a Dir at a time (a lock file enforces it).
package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bargehq/barge"
)

// ReasonOutOfMemory is the container reason of a task the kernel killed for
// exceeding its memory limit, as AWS words it.
const ReasonOutOfMemory = barge.ReasonOutOfMemory

// reasonLost is the container reason of a task whose end barge could not
// see.
const reasonLost = "TaskLost: the task's process ended without recording its exit code (the host restarted, or something killed its wrapper)"

// legacyNeverStarted is how an earlier barge recorded a task that never
// ran (state.Reason), before state.NeverRan.
const legacyNeverStarted = "CannotStartContainerError: barge stopped while starting the task"

// Options configure an Executor.
type Options struct {
	// Dir keeps the tasks' state and output, e.g. <barge --data>/tasks.
	Dir string
	// Log receives the executor's own messages; nil discards them.
	Log *slog.Logger
	// Path is the PATH of tasks whose environment sets none; "" means the
	// PATH barge runs with.
	Path string
}

// Executor runs tasks as host processes. Its methods are safe for
// concurrent use.
type Executor struct {
	dir    string
	log    *slog.Logger
	path   string
	setsid string // setsid(1), which puts the task in a session of its own
	cg     *cgroups
	cgWhy  string // why limits are not enforced, when cg is nil
	ownAdj string // barge's oom_score_adj, which tasks get back; "" when not root

	capacity barge.HostCapacity // the host's, read once at New

	lock      *os.File
	ctx       context.Context // ends when the executor closes; watchers stop
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once

	mu    sync.Mutex
	tasks map[string]*task
}

var (
	_ barge.Executor  = (*Executor)(nil)
	_ barge.HostSized = (*Executor)(nil)
)

// validTaskID keeps a task ID a plain file name.
var validTaskID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// New returns an executor over Dir, adopting the tasks a previous barge left
// there. It fails when another barge uses Dir.
func New(opts Options) (*Executor, error) {
	if opts.Dir == "" {
		return nil, errors.New("process executor: no directory for tasks")
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("process executor: %w", err)
	}
	setsid, err := exec.LookPath("setsid")
	if err != nil {
		for _, p := range []string{"/usr/bin/setsid", "/bin/setsid"} {
			if _, serr := os.Stat(p); serr == nil {
				setsid, err = p, nil
				break
			}
		}
		if err != nil {
			return nil, errors.New("process executor: setsid(1) not found (it comes with util-linux or busybox)")
		}
	}
	lock, err := os.OpenFile(filepath.Join(opts.Dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("process executor: %w", err)
	}
	waited, err := lockDir(lock)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("process executor: another barge uses %s: %w", opts.Dir, err)
	}
	e := &Executor{
		dir:    opts.Dir,
		log:    opts.Log,
		path:   opts.Path,
		setsid: setsid,
		lock:   lock,
		tasks:  map[string]*task{},

		capacity: hostCapacity(),
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.path == "" {
		e.path = os.Getenv("PATH")
	}
	if e.path == "" {
		e.path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	e.cg, err = detectCgroups()
	if err != nil {
		e.cgWhy = err.Error()
	}
	if os.Geteuid() == 0 {
		if b, err := os.ReadFile("/proc/self/oom_score_adj"); err == nil {
			e.ownAdj = strings.TrimSpace(string(b))
		}
	}
	if waited > 0 {
		e.log.Info("process executor: waited for the lock of its directory", "dir", e.dir, "waited", waited.Round(time.Millisecond))
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	if err := e.adopt(); err != nil {
		e.Close()
		return nil, err
	}
	e.log.Info("process executor ready", "dir", e.dir, "limits_enforced", e.cg != nil, "limitation", e.Limitation())
	return e, nil
}

// lockWait is how long New waits for Dir's lock. A barge killed (kill -9)
// while it forked a task's wrapper leaves the lock held for a moment by the
// child, until it execs the wrapper: the next barge must not give up then.
const lockWait = 3 * time.Second

// lockDir takes the lock of Dir, waiting up to lockWait for it, and says
// how long it waited.
func lockDir(lock *os.File) (time.Duration, error) {
	start := time.Now()
	for tries := 0; ; tries++ {
		err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil && tries == 0 {
			return 0, nil
		}
		if err == nil || !errors.Is(err, syscall.EWOULDBLOCK) || time.Since(start) > lockWait {
			return time.Since(start), err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// adopt loads the tasks in Dir and watches those that had not ended.
func (e *Executor) adopt() error {
	entries, err := os.ReadDir(e.dir)
	if err != nil {
		return fmt.Errorf("process executor: %w", err)
	}
	for _, ent := range entries {
		if !ent.IsDir() || !validTaskID.MatchString(ent.Name()) {
			continue
		}
		tk := &task{dir: filepath.Join(e.dir, ent.Name()), done: make(chan struct{}), changed: make(chan struct{})}
		err := tk.load()
		if errors.Is(err, os.ErrNotExist) {
			// Start writes the state before it starts anything: this
			// task's barge stopped before that, and nothing of it runs.
			if err := os.RemoveAll(tk.dir); err != nil {
				e.log.Warn("removing a task directory that never got a state", "dir", tk.dir, "error", err)
			}
			continue
		}
		if err != nil {
			e.log.Warn("skipping a task directory with no readable state", "dir", tk.dir, "error", err)
			continue
		}
		e.tasks[tk.st.TaskID] = tk
		if tk.st.Ended {
			close(tk.done)
			continue
		}
		e.watch(tk, nil)
	}
	return nil
}

// Close stops watching the tasks, which run on, and lets another executor
// use Dir. It is idempotent.
func (e *Executor) Close() error {
	e.closeOnce.Do(func() {
		e.cancel()
		e.wg.Wait()
		e.lock.Close() // releases the lock
	})
	return nil
}

// Ping reports whether the executor can start tasks: until it is closed,
// it can.
func (e *Executor) Ping(ctx context.Context) error {
	if e.ctx.Err() != nil {
		return errClosed
	}
	return nil
}

// Name returns "process".
func (e *Executor) Name() string { return "process" }

// Limitation says what the process executor cannot honour.
func (e *Executor) Limitation() string {
	s := "the process executor runs commands on the host: it cannot honour the job's image, readonlyRootFilesystem or ephemeralStorage"
	if e.cg == nil {
		s += "; CPU and memory limits are not enforced: " + e.cgWhy
	}
	return s
}

// LimitsEnforced reports whether tasks get their CPU and memory limits.
func (e *Executor) LimitsEnforced() bool { return e.cg != nil }

// task is one task of Dir.
type task struct {
	dir string

	mu      sync.Mutex
	st      state
	changed chan struct{} // closed and replaced when lines are added to the log

	done chan struct{} // closed once the task has ended and all its output is in the log
}

// state is what state.json keeps of a task.
type state struct {
	TaskID       string    `json:"taskId"`
	JobID        string    `json:"jobId"`
	Attempt      int       `json:"attempt"`
	WrapperPID   int       `json:"wrapperPid,omitempty"`
	WrapperStart uint64    `json:"wrapperStart,omitempty"` // in clock ticks after boot, as /proc/<pid>/stat has it
	PID          int       `json:"pid,omitempty"`
	PIDStart     uint64    `json:"pidStart,omitempty"`
	Cgroups      []string  `json:"cgroups,omitempty"`
	StartedAt    time.Time `json:"startedAt,omitzero"`
	Ended        bool      `json:"ended,omitempty"`
	// NeverRan: the task ended before its command ran (the barge that
	// started it stopped before letting it run).
	NeverRan  bool      `json:"neverRan,omitempty"`
	ExitCode  *int      `json:"exitCode,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	StoppedAt time.Time `json:"stoppedAt,omitzero"`
}

func (tk *task) file(name string) string { return filepath.Join(tk.dir, name) }

func (tk *task) load() error {
	b, err := os.ReadFile(tk.file("state.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &tk.st); err != nil {
		return err
	}
	if tk.st.Reason == legacyNeverStarted {
		tk.st.NeverRan, tk.st.Reason = true, ""
	}
	return nil
}

// save writes st as tk's state, atomically.
func (tk *task) save(st state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := tk.file("state.json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, tk.file("state.json"))
}

// update applies f to tk's state and saves it.
func (tk *task) update(f func(*state)) error {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	st := tk.st
	f(&st)
	if err := tk.save(st); err != nil {
		return err
	}
	tk.st = st
	return nil
}

func (tk *task) state() state {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return tk.st
}

// notify wakes the followers of tk's log.
func (tk *task) notify() {
	tk.mu.Lock()
	close(tk.changed)
	tk.changed = make(chan struct{})
	tk.mu.Unlock()
}

func (tk *task) changes() <-chan struct{} {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	return tk.changed
}

func (tk *task) ended() bool {
	select {
	case <-tk.done:
		return true
	default:
		return false
	}
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

// procStat is what /proc/<pid>/stat says of a process.
type procStat struct {
	state   byte
	ppid    int
	session int
	start   uint64 // clock ticks after boot
}

// readStat reads /proc/<pid>/stat; ok is false when there is no such process.
func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// The command name, in parentheses, may hold anything: the fields
	// after it start after its last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return procStat{}, false
	}
	var ps procStat
	ps.state = f[0][0]
	ps.ppid, _ = strconv.Atoi(f[1])
	ps.session, _ = strconv.Atoi(f[3])
	ps.start, _ = strconv.ParseUint(f[19], 10, 64)
	return ps, true
}

// alive reports whether pid is still the process that started at start and
// has not exited.
func alive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	ps, ok := readStat(pid)
	return ok && ps.start == start && ps.state != 'Z' && ps.state != 'X'
}
