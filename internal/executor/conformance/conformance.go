// Package conformance is the test suite every barge.Executor passes: each
// executor's tests call Run with a way to make an instance of it and say
// which of Fargate's promises it keeps. Tasks are POSIX shell scripts (sh
// with echo, sleep, head, tr, id, touch and cat), so the same suite runs in
// a busybox image and on a host. Each task also carries the
// BARGE_SIMULATE_* settings that make the simulate executor play the same
// script (docs/SIMULATE.md), given to executors that are Simulated.
package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
)

// ReasonOutOfMemory is the container reason of a task killed for its memory.
const ReasonOutOfMemory = barge.ReasonOutOfMemory

// timeout bounds each test; a task that outlives it has hung.
const timeout = 90 * time.Second

// Options say what the executor under test promises.
type Options struct {
	// Image is the image the suite's tasks name (busybox will do).
	Image string
	// Images: the executor runs the task's image, so a task without a
	// command runs the image's CMD, and an image that cannot be had fails
	// Start with CannotPullContainerError.
	Images bool
	// Limits: VCPU and MemoryMiB are enforced and visible in the task's
	// cgroup, and a task that outgrows its memory is killed.
	Limits bool
	// OOMReason: a task killed for its memory ends with the
	// OutOfMemoryError reason.
	OOMReason bool
	// Storage: StorageGiB limits the task's disk.
	Storage bool
	// User: a task can run as another user.
	User bool
	// ReadonlyRootfs: ReadonlyRootFilesystem makes the task's / read-only.
	ReadonlyRootfs bool
	// LateStartFailure: the executor cannot yet tell, by the time Start
	// returns, that a task's command does not exist (Kubernetes, so far):
	// MissingCommand is skipped. A gap to close, not a promise.
	LateStartFailure bool
	// Simulated: the executor runs no script but plays its
	// BARGE_SIMULATE_* settings, which the suite then puts in the task's
	// environment. Only the tests of what a setting can play run (OOM
	// included); those of images, limits, users and filesystems skip.
	Simulated bool
	// MergedStreams: the executor reports stdout and stderr as one stream
	// (LogLine.Stderr never set), as CloudWatch Logs stores them (the
	// awslogs driver sends both to one log stream): Output checks every
	// line, in order, whatever its stream.
	MergedStreams bool
	// KnownGaps names tests the executor fails now, each with what is
	// wrong: they skip with that reason. Gaps to close, not promises.
	KnownGaps map[string]string
}

// Run runs the suite. newExecutor returns an executor for the test t; when
// called again with the same t it must return a new instance over the same
// tasks, as barge has after a restart (the suite closes the previous
// instance first when it is an io.Closer, so Close must be idempotent).
func Run(t *testing.T, newExecutor func(t *testing.T) barge.Executor, opts Options) {
	s := &suite{opts: opts, newExecutor: newExecutor}
	tests := []struct {
		name string
		run  func(t *testing.T)
		when bool
	}{
		{"Output", s.testOutput, true},
		{"ExitCode", s.testExitCode, true},
		{"Environment", s.testEnvironment, true},
		{"CommandReplacesCMD", s.testCommandReplacesCMD, opts.Images},
		{"MissingImage", s.testMissingImage, opts.Images},
		{"MissingCommand", s.testMissingCommand, !opts.LateStartFailure},
		{"Limits", s.testLimits, opts.Limits},
		{"OutOfMemory", s.testOutOfMemory, opts.Limits || opts.Simulated},
		{"Storage", s.testStorage, opts.Storage},
		{"User", s.testUser, opts.User},
		{"ReadonlyRootfs", s.testReadonlyRootfs, opts.ReadonlyRootfs},
		{"StopTrapped", s.testStopTrapped, true},
		{"StopIgnored", s.testStopIgnored, true},
		{"LogsSince", s.testLogsSince, true},
		{"ListAndRemove", s.testListAndRemove, true},
		{"Restart", s.testRestart, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.when && opts.Simulated {
				t.Skip("a simulated task runs no container: it has no image, limits, user or filesystem to test")
			}
			if !tc.when {
				t.Skip("the executor does not promise this")
			}
			if why, ok := opts.KnownGaps[tc.name]; ok {
				t.Skip("known gap: " + why)
			}
			t.Parallel()
			tc.run(t)
		})
	}
}

