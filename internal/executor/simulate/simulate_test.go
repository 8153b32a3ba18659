package simulate_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/conformance"
	"github.com/bargehq/barge/internal/executor/simulate"
)

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	dirs := map[*testing.T]string{} // one directory per test, shared by its instances
	conformance.Run(t, func(t *testing.T) barge.Executor {
		mu.Lock()
		dir, ok := dirs[t]
		if !ok {
			dir = t.TempDir()
			dirs[t] = dir
		}
		mu.Unlock()
		return newExecutor(t, simulate.Options{Dir: dir})
	}, conformance.Options{Simulated: true})
}

func newExecutor(t *testing.T, opts simulate.Options) *simulate.Executor {
	t.Helper()
	e, err := simulate.New(opts)
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

var taskSeq atomic.Int64

// spec returns a task with the given settings (names without
// BARGE_SIMULATE_) and other environment variables (names with an =).
func spec(attempt int, settings ...string) *barge.TaskSpec {
	seq := taskSeq.Add(1)
	id := fmt.Sprintf("%032x", seq)
	s := &barge.TaskSpec{TaskID: id, JobID: fmt.Sprint("job-", seq), Attempt: attempt, Command: []string{"must-not-run"}, Environment: map[string]string{}}
	for i := 0; i+1 < len(settings); i += 2 {
		name := settings[i]
		if !strings.HasPrefix(name, "=") {
			name = "BARGE_SIMULATE_" + name
		}
		s.Environment[strings.TrimPrefix(name, "=")] = settings[i+1]
	}
	return s
}

func messages(lines []barge.LogLine) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.Message)
	}
	return out
}

func collect(t *testing.T, e barge.Executor, id string, since time.Time) []barge.LogLine {
	t.Helper()
	var lines []barge.LogLine
	if err := e.Logs(t.Context(), id, since, func(l barge.LogLine) { lines = append(lines, l) }); err != nil {
		t.Fatalf("Logs(%s) = %v", id, err)
	}
	return lines
}

func wait(t *testing.T, e barge.Executor, id string) barge.TaskResult {
	t.Helper()
	res, err := e.Wait(t.Context(), id)
	if err != nil {
		t.Fatalf("Wait(%s) = %v", id, err)
	}
	if res.ExitCode == nil {
		t.Fatalf("Wait(%s) = no exit code, reason %q", id, res.Reason)
	}
	return res
}

// TestDefault: without settings a task exits 0 at once and writes nothing.
func TestDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newExecutor(t, simulate.Options{})
		s := spec(1)
		start := time.Now()
		if err := e.Start(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		res := wait(t, e, s.TaskID)
		if *res.ExitCode != 0 || res.Reason != "" || !res.StartedAt.Equal(start) || !res.StoppedAt.Equal(start) {
			t.Errorf("Wait = exit %d %q, %v to %v; want exit 0 at once, at %v", *res.ExitCode, res.Reason, res.StartedAt, res.StoppedAt, start)
		}
		if lines := collect(t, e, s.TaskID, time.Time{}); len(lines) != 0 {
			t.Errorf("Logs = %q, want nothing", messages(lines))
		}
	})
}

// TestTimeline follows a task of three stdout and one stderr line over
// 90 seconds in a synctest bubble: each line comes at its time, the task
// runs until its end and exits with its code.
func TestTimeline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newExecutor(t, simulate.Options{})
		s := spec(1, "DURATION", "90", "EXIT_CODE", "3", "LOG", "one\ntwo ${GREETING}\nthree $5 ${NOPE}\n", "STDERR", "oops", "=GREETING", "hi")
		start := time.Now()
		if err := e.Start(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		type seen struct {
			at   time.Duration
			line barge.LogLine
		}
		var (
			mu  sync.Mutex
			got []seen
		)
		done := make(chan error)
		go func() {
			done <- e.Logs(t.Context(), s.TaskID, time.Time{}, func(l barge.LogLine) {
				mu.Lock()
				got = append(got, seen{time.Since(start), l})
				mu.Unlock()
			})
		}()
		time.Sleep(45 * time.Second)
		synctest.Wait()
		if tasks, _ := e.List(t.Context()); len(tasks) != 1 || !tasks[0].Running {
			t.Errorf("List at 45s = %+v, want the task running", tasks)
		}
		mu.Lock()
		if len(got) != 3 {
			t.Errorf("lines by 45s = %d, want 3", len(got))
		}
		mu.Unlock()
		res := wait(t, e, s.TaskID)
		if err := <-done; err != nil {
			t.Fatalf("Logs = %v", err)
		}
		if d := time.Since(start); d != 90*time.Second || *res.ExitCode != 3 || res.StoppedAt.Sub(res.StartedAt) != 90*time.Second {
			t.Errorf("Wait returned after %v with exit %d, %v to %v; want exit 3 after 90s", d, *res.ExitCode, res.StartedAt, res.StoppedAt)
		}
		want := []seen{
			{0, barge.LogLine{Time: start, Message: "one"}},
			{0, barge.LogLine{Time: start, Stderr: true, Message: "oops"}},
			{30 * time.Second, barge.LogLine{Time: start.Add(30 * time.Second), Message: "two hi"}},
			{60 * time.Second, barge.LogLine{Time: start.Add(60 * time.Second), Message: "three $5 "}},
		}
		if len(got) != len(want) {
			t.Fatalf("Logs = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].at != want[i].at || !got[i].line.Time.Equal(want[i].line.Time) || got[i].line.Stderr != want[i].line.Stderr || got[i].line.Message != want[i].line.Message {
				t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		if again := collect(t, e, s.TaskID, start.Add(30*time.Second)); !slices.Equal(messages(again), []string{"two hi", "three $5 "}) {
			t.Errorf("Logs since 30s = %q, want the last two lines", messages(again))
		}
		if tasks, _ := e.List(t.Context()); len(tasks) != 1 || tasks[0].Running || tasks[0].JobID != s.JobID {
			t.Errorf("List after the end = %+v, want the task, ended", tasks)
		}
	})
}

