package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bargehq/barge"
)

// wrapperScript is the shell that runs a task (see the package doc). Its
// arguments are setsid's path, the task's oom_score_adj ("" to leave it),
// and the task's command. It uses only shell builtins, so that the task's
// PATH does not matter to it.
const wrapperScript = `s=$1 a=$2; shift 2
read -r _ <&3 || exit 125
exec 3<&-
(
  read -r p _ </proc/self/stat
  echo "$p" >&4
  if [ -n "$a" ]; then echo "$a" >/proc/self/oom_score_adj; fi 2>/dev/null
  exec 4>&- 5>&-
  exec "$s" "$@"
)
echo "$?" >&5
`

// startTimeout bounds the wait for a started task to be in its own session.
const startTimeout = 10 * time.Second

// Start runs spec's command as a host process group. The image is not used.
// Its errors are *barge.TaskError: CannotStartContainerError, the task's
// fault when its command, user or limits cannot be had, the
// infrastructure's when the host failed barge (a file it could not write)
// or barge is stopping. Starting a task that has already started (running
// or ended) does nothing; one that a stopped barge began but whose command
// never ran is started afresh.
func (e *Executor) Start(ctx context.Context, spec *barge.TaskSpec) error {
	if !validTaskID.MatchString(spec.TaskID) {
		return barge.TaskFailed(barge.CannotStartContainerError, "invalid task ID %q", spec.TaskID)
	}
	if len(spec.Command) == 0 {
		return barge.TaskFailed(barge.CannotStartContainerError, "the process executor needs the job's command: it cannot run an image's default command")
	}
	if e.ctx.Err() != nil {
		return barge.InfrastructureFailed(barge.CannotStartContainerError, errClosed, "barge stopped while starting the task")
	}
	if tk, err := e.lookup(spec.TaskID); err == nil {
		if ran, err := e.ran(ctx, tk); ran || err != nil {
			return err // started before: nothing runs twice
		}
		e.mu.Lock()
		delete(e.tasks, spec.TaskID)
		e.mu.Unlock()
	}
	env := map[string]string{}
	for k, v := range spec.Environment {
		env[k] = v
	}
	if _, ok := env["PATH"]; !ok {
		env["PATH"] = e.path
	}
	if err := lookPath(spec.Command[0], env["PATH"]); err != nil {
		return barge.TaskFailed(barge.CannotStartContainerError, "%v", err)
	}
	cred, err := credential(spec.User)
	if err != nil {
		return barge.TaskFailed(barge.CannotStartContainerError, "%v", err)
	}

	tk := &task{
		dir:     filepath.Join(e.dir, spec.TaskID),
		done:    make(chan struct{}),
		changed: make(chan struct{}),
		st:      state{TaskID: spec.TaskID, JobID: spec.JobID, Attempt: spec.Attempt},
	}
	exited, err := e.launch(tk, spec, env, cred)
	if err != nil {
		if rerr := os.RemoveAll(tk.dir); rerr != nil {
			e.log.Warn("removing a task that failed to start", "task_id", spec.TaskID, "error", rerr)
		}
		if _, ok := barge.AsTaskError(err); !ok {
			err = barge.InfrastructureFailed(barge.CannotStartContainerError, err, "process executor: %v", err)
		}
		return err
	}
	awaitErr := e.awaitTask(ctx, tk, exited)
	e.mu.Lock()
	e.tasks[spec.TaskID] = tk
	e.mu.Unlock()
	e.watch(tk, exited)
	return awaitErr
}

// launch makes tk's directory and cgroups and starts its wrapper; the
// returned channel is closed once the wrapper has exited.
func (e *Executor) launch(tk *task, spec *barge.TaskSpec, env map[string]string, cred *syscall.Credential) (<-chan struct{}, error) {
	if err := os.RemoveAll(tk.dir); err != nil {
		return nil, err
	}
	work := tk.file("work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(tk.dir, 0o711); err != nil { // the task's user reaches work/ only
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(work, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, err
		}
	}
	if err := tk.save(tk.st); err != nil {
		return nil, err
	}
	if err := os.WriteFile(tk.file("log"), nil, 0o600); err != nil {
		return nil, err
	}

	var cgDirs []string
	if e.cg != nil {
		var err error
		if cgDirs, err = e.cg.create(spec.TaskID, spec.VCPU, spec.MemoryMiB); err != nil {
			return nil, barge.TaskFailed(barge.CannotStartContainerError, "%v", err)
		}
	}
	ok := false
	defer func() {
		if !ok && cgDirs != nil {
			removeCgroups(cgDirs)
		}
	}()

	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	open := func(name string, flag int) (*os.File, error) {
		f, err := os.OpenFile(tk.file(name), flag|os.O_WRONLY|os.O_CREATE, 0o600)
		if err == nil {
			files = append(files, f)
		}
		return f, err
	}
	stdout, err1 := open("stdout", os.O_APPEND)
	stderr, err2 := open("stderr", os.O_APPEND)
	pidW, err3 := open("pid", os.O_TRUNC)
	exitW, err4 := open("exit", os.O_TRUNC)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, err
	}
	gateR, gateW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	files = append(files, gateR)
	defer gateW.Close()

	adj := e.ownAdj
	var cmd *exec.Cmd
	_, jobHome := env["HOME"]
	for _, dir := range []string{work, "/"} {
		if !jobHome {
			env["HOME"] = dir
		}
		cmd = exec.Command("/bin/sh", append([]string{"-c", wrapperScript, "sh", e.setsid, adj}, spec.Command...)...)
		cmd.Dir = dir
		cmd.Env = envList(env)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		cmd.ExtraFiles = []*os.File{gateR, pidW, exitW}
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
		err = cmd.Start()
		// Another user may not reach barge's directory; the task then
		// works in /, as a container without a WORKDIR does.
		if err == nil || cred == nil || !errors.Is(err, os.ErrPermission) {
			break
		}
	}
	if err != nil {
		return nil, barge.TaskFailed(barge.CannotStartContainerError, "%v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait() // reaps the wrapper; its status is in the exit file
		close(exited)
	}()
	for _, f := range files {
		f.Close()
	}
	files = nil

	wrapper := cmd.Process.Pid
	ws, _ := readStat(wrapper)
	err = tk.update(func(st *state) {
		st.WrapperPID, st.WrapperStart, st.Cgroups = wrapper, ws.start, cgDirs
	})
	if err == nil && cgDirs != nil {
		if err = join(cgDirs, wrapper); err != nil {
			err = barge.TaskFailed(barge.CannotStartContainerError, "%v", err)
		}
	}
	if err != nil {
		gateW.Close() // the wrapper exits without running the task
		<-exited
		return nil, err
	}
	if adj != "" {
		// The OOM killer is to pick the task, never its wrapper.
		if err := os.WriteFile("/proc/"+strconv.Itoa(wrapper)+"/oom_score_adj", []byte("-1000"), 0); err != nil {
			e.log.Debug("cannot shield a task's wrapper from the OOM killer", "task_id", spec.TaskID, "error", err)
		}
	}
	if _, err := gateW.Write([]byte("go\n")); err != nil {
		<-exited
		return nil, barge.TaskFailed(barge.CannotStartContainerError, "the task's wrapper exited at once: %v", err)
	}
	ok = true
	return exited, nil
}

