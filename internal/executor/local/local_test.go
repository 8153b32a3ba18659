package local_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/conformance"
	"github.com/bargehq/barge/internal/executor/local"
)

func TestConformance(t *testing.T) {
	probe, err := local.New(local.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	limits := probe.LimitsEnforced()
	t.Logf("limitation: %q", probe.Limitation())
	probe.Close()

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
		e, err := local.New(local.Options{Dir: dir})
		if err != nil {
			t.Fatalf("New = %v", err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}, conformance.Options{
		Limits:    limits,
		OOMReason: limits,
		User:      os.Geteuid() == 0,
	})
}

// TestSurvivesSIGKILL kills the process that started a task with SIGKILL, as
// an operator's kill -9 would, and has a new executor take the task over.
func TestSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	taskID := strings.Repeat("5", 32)
	helper := exec.Command(os.Args[0], "-test.run=^TestHelperStartAndHang$")
	helper.Env = append(os.Environ(), "BARGE_LOCAL_HELPER_DIR="+dir, "BARGE_LOCAL_HELPER_TASK="+taskID)
	stdout, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	helper.Stderr = os.Stderr
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && sc.Text() != "started" {
	}
	if err := helper.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	helper.Wait()

	e := newExecutor(t, dir)
	tasks, err := e.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := []barge.TaskInfo{{TaskID: taskID, JobID: "job", Attempt: 2, Running: true}}; !slices.Equal(tasks, want) {
		t.Fatalf("List after SIGKILL = %+v, want %+v", tasks, want)
	}
	t.Cleanup(func() { e.Remove(context.Background(), taskID) })
	res, err := e.Wait(t.Context(), taskID)
	if err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if res.ExitCode == nil || *res.ExitCode != 6 || res.StartedAt.IsZero() || res.StoppedAt.Before(res.StartedAt) {
		t.Errorf("Wait = %+v (exit %v), want exit 6 with its times", res, res.ExitCode)
	}
	var got []barge.LogLine
	if err := e.Logs(t.Context(), taskID, time.Time{}, func(l barge.LogLine) { got = append(got, l) }); err != nil {
		t.Fatalf("Logs = %v", err)
	}
	want := []barge.LogLine{{Message: "one"}, {Message: "two", Stderr: true}, {Message: "three"}}
	if len(got) != len(want) {
		t.Fatalf("Logs = %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i].Message != want[i].Message || got[i].Stderr != want[i].Stderr || got[i].Time.IsZero() {
			t.Errorf("line %d = %+v, want %+v with a time", i, got[i], want[i])
		}
	}
}

// TestHelperStartAndHang is TestSurvivesSIGKILL's barge: it starts a task
// and waits to be killed.
func TestHelperStartAndHang(t *testing.T) {
	dir := os.Getenv("BARGE_LOCAL_HELPER_DIR")
	if dir == "" {
		t.Skip("run by TestSurvivesSIGKILL")
	}
	e, err := local.New(local.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	spec := &barge.TaskSpec{TaskID: os.Getenv("BARGE_LOCAL_HELPER_TASK"), JobID: "job", Attempt: 2,
		Command: []string{"sh", "-c", "echo one; sleep 1; echo two >&2; printf three; exit 6"}}
	if err := e.Start(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	fmt.Println("started")
	time.Sleep(time.Minute)
}

func newExecutor(t *testing.T, dir string) *local.Executor {
	t.Helper()
	e, err := local.New(local.Options{Dir: dir})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestStartErrors(t *testing.T) {
	e := newExecutor(t, t.TempDir())
	for _, c := range []struct {
		name string
		spec barge.TaskSpec
		want string
	}{
		{"no command", barge.TaskSpec{}, "CannotStartContainerError: the process executor needs the job's command"},
		{"missing executable", barge.TaskSpec{Command: []string{"barge-no-such-command"}},
			`CannotStartContainerError: exec: "barge-no-such-command": executable file not found in $PATH`},
		{"missing user", barge.TaskSpec{Command: []string{"true"}, User: "barge-no-such-user"},
			"CannotStartContainerError: unable to find user barge-no-such-user"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.spec.TaskID = strings.Repeat("7", 32)
			err := e.Start(t.Context(), &c.spec)
			if te, ok := barge.AsTaskError(err); !ok || te.Fault != barge.FaultTask || !strings.HasPrefix(te.Error(), c.want) {
				t.Errorf("Start = %v, want the task's failure %s...", err, c.want)
			}
			if tasks, _ := e.List(t.Context()); len(tasks) != 0 {
				t.Errorf("List after a failed Start = %+v, want nothing", tasks)
			}
		})
	}
}

func TestOneExecutorPerDir(t *testing.T) {
	dir := t.TempDir()
	newExecutor(t, dir)
	if e, err := local.New(local.Options{Dir: dir}); err == nil {
		e.Close()
		t.Error("a second New on the same directory = nil, want an error")
	}
}

// TestStatelessTaskDirectory: a task directory without a state, left by a
// barge killed before it wrote one (and so before it started anything), is
// removed when the next executor opens the directory.
func TestStatelessTaskDirectory(t *testing.T) {
	dir := t.TempDir()
	left := filepath.Join(dir, strings.Repeat("9", 32))
	if err := os.MkdirAll(filepath.Join(left, "work"), 0o755); err != nil {
		t.Fatal(err)
	}
	newExecutor(t, dir)
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("a task directory without a state is still there (%v), want it removed", err)
	}
}

func TestLongLine(t *testing.T) {
	e := newExecutor(t, t.TempDir())
	spec := &barge.TaskSpec{TaskID: strings.Repeat("8", 32), JobID: "j", Attempt: 1,
		Command: []string{"sh", "-c", "head -c 600000 /dev/zero | tr '\\0' x; echo; echo next"}}
	if err := e.Start(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := e.Logs(t.Context(), spec.TaskID, time.Time{}, func(l barge.LogLine) { got = append(got, l.Message) }); err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || strings.Join(got[:len(got)-1], "") != strings.Repeat("x", 600000) || got[len(got)-1] != "next" {
		lens := make([]int, len(got))
		for i, m := range got {
			lens[i] = len(m)
		}
		t.Errorf("a 600,000-byte line came as pieces of %v bytes, want pieces making it up, then next", lens)
	}
}
