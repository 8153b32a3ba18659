package router_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/conformance"
	"github.com/bargehq/barge/internal/executor/local"
	"github.com/bargehq/barge/internal/executor/router"
	"github.com/bargehq/barge/internal/executor/simulate"
)

// newRouter returns a router over a process executor (the default) and a
// simulate executor keeping their tasks under dir, which routes the tasks
// of the compute environment "sim" to the simulate executor.
func newRouter(t *testing.T, dir string) *router.Executor {
	t.Helper()
	proc, err := local.New(local.Options{Dir: dir + "/tasks"})
	if err != nil {
		t.Fatalf("local.New = %v", err)
	}
	sim, err := simulate.New(simulate.Options{Dir: dir + "/simulate"})
	if err != nil {
		proc.Close()
		t.Fatalf("simulate.New = %v", err)
	}
	r, err := router.New(router.Options{
		Executors: []barge.Executor{proc, sim},
		Choose: func(ctx context.Context, spec *barge.TaskSpec) (string, error) {
			switch spec.Environment["AWS_BATCH_CE_NAME"] {
			case "sim":
				return "simulate", nil
			case "bad":
				return "", context.DeadlineExceeded
			}
			return "", nil
		},
	})
	if err != nil {
		t.Fatalf("router.New = %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestConformance runs the suite's simulated tasks through the router.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	dirs := map[*testing.T]string{}
	conformance.Run(t, func(t *testing.T) barge.Executor {
		mu.Lock()
		dir, ok := dirs[t]
		if !ok {
			dir = t.TempDir()
			dirs[t] = dir
		}
		mu.Unlock()
		r := newRouter(t, dir)
		return routeAll{r}
	}, conformance.Options{Simulated: true})
}

// routeAll starts every task on the simulate executor.
type routeAll struct{ *router.Executor }

func (r routeAll) Start(ctx context.Context, spec *barge.TaskSpec) error {
	spec.Environment["AWS_BATCH_CE_NAME"] = "sim"
	return r.Executor.Start(ctx, spec)
}

func spec(id, ce string, command string, env ...string) *barge.TaskSpec {
	s := &barge.TaskSpec{TaskID: strings.Repeat(id, 32), JobID: "job-" + id, Attempt: 1, Command: []string{"sh", "-c", command},
		Environment: map[string]string{"AWS_BATCH_CE_NAME": ce}}
	for i := 0; i+1 < len(env); i += 2 {
		s.Environment[env[i]] = env[i+1]
	}
	return s
}

func result(t *testing.T, e barge.Executor, id string) (int, []string) {
	t.Helper()
	res, err := e.Wait(t.Context(), id)
	if err != nil || res.ExitCode == nil {
		t.Fatalf("Wait(%s) = %+v, %v", id, res, err)
	}
	var lines []string
	if err := e.Logs(t.Context(), id, time.Time{}, func(l barge.LogLine) { lines = append(lines, l.Message) }); err != nil {
		t.Fatalf("Logs(%s) = %v", id, err)
	}
	return *res.ExitCode, lines
}

// TestMixed runs a real and a simulated task side by side, through a
// restart, and checks that each call reaches the executor of its task.
func TestMixed(t *testing.T) {
	dir := t.TempDir()
	r1 := newRouter(t, dir)
	// Both carry a script and settings: only the executor tells which
	// counts.
	host := spec("1", "real", "echo real; exit 2", "BARGE_SIMULATE_EXIT_CODE", "5", "BARGE_SIMULATE_LOG", "simulated")
	sim := spec("2", "sim", "echo real; exit 2", "BARGE_SIMULATE_EXIT_CODE", "5", "BARGE_SIMULATE_LOG", "simulated")
	for _, s := range []*barge.TaskSpec{host, sim} {
		if err := r1.Start(t.Context(), s); err != nil {
			t.Fatalf("Start(%s) = %v", s.JobID, err)
		}
	}
	if err := r1.Start(t.Context(), spec("3", "bad", "true")); err != context.DeadlineExceeded {
		t.Errorf("Start when Choose fails = %v, want Choose's error", err)
	}
	if code, lines := result(t, r1, host.TaskID); code != 2 || !slices.Equal(lines, []string{"real"}) {
		t.Errorf("the real task: exit %d, output %q; want 2, real", code, lines)
	}
	if code, lines := result(t, r1, sim.TaskID); code != 5 || !slices.Equal(lines, []string{"simulated"}) {
		t.Errorf("the simulated task: exit %d, output %q; want 5, simulated", code, lines)
	}
	r1.Close()

	// A new router, before List, finds each task on its executor.
	r2 := newRouter(t, dir)
	if code, _ := result(t, r2, sim.TaskID); code != 5 {
		t.Errorf("after a restart, before List: the simulated task's exit %d, want 5", code)
	}
	if code, _ := result(t, r2, host.TaskID); code != 2 {
		t.Errorf("after a restart, before List: the real task's exit %d, want 2", code)
	}
	r2.Close()

	r3 := newRouter(t, dir)
	tasks, err := r3.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []barge.TaskInfo{{TaskID: host.TaskID, JobID: "job-1", Attempt: 1}, {TaskID: sim.TaskID, JobID: "job-2", Attempt: 1}}
	if !slices.Equal(tasks, want) {
		t.Errorf("List = %+v, want %+v (the process executor's, then the simulate executor's)", tasks, want)
	}
	// Starting a known task again goes to where it runs, whatever Choose says.
	again := *sim
	again.Environment = map[string]string{"AWS_BATCH_CE_NAME": "real"}
	if err := r3.Start(t.Context(), &again); err != nil {
		t.Errorf("Start again = %v", err)
	}
	for _, s := range []*barge.TaskSpec{host, sim} {
		if err := r3.Remove(t.Context(), s.TaskID); err != nil {
			t.Errorf("Remove(%s) = %v", s.JobID, err)
		}
		if _, err := r3.Wait(t.Context(), s.TaskID); barge.ErrorCodeOf(err) != barge.ENotFound {
			t.Errorf("Wait(%s) after Remove = %v, want %s", s.JobID, err, barge.ENotFound)
		}
	}
	if tasks, _ := r3.List(t.Context()); len(tasks) != 0 {
		t.Errorf("List after Remove = %+v, want nothing", tasks)
	}
}