type suite struct {
	opts        Options
	newExecutor func(t *testing.T) barge.Executor
}

// spec returns a task running script with sh, which a simulated task
// plays with the settings in sim (names without BARGE_SIMULATE_).
func (s *suite) spec(script string, sim map[string]string) *barge.TaskSpec {
	id := newTaskID()
	spec := &barge.TaskSpec{
		TaskID:      id,
		JobID:       "job-" + id[:8],
		Attempt:     1,
		Image:       s.opts.Image,
		Command:     []string{"sh", "-c", script},
		Environment: map[string]string{},
		VCPU:        0.25,
		MemoryMiB:   512,
	}
	s.simulate(spec, sim)
	return spec
}

// simulate adds the settings in sim to spec's environment when the
// executor is Simulated.
func (s *suite) simulate(spec *barge.TaskSpec, sim map[string]string) {
	if !s.opts.Simulated {
		return
	}
	for name, v := range sim {
		spec.Environment["BARGE_SIMULATE_"+name] = v
	}
}

func newTaskID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	t.Cleanup(cancel)
	return ctx
}

// start starts spec on e and removes the task when the test ends.
func start(t *testing.T, e barge.Executor, spec *barge.TaskSpec) {
	t.Helper()
	if err := e.Start(testContext(t), spec); err != nil {
		t.Fatalf("Start(%s) = %v", spec.TaskID, err)
	}
	t.Cleanup(func() {
		if err := e.Remove(context.Background(), spec.TaskID); err != nil {
			t.Errorf("Remove(%s) = %v", spec.TaskID, err)
		}
	})
}

// run starts spec, waits for its end and returns its result and output.
func run(t *testing.T, e barge.Executor, spec *barge.TaskSpec) (barge.TaskResult, []barge.LogLine) {
	t.Helper()
	start(t, e, spec)
	res := wait(t, e, spec.TaskID)
	return res, logs(t, e, spec.TaskID, time.Time{})
}

func wait(t *testing.T, e barge.Executor, id string) barge.TaskResult {
	t.Helper()
	res, err := e.Wait(testContext(t), id)
	if err != nil {
		t.Fatalf("Wait(%s) = %v", id, err)
	}
	return res
}

// logs returns what Logs calls out from since on, until the task's end.
func logs(t *testing.T, e barge.Executor, id string, since time.Time) []barge.LogLine {
	t.Helper()
	var lines []barge.LogLine
	if err := e.Logs(testContext(t), id, since, func(l barge.LogLine) { lines = append(lines, l) }); err != nil {
		t.Fatalf("Logs(%s) = %v", id, err)
	}
	return lines
}

// waitFor follows id's output until a line reads want, and returns the lines
// up to that one.
func waitFor(t *testing.T, e barge.Executor, id, want string) []barge.LogLine {
	t.Helper()
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	var lines []barge.LogLine
	err := e.Logs(ctx, id, time.Time{}, func(l barge.LogLine) {
		if ctx.Err() != nil {
			return
		}
		lines = append(lines, l)
		if l.Message == want {
			cancel()
		}
	})
	if ctx.Err() == nil || (err != nil && !errors.Is(err, context.Canceled)) {
		t.Fatalf("Logs(%s) = %v before the line %q; lines so far: %q", id, err, want, messages(lines))
	}
	return lines
}

func messages(lines []barge.LogLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Message
	}
	return out
}

func exitCode(t *testing.T, res barge.TaskResult) int {
	t.Helper()
	if res.ExitCode == nil {
		t.Fatalf("ExitCode = nil (reason %q), want a code", res.Reason)
	}
	return *res.ExitCode
}