// TestAttempts: an exit code list gives each attempt its code, the last
// one serving the attempts after it.
func TestAttempts(t *testing.T) {
	e := newExecutor(t, simulate.Options{})
	for attempt, want := range map[int]int{1: 1, 2: 2, 3: 0, 4: 0} {
		s := spec(attempt, "EXIT_CODE", "1, 2,0")
		if err := e.Start(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		if got := *wait(t, e, s.TaskID).ExitCode; got != want {
			t.Errorf("attempt %d: exit %d, want %d", attempt, got, want)
		}
	}
}

func TestOutOfMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newExecutor(t, simulate.Options{})
		s := spec(1, "DURATION", "2m", "OUT_OF_MEMORY", "true", "EXIT_CODE", "0")
		if err := e.Start(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		res := wait(t, e, s.TaskID)
		if *res.ExitCode != 137 || res.Reason != simulate.ReasonOutOfMemory || res.StoppedAt.Sub(res.StartedAt) != 2*time.Minute {
			t.Errorf("Wait = exit %d %q after %v, want 137, %q after 2m", *res.ExitCode, res.Reason, res.StoppedAt.Sub(res.StartedAt), simulate.ReasonOutOfMemory)
		}
	})
}

// TestStop: SIGTERM ends a task at once with 143 (or its own code), one
// that ignores it ends with 137 when the grace is over, or at its own end
// if that comes first; a task that has ended is not changed by Stop.
func TestStop(t *testing.T) {
	for _, c := range []struct {
		name     string
		settings []string
		grace    time.Duration
		took     time.Duration
		exit     int
		lines    []string
	}{
		{"default", []string{"DURATION", "1h", "LOG", "a\nb"}, 30 * time.Second, 10 * time.Second, 143, []string{"a"}},
		{"trapped", []string{"DURATION", "1h", "SIGTERM_EXIT_CODE", "0", "SIGTERM_LOG", "bye\nnow"}, 30 * time.Second, 10 * time.Second, 0, []string{"bye", "now"}},
		{"ignored", []string{"DURATION", "1h", "SIGTERM", "ignore", "SIGTERM_LOG", "ignoring"}, 30 * time.Second, 40 * time.Second, 137, []string{"ignoring"}},
		{"ignored, ends first", []string{"DURATION", "20s", "SIGTERM", "ignore", "EXIT_CODE", "4"}, 30 * time.Second, 20 * time.Second, 4, nil},
		{"no grace", []string{"DURATION", "1h"}, 0, 10 * time.Second, 137, nil},
		{"ended", []string{"DURATION", "5s", "EXIT_CODE", "2"}, 30 * time.Second, 5 * time.Second, 2, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newExecutor(t, simulate.Options{})
				s := spec(1, c.settings...)
				start := time.Now()
				if err := e.Start(t.Context(), s); err != nil {
					t.Fatal(err)
				}
				time.Sleep(10 * time.Second)
				if err := e.Stop(t.Context(), s.TaskID, c.grace); err != nil {
					t.Fatalf("Stop = %v", err)
				}
				if took := time.Since(start); took != max(c.took, 10*time.Second) {
					t.Errorf("Stop returned at %v, want %v", took, max(c.took, 10*time.Second))
				}
				res := wait(t, e, s.TaskID)
				if *res.ExitCode != c.exit || res.StoppedAt.Sub(start) != c.took {
					t.Errorf("Wait = exit %d after %v, want %d after %v", *res.ExitCode, res.StoppedAt.Sub(start), c.exit, c.took)
				}
				if got := messages(collect(t, e, s.TaskID, time.Time{})); !slices.Equal(got, c.lines) {
					t.Errorf("Logs = %q, want %q", got, c.lines)
				}
			})
		})
	}
}