// awaitTask waits until tk's process has made itself a session leader (or
// already ended), so that Stop can signal its group, and records it.
func (e *Executor) awaitTask(ctx context.Context, tk *task, exited <-chan struct{}) error {
	wrapper := tk.state().WrapperPID
	deadline := time.Now().Add(startTimeout)
	var pid int
	var start uint64
	for {
		if pid == 0 {
			pid = readInt(tk.file("pid"))
		}
		if pid > 0 {
			ps, ok := readStat(pid)
			if !ok || ps.state == 'Z' || (start == 0 && ps.ppid != wrapper) || (start != 0 && ps.start != start) {
				break // it has ended already
			}
			start = ps.start
			if ps.session == pid {
				break
			}
		} else if isClosed(exited) {
			if pid = readInt(tk.file("pid")); pid == 0 {
				break // the wrapper ended before the task began
			}
			continue
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	err := tk.update(func(st *state) {
		st.PID, st.PIDStart, st.StartedAt = pid, start, time.Now()
	})
	if err == nil && ctx.Err() != nil {
		// The task runs: a Start again adopts it.
		err = barge.InfrastructureFailed(barge.CannotStartContainerError, ctx.Err(), "barge stopped while starting the task")
	}
	return err
}

// ran reports whether tk, a task started before, has run (or runs): it
// waits for the end of a task that a stopped barge began but never let
// run, whose wrapper exits as soon as it sees barge gone.
func (e *Executor) ran(ctx context.Context, tk *task) (bool, error) {
	if tk.state().PID != 0 || readInt(tk.file("pid")) != 0 {
		return true, nil
	}
	select {
	case <-tk.done:
	case <-ctx.Done():
		return false, barge.InfrastructureFailed(barge.CannotStartContainerError, ctx.Err(), "barge stopped while starting the task")
	case <-e.ctx.Done():
		return false, barge.InfrastructureFailed(barge.CannotStartContainerError, errClosed, "barge stopped while starting the task")
	}
	return !tk.state().NeverRan, nil
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// readInt reads a decimal integer from a file; 0 when there is none yet.
func readInt(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return n
}

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// lookPath reports whether name can be run with path as PATH.
func lookPath(name, path string) error {
	if strings.Contains(name, "/") {
		if !filepath.IsAbs(name) || executable(name) {
			return nil
		}
		return fmt.Errorf("exec: %q: no such executable file", name)
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		if executable(filepath.Join(dir, name)) {
			return nil
		}
	}
	return fmt.Errorf("exec: %q: executable file not found in $PATH", name)
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// credential resolves a job's user ("name", "uid", "name:group", "uid:gid")
// to the credential of its process; nil when it is barge's own user. Only
// root can run a task as another user.
func credential(spec string) (*syscall.Credential, error) {
	if spec == "" {
		return nil, nil
	}
	name, group, hasGroup := strings.Cut(spec, ":")
	var uid, gid int
	var groups []uint32
	u, err := user.Lookup(name)
	if err != nil {
		u, err = user.LookupId(name)
	}
	switch {
	case err == nil:
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		if ids, err := u.GroupIds(); err == nil {
			for _, id := range ids {
				if n, err := strconv.Atoi(id); err == nil {
					groups = append(groups, uint32(n))
				}
			}
		}
	default:
		n, nerr := strconv.Atoi(name)
		if nerr != nil || n < 0 {
			return nil, fmt.Errorf("unable to find user %s: no matching entries in passwd file", name)
		}
		uid, gid = n, 0 // as Docker does for a UID the system does not know
	}
	if hasGroup {
		if g, err := user.LookupGroup(group); err == nil {
			gid, _ = strconv.Atoi(g.Gid)
		} else if n, err := strconv.Atoi(group); err == nil && n >= 0 {
			gid = n
		} else {
			return nil, fmt.Errorf("unable to find group %s: no matching entries in group file", group)
		}
		groups = nil
	}
	if os.Geteuid() != 0 {
		if uid == os.Geteuid() && gid == os.Getegid() {
			return nil, nil
		}
		return nil, fmt.Errorf("the process executor cannot run a task as user %q: barge does not run as root", spec)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}, nil
}