func (s *suite) testOutput(t *testing.T) {
	e := s.newExecutor(t)
	// An executor that can start tasks says so.
	if err := e.Ping(testContext(t)); err != nil {
		t.Errorf("Ping = %v, want nil", err)
	}
	spec := s.spec("echo out1; echo err1 >&2; sleep 0.5; echo out2; echo err2 >&2; printf 'no newline'",
		map[string]string{"LOG": "out1\nout2\nno newline", "STDERR": "err1\nerr2", "DURATION": "0.6"})
	start(t, e, spec)
	followed := logs(t, e, spec.TaskID, time.Time{}) // while it runs
	res := wait(t, e, spec.TaskID)
	replayed := logs(t, e, spec.TaskID, time.Time{}) // after its end

	if got := exitCode(t, res); got != 0 || res.Reason != "" {
		t.Errorf("Wait = exit %d reason %q, want exit 0 and no reason", got, res.Reason)
	}
	if res.StartedAt.IsZero() || res.StoppedAt.Before(res.StartedAt) {
		t.Errorf("Wait = started %v stopped %v, want a start no later than the stop", res.StartedAt, res.StoppedAt)
	}
	for name, lines := range map[string][]barge.LogLine{"followed": followed, "replayed": replayed} {
		var stdout, stderr []string
		for _, l := range lines {
			if l.Time.IsZero() {
				t.Errorf("%s: line %q has no time", name, l.Message)
			}
			if l.Stderr {
				stderr = append(stderr, l.Message)
			} else {
				stdout = append(stdout, l.Message)
			}
		}
		if s.opts.MergedStreams {
			got := append(slices.Clone(stdout), stderr...)
			slices.Sort(got)
			if want := []string{"err1", "err2", "no newline", "out1", "out2"}; !slices.Equal(got, want) || len(stderr) > 0 {
				t.Errorf("%s: stdout = %q, stderr = %q, want %q each once, all as stdout", name, stdout, stderr, want)
			}
			// Lines written at once to two pipes may be read in either
			// order; those half a second apart may not.
			all := messages(lines)
			if i, j := slices.Index(all, "err1"), slices.Index(all, "out2"); i < 0 || j < 0 || i > j {
				t.Errorf("%s: lines = %q, want err1 before out2", name, all)
			}
			if i, j := slices.Index(all, "out1"), slices.Index(all, "err2"); i < 0 || j < 0 || i > j {
				t.Errorf("%s: lines = %q, want out1 before err2", name, all)
			}
			continue
		}
		if want := []string{"out1", "out2", "no newline"}; !slices.Equal(stdout, want) {
			t.Errorf("%s: stdout = %q, want %q", name, stdout, want)
		}
		if want := []string{"err1", "err2"}; !slices.Equal(stderr, want) {
			t.Errorf("%s: stderr = %q, want %q", name, stderr, want)
		}
		// Lines half a second apart keep their order across the streams.
		all := messages(lines)
		if i, j := slices.Index(all, "err1"), slices.Index(all, "out2"); i < 0 || j < 0 || i > j {
			t.Errorf("%s: lines = %q, want err1 before out2", name, all)
		}
	}
}

func (s *suite) testExitCode(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec("echo once; exit 3", map[string]string{"LOG": "once", "EXIT_CODE": "3"})
	res, _ := run(t, e, spec)
	if got := exitCode(t, res); got != 3 || res.Reason != "" {
		t.Errorf("Wait = exit %d reason %q, want exit 3 and no reason", got, res.Reason)
	}
	// Starting it again, as a runner that died inside Start does, runs
	// nothing again.
	if err := e.Start(testContext(t), spec); err != nil {
		t.Errorf("Start of an ended task = %v, want nil", err)
	}
	if got := exitCode(t, wait(t, e, spec.TaskID)); got != 3 {
		t.Errorf("after a second Start, Wait = exit %d, want 3", got)
	}
	if got := messages(logs(t, e, spec.TaskID, time.Time{})); !slices.Equal(got, []string{"once"}) {
		t.Errorf("after a second Start, output %q, want it once", got)
	}
}