// TestRemoveKills: removing a running task ends those waiting for it with
// 137, and forgets it.
func TestRemoveKills(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newExecutor(t, simulate.Options{Dir: t.TempDir()})
		s := spec(1, "DURATION", "1h")
		if err := e.Start(t.Context(), s); err != nil {
			t.Fatal(err)
		}
		var res barge.TaskResult
		waited := make(chan struct{})
		go func() {
			defer close(waited)
			res, _ = e.Wait(t.Context(), s.TaskID)
		}()
		time.Sleep(time.Minute)
		if err := e.Remove(t.Context(), s.TaskID); err != nil {
			t.Fatal(err)
		}
		<-waited
		if res.ExitCode == nil || *res.ExitCode != 137 || res.StoppedAt.Sub(res.StartedAt) != time.Minute {
			t.Errorf("Wait of a removed task = %+v, want exit 137 after 1m", res)
		}
		if _, err := e.Wait(t.Context(), s.TaskID); barge.ErrorCodeOf(err) != barge.ENotFound {
			t.Errorf("Wait after Remove = %v, want %s", err, barge.ENotFound)
		}
	})
}

func TestBadSettings(t *testing.T) {
	e := newExecutor(t, simulate.Options{})
	for _, c := range []struct {
		settings []string
		want     string
	}{
		{[]string{"DURATION", "soon"}, `CannotStartContainerError: BARGE_SIMULATE_DURATION="soon": want a duration such as 90s, 1m30s or 250ms, or a number of seconds`},
		{[]string{"DURATION", "-5s"}, `CannotStartContainerError: BARGE_SIMULATE_DURATION="-5s": want a duration`},
		{[]string{"DURATION", "1e300"}, `CannotStartContainerError: BARGE_SIMULATE_DURATION="1e300": want a duration`},
		{[]string{"DURATION", "99999999999999"}, `CannotStartContainerError: BARGE_SIMULATE_DURATION="99999999999999": want a duration`},
		{[]string{"EXIT_CODE", "256"}, `CannotStartContainerError: BARGE_SIMULATE_EXIT_CODE="256": want an exit code from 0 to 255, or a comma-separated list`},
		{[]string{"EXIT_CODE", "1,,0"}, `CannotStartContainerError: BARGE_SIMULATE_EXIT_CODE="1,,0": want an exit code`},
		{[]string{"SIGTERM_EXIT_CODE", "x"}, `CannotStartContainerError: BARGE_SIMULATE_SIGTERM_EXIT_CODE="x": want an exit code from 0 to 255`},
		{[]string{"OUT_OF_MEMORY", "maybe"}, `CannotStartContainerError: BARGE_SIMULATE_OUT_OF_MEMORY="maybe": want true or false`},
		{[]string{"SIGTERM", "trap"}, `CannotStartContainerError: BARGE_SIMULATE_SIGTERM="trap": want exit or ignore`},
		{[]string{"DURATON", "5s"}, `CannotStartContainerError: BARGE_SIMULATE_DURATON is not a simulate setting; the settings are BARGE_SIMULATE_DURATION, `},
		{[]string{"START_ERROR", "CannotPullContainerError: pull access denied for nothing"}, "CannotPullContainerError: pull access denied for nothing"},
	} {
		s := spec(1, c.settings...)
		err := e.Start(t.Context(), s)
		if te, ok := barge.AsTaskError(err); !ok || te.Fault != barge.FaultTask || !strings.HasPrefix(te.Error(), c.want) {
			t.Errorf("Start with %q = %v, want the task's failure %s...", c.settings, err, c.want)
		}
		if tasks, _ := e.List(t.Context()); len(tasks) != 0 {
			t.Errorf("List after a failed Start = %+v, want nothing", tasks)
		}
	}
	// An empty value is no value; names outside BARGE_SIMULATE_ are the
	// job's own.
	s := spec(1, "DURATION", "", "=BARGE_SIMULATOR", "x")
	if err := e.Start(t.Context(), s); err != nil {
		t.Errorf("Start with an empty setting = %v, want nil", err)
	}
}