func (s *suite) testEnvironment(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec(`echo "$AWS_BATCH_JOB_ID|$GREETING|$EMPTY|$SPACED"`, nil)
	spec.Environment = map[string]string{
		"AWS_BATCH_JOB_ID": spec.JobID, "GREETING": "hello", "EMPTY": "", "SPACED": "a  b=c",
	}
	s.simulate(spec, map[string]string{"LOG": "${AWS_BATCH_JOB_ID}|${GREETING}|${EMPTY}|${SPACED}"})
	_, lines := run(t, e, spec)
	if got, want := messages(lines), []string{spec.JobID + "|hello||a  b=c"}; !slices.Equal(got, want) {
		t.Errorf("output = %q, want %q", got, want)
	}
}

func (s *suite) testCommandReplacesCMD(t *testing.T) {
	e := s.newExecutor(t)
	imageCmd := s.spec("", nil)
	imageCmd.Command = nil
	_, lines := run(t, e, imageCmd)
	if got, want := messages(lines), []string{"image-cmd"}; !slices.Equal(got, want) {
		t.Errorf("without a command: output = %q, want the image's CMD's %q", got, want)
	}
	jobCmd := s.spec("", nil)
	jobCmd.Command = []string{"echo", "job-cmd"}
	_, lines = run(t, e, jobCmd)
	if got, want := messages(lines), []string{"job-cmd"}; !slices.Equal(got, want) {
		t.Errorf("with a command: output = %q, want %q", got, want)
	}
}

func (s *suite) testMissingImage(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec("true", nil)
	spec.Image = "127.0.0.1:1/barge-test/missing:1" // refused at once, with no network
	err := e.Start(testContext(t), spec)
	if err == nil {
		e.Remove(context.Background(), spec.TaskID)
		t.Fatal("Start with a missing image = nil, want an error")
	}
	wantTaskError(t, "Start with a missing image", err, barge.CannotPullContainerError)
	if listed(t, e, spec.TaskID) != nil {
		t.Errorf("List has the task that failed to start")
	}
}

// testMissingCommand starts a task whose command does not exist: the
// task's own failure, a CannotStartContainerError, with nothing left.
func (s *suite) testMissingCommand(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec("", map[string]string{"START_ERROR": `CannotStartContainerError: exec: "barge-no-such-command": executable file not found in $PATH`})
	spec.Command = []string{"barge-no-such-command"}
	err := e.Start(testContext(t), spec)
	if err == nil {
		e.Remove(context.Background(), spec.TaskID)
		t.Fatal("Start with a missing command = nil, want an error")
	}
	wantTaskError(t, "Start with a missing command", err, barge.CannotStartContainerError)
	if listed(t, e, spec.TaskID) != nil {
		t.Errorf("List has the task that failed to start")
	}
}

// wantTaskError fails t unless err is a *barge.TaskError of kind that is
// the task's fault, whose message is its container reason.
func wantTaskError(t *testing.T, what string, err error, kind barge.TaskErrorKind) {
	t.Helper()
	te, ok := barge.AsTaskError(err)
	switch {
	case !ok:
		t.Errorf("%s = %v (%T), want a *barge.TaskError", what, err, err)
	case te.Kind != kind || te.Fault != barge.FaultTask:
		t.Errorf("%s = %s, the %s's fault, want a %s that is the task's fault", what, te, te.Fault, kind)
	case te.Detail == "" || err.Error() != string(kind)+": "+te.Detail:
		t.Errorf("%s = %q, want %q followed by what failed", what, err, string(kind)+": ")
	}
}

// cgroupScript prints the task's memory limit and CPU quota as its cgroup
// says, under cgroup v2 or v1, in a container or on the host.
const cgroupScript = `
while IFS=: read -r _ ctl path; do
  case ",$ctl," in *,memory,*) pm=$path;; esac
  case ",$ctl," in *,cpu,*) pc=$path;; esac
  [ -z "$ctl" ] && p2=$path
done </proc/self/cgroup
first() { for f; do if [ -r "$f" ]; then cat "$f"; return; fi; done; echo none; }
if [ -r "/sys/fs/cgroup$p2/memory.max" ]; then
  echo "mem=$(cat "/sys/fs/cgroup$p2/memory.max")"
  echo "cpu=$(cat "/sys/fs/cgroup$p2/cpu.max")"
else
  echo "mem=$(first "/sys/fs/cgroup/memory$pm/memory.limit_in_bytes" /sys/fs/cgroup/memory/memory.limit_in_bytes)"
  echo "cpu=$(first "/sys/fs/cgroup/cpu$pc/cpu.cfs_quota_us" /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(first "/sys/fs/cgroup/cpu$pc/cpu.cfs_period_us" /sys/fs/cgroup/cpu/cpu.cfs_period_us)"
fi
`

func (s *suite) testLimits(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec(cgroupScript, nil)
	spec.VCPU, spec.MemoryMiB = 0.5, 256
	res, lines := run(t, e, spec)
	if got := exitCode(t, res); got != 0 {
		t.Fatalf("exit %d; output %q", got, messages(lines))
	}
	if got, want := messages(lines), []string{"mem=268435456", "cpu=50000 100000"}; !slices.Equal(got, want) {
		t.Errorf("the task's cgroup says %q, want %q (256 MiB, 0.5 vCPU)", got, want)
	}
}

func (s *suite) testOutOfMemory(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec(`x=$(head -c 300000000 /dev/zero | tr '\0' x); echo survived`, map[string]string{"OUT_OF_MEMORY": "true"})
	spec.MemoryMiB = 64
	res, lines := run(t, e, spec)
	code := exitCode(t, res)
	if code == 0 || slices.Contains(messages(lines), "survived") {
		t.Errorf("Wait = exit %d, output %q: want the task killed", code, messages(lines))
	}
	if s.opts.OOMReason && res.Reason != ReasonOutOfMemory {
		t.Errorf("Wait = reason %q, want %q", res.Reason, ReasonOutOfMemory)
	}
}

func (s *suite) testStorage(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec(`if head -c 1500000000 /dev/zero >/big; then echo fits; else echo full; fi`, nil)
	spec.StorageGiB = 1
	_, lines := run(t, e, spec)
	if got := messages(lines); !slices.Contains(got, "full") {
		t.Errorf("writing 1.5 GB with 1 GiB of storage: output %q, want full", got)
	}
}

func (s *suite) testUser(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec("id -u", nil)
	spec.User = "65534"
	res, lines := run(t, e, spec)
	if got, want := messages(lines), []string{"65534"}; exitCode(t, res) != 0 || !slices.Equal(got, want) {
		t.Errorf("as user 65534: output %q, want %q", got, want)
	}
}

func (s *suite) testReadonlyRootfs(t *testing.T) {
	e := s.newExecutor(t)
	script := `if touch /probe 2>/dev/null; then echo writable; else echo read-only; fi`
	for _, ro := range []bool{true, false} {
		spec := s.spec(script, nil)
		spec.ReadonlyRootFilesystem = ro
		_, lines := run(t, e, spec)
		want := map[bool]string{true: "read-only", false: "writable"}[ro]
		if got := messages(lines); !slices.Equal(got, []string{want}) {
			t.Errorf("ReadonlyRootFilesystem %v: output %q, want %q", ro, got, want)
		}
	}
}

func (s *suite) testStopTrapped(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec(`trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 1; done`,
		map[string]string{"LOG": "ready", "DURATION": "1h", "SIGTERM_EXIT_CODE": "7", "SIGTERM_LOG": "got TERM"})
	start(t, e, spec)
	waitFor(t, e, spec.TaskID, "ready")
	if err := e.Stop(testContext(t), spec.TaskID, 20*time.Second); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	res := wait(t, e, spec.TaskID)
	if got := exitCode(t, res); got != 7 {
		t.Errorf("a task that exits 7 on SIGTERM: exit %d, want 7", got)
	}
	if got := messages(logs(t, e, spec.TaskID, time.Time{})); !slices.Contains(got, "got TERM") {
		t.Errorf("output %q, want got TERM", got)
	}
	if err := e.Stop(testContext(t), spec.TaskID, time.Second); err != nil {
		t.Errorf("Stop of an ended task = %v, want nil", err)
	}
}