// TestManualClock: with a ManualClock a task moves only when the clock is
// advanced, and has ended once Advance returns.
func TestManualClock(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := simulate.NewManualClock(t0)
	e := newExecutor(t, simulate.Options{Clock: clock})
	s := spec(1, "DURATION", "10m", "EXIT_CODE", "9", "LOG", "x\ny")
	if err := e.Start(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5*time.Minute - time.Nanosecond)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := e.Wait(ctx, s.TaskID); err == nil {
		t.Errorf("Wait before the end = nil error, want the context's")
	}
	clock.Advance(5*time.Minute + time.Nanosecond)
	if tasks, _ := e.List(t.Context()); len(tasks) != 1 || tasks[0].Running {
		t.Fatalf("List once Advance returned = %+v, want the task ended", tasks)
	}
	res := wait(t, e, s.TaskID)
	if *res.ExitCode != 9 || !res.StartedAt.Equal(t0) || !res.StoppedAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("Wait = exit %d, %v to %v; want 9 from %v for 10m", *res.ExitCode, res.StartedAt, res.StoppedAt, t0)
	}
	lines := collect(t, e, s.TaskID, time.Time{})
	if len(lines) != 2 || !lines[1].Time.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("Logs = %+v, want x at 0 and y at 5m", lines)
	}
}

// TestRestart: a task kept in Dir runs on in simulated time while no
// executor is there, and a Stop given before the restart holds.
func TestRestart(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := simulate.NewManualClock(t0)
	dir := t.TempDir()
	e1, err := simulate.New(simulate.Options{Dir: dir, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := simulate.New(simulate.Options{Dir: dir, Clock: clock}); err == nil {
		t.Errorf("a second New on the same Dir = nil error, want one")
	}
	ends := spec(1, "DURATION", "1m", "EXIT_CODE", "6", "LOG", "a\nb")
	runs := spec(2, "DURATION", "1h", "LOG", "c\nd")
	stopped := spec(1, "DURATION", "1h", "SIGTERM", "ignore")
	removed := spec(1)
	for _, s := range []*barge.TaskSpec{ends, runs, stopped, removed} {
		if err := e1.Start(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	if err := e1.Remove(t.Context(), removed.TaskID); err != nil {
		t.Fatal(err)
	}
	// Stop signals, then waits for the end, which a cancelled context
	// does not.
	stopCtx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := e1.Stop(stopCtx, stopped.TaskID, 10*time.Minute); err != context.Canceled {
		t.Fatalf("Stop with a cancelled context = %v, want %v", err, context.Canceled)
	}
	e1.Close()
	clock.Advance(5 * time.Minute) // while barge is down

	e2 := newExecutor(t, simulate.Options{Dir: dir, Clock: clock})
	tasks, err := e2.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []barge.TaskInfo{
		{TaskID: ends.TaskID, JobID: ends.JobID, Attempt: 1, Running: false},
		{TaskID: runs.TaskID, JobID: runs.JobID, Attempt: 2, Running: true},
		{TaskID: stopped.TaskID, JobID: stopped.JobID, Attempt: 1, Running: true},
	}
	slices.SortFunc(want, func(a, b barge.TaskInfo) int { return strings.Compare(a.TaskID, b.TaskID) })
	if !slices.Equal(tasks, want) {
		t.Errorf("List after the restart = %+v, want %+v", tasks, want)
	}
	if res := wait(t, e2, ends.TaskID); *res.ExitCode != 6 || !res.StoppedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("the task that ended meanwhile: exit %d at %v, want 6 at %v", *res.ExitCode, res.StoppedAt, t0.Add(time.Minute))
	}
	if got := messages(collect(t, e2, ends.TaskID, time.Time{})); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("its output = %q, want a, b", got)
	}
	clock.Advance(5 * time.Minute)
	if res := wait(t, e2, stopped.TaskID); *res.ExitCode != 137 || !res.StoppedAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("the task stopped before the restart: exit %d at %v, want 137 at the end of its grace, %v", *res.ExitCode, res.StoppedAt, t0.Add(10*time.Minute))
	}
	clock.Advance(time.Hour)
	if res := wait(t, e2, runs.TaskID); *res.ExitCode != 0 || !res.StoppedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("the running task: exit %d at %v, want 0 at %v", *res.ExitCode, res.StoppedAt, t0.Add(time.Hour))
	}
	for _, s := range []*barge.TaskSpec{ends, runs, stopped} {
		if err := e2.Remove(t.Context(), s.TaskID); err != nil {
			t.Fatal(err)
		}
	}
	e2.Close()
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != ".lock" {
		t.Errorf("Dir after removing every task holds %v, want only the lock file", entries)
	}
	if tasks, _ := newExecutor(t, simulate.Options{Dir: dir, Clock: clock}).List(t.Context()); len(tasks) != 0 {
		t.Errorf("List after removing everything and restarting = %+v, want nothing", tasks)
	}
}