func (s *suite) testStopIgnored(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec(`trap '' TERM; echo ready; while :; do sleep 1; done`,
		map[string]string{"LOG": "ready", "DURATION": "1h", "SIGTERM": "ignore"})
	start(t, e, spec)
	waitFor(t, e, spec.TaskID, "ready")
	if err := e.Stop(testContext(t), spec.TaskID, time.Second); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	res := wait(t, e, spec.TaskID)
	if got := exitCode(t, res); got != 137 {
		t.Errorf("a task that ignores SIGTERM: exit %d, want 137 (SIGKILL after the grace)", got)
	}
}

func (s *suite) testLogsSince(t *testing.T) {
	e := s.newExecutor(t)
	spec := s.spec(`i=1; while [ $i -le 6 ]; do echo line$i; i=$((i+1)); sleep 0.3; done`,
		map[string]string{"LOG": "line1\nline2\nline3\nline4\nline5\nline6", "DURATION": "1.8s"})
	start(t, e, spec)
	first := waitFor(t, e, spec.TaskID, "line3")
	if got, want := messages(first), []string{"line1", "line2", "line3"}; !slices.Equal(got, want) {
		t.Fatalf("first Logs = %q, want %q", got, want)
	}
	// As the runner does after a restart: again from the last line's time.
	again := messages(logs(t, e, spec.TaskID, first[len(first)-1].Time))
	i := slices.Index(again, "line3")
	if i < 0 || !slices.Equal(again[i:], []string{"line3", "line4", "line5", "line6"}) {
		t.Errorf("Logs since line3's time = %q, want line3 to line6 (and nothing before line3 but lines of the same time)", again)
	}
	if got, want := messages(logs(t, e, spec.TaskID, time.Time{})), []string{"line1", "line2", "line3", "line4", "line5", "line6"}; !slices.Equal(got, want) {
		t.Errorf("Logs from the start = %q, want %q", got, want)
	}
}

func listed(t *testing.T, e barge.Executor, id string) *barge.TaskInfo {
	t.Helper()
	tasks, err := e.List(testContext(t))
	if err != nil {
		t.Fatalf("List = %v", err)
	}
	for _, ti := range tasks {
		if ti.TaskID == id {
			return &ti
		}
	}
	return nil
}

func (s *suite) testListAndRemove(t *testing.T) {
	e := s.newExecutor(t)
	running := s.spec("echo ready; sleep 60", map[string]string{"LOG": "ready", "DURATION": "60"})
	running.Attempt = 2
	ended := s.spec("exit 0", nil)
	start(t, e, running)
	start(t, e, ended)
	wait(t, e, ended.TaskID)
	waitFor(t, e, running.TaskID, "ready")

	for _, c := range []struct {
		spec    *barge.TaskSpec
		running bool
	}{{running, true}, {ended, false}} {
		got := listed(t, e, c.spec.TaskID)
		want := barge.TaskInfo{TaskID: c.spec.TaskID, JobID: c.spec.JobID, Attempt: c.spec.Attempt, Running: c.running}
		if got == nil || *got != want {
			t.Errorf("List has %+v, want %+v", got, want)
		}
	}
	for _, spec := range []*barge.TaskSpec{running, ended} {
		if err := e.Remove(testContext(t), spec.TaskID); err != nil {
			t.Fatalf("Remove(%s) = %v", spec.TaskID, err)
		}
		if got := listed(t, e, spec.TaskID); got != nil {
			t.Errorf("after Remove, List has %+v", got)
		}
		if _, err := e.Wait(testContext(t), spec.TaskID); barge.ErrorCodeOf(err) != barge.ENotFound {
			t.Errorf("Wait after Remove = %v, want a %s error", err, barge.ENotFound)
		}
		if err := e.Logs(testContext(t), spec.TaskID, time.Time{}, func(barge.LogLine) {}); barge.ErrorCodeOf(err) != barge.ENotFound {
			t.Errorf("Logs after Remove = %v, want a %s error", err, barge.ENotFound)
		}
		if err := e.Stop(testContext(t), spec.TaskID, time.Second); barge.ErrorCodeOf(err) != barge.ENotFound {
			t.Errorf("Stop after Remove = %v, want a %s error", err, barge.ENotFound)
		}
		if err := e.Remove(testContext(t), spec.TaskID); err != nil {
			t.Errorf("Remove again = %v, want nil", err)
		}
	}
}

// testRestart has a second instance take over the tasks of a first one: one
// still running, which it follows and stops, and one that ended while no
// instance was there.
func (s *suite) testRestart(t *testing.T) {
	e1 := s.newExecutor(t)
	long := s.spec("trap 'echo after; exit 5' TERM; echo before; while :; do sleep 1; done",
		map[string]string{"LOG": "before", "DURATION": "1h", "SIGTERM_EXIT_CODE": "5", "SIGTERM_LOG": "after"})
	long.Attempt = 3
	quick := s.spec("echo quick >&2; exit 4", map[string]string{"STDERR": "quick", "EXIT_CODE": "4"})
	var e2 barge.Executor
	for _, spec := range []*barge.TaskSpec{long, quick} {
		if err := e1.Start(testContext(t), spec); err != nil {
			t.Fatalf("Start(%s) = %v", spec.TaskID, err)
		}
		t.Cleanup(func() {
			if e2 != nil {
				e2.Remove(context.Background(), spec.TaskID)
			}
		})
		if spec == long {
			waitFor(t, e1, long.TaskID, "before")
		}
	}
	if c, ok := e1.(io.Closer); ok {
		if err := c.Close(); err != nil {
			t.Fatalf("Close = %v", err)
		}
	}
	time.Sleep(500 * time.Millisecond) // quick ends meanwhile

	e2 = s.newExecutor(t)
	if got, want := listed(t, e2, long.TaskID), (barge.TaskInfo{TaskID: long.TaskID, JobID: long.JobID, Attempt: 3, Running: true}); got == nil || *got != want {
		t.Errorf("after the restart, List has %+v, want %+v", got, want)
	}
	var wg sync.WaitGroup
	var followed []barge.LogLine
	var followErr error
	wg.Go(func() {
		followErr = e2.Logs(testContext(t), long.TaskID, time.Time{}, func(l barge.LogLine) { followed = append(followed, l) })
	})
	if err := e2.Stop(testContext(t), long.TaskID, 20*time.Second); err != nil {
		t.Errorf("after the restart, Stop = %v", err)
	}
	if got := exitCode(t, wait(t, e2, long.TaskID)); got != 5 {
		t.Errorf("after the restart, Wait = exit %d, want 5", got)
	}
	wg.Wait()
	if followErr != nil {
		t.Errorf("after the restart, Logs = %v", followErr)
	}
	// A shell may also report the sleep that SIGTERM ended ("Terminated").
	if got := messages(followed); len(got) < 2 || got[0] != "before" || !slices.Contains(got[1:], "after") {
		t.Errorf("after the restart, Logs = %q, want before, then after", got)
	}
	if got := exitCode(t, wait(t, e2, quick.TaskID)); got != 4 {
		t.Errorf("a task that ended between the instances: exit %d, want 4", got)
	}
	if got := logs(t, e2, quick.TaskID, time.Time{}); len(got) != 1 || got[0].Message != "quick" || !got[0].Stderr {
		t.Errorf("a task that ended between the instances: Logs = %+v, want quick on stderr", got)
	}
	if got := listed(t, e2, quick.TaskID); got == nil || got.Running {
		t.Errorf("after the restart, List has %+v for the ended task, want it not running", got)
	}
}
