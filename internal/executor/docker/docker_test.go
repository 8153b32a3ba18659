package docker_test

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/conformance"
	"github.com/bargehq/barge/internal/executor/docker"
	"github.com/bargehq/barge/internal/executor/testimage"
)

// engine skips t when no Docker engine answers, and otherwise returns the
// test image.
func engine(t *testing.T) string {
	t.Helper()
	if err := docker.Ping(t.Context(), ""); err != nil {
		t.Skipf("no Docker engine: %v (scripts/test.sh installs and starts one)", err)
	}
	return testimage.Ensure(t.Context(), t, "")
}

// newExecutor returns an executor of the test instance instance.
func newExecutor(t *testing.T, instance string) *docker.Executor {
	t.Helper()
	e, err := docker.New(t.Context(), docker.Options{Instance: instance})
	if err != nil {
		t.Fatalf("New = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestConformance(t *testing.T) {
	image := engine(t)
	// An instance label per run keeps these containers apart from those of
	// any barge running on the same engine.
	instance := fmt.Sprintf("conformance-%d", time.Now().UnixNano())
	probe := newExecutor(t, instance)
	t.Logf("engine %s; limitation: %q", probe.Engine(), probe.Limitation())
	conformance.Run(t, func(t *testing.T) barge.Executor { return newExecutor(t, instance) }, conformance.Options{
		Image:          image,
		Images:         true,
		Limits:         true,
		OOMReason:      probe.RecordsOOMKills(),
		Storage:        probe.StorageLimitSupported(),
		User:           true,
		ReadonlyRootfs: true,
	})
}

func TestEntrypointKept(t *testing.T) {
	engine(t)
	e := newExecutor(t, "entrypoint-test")
	for _, c := range []struct {
		command []string
		want    string
	}{
		{nil, "entrypoint image-cmd"},
		{[]string{"job", "args"}, "entrypoint job args"},
	} {
		spec := &barge.TaskSpec{TaskID: strings.Repeat("e", 31) + fmt.Sprint(len(c.command)), JobID: "j", Attempt: 1,
			Image: testimage.EntrypointName, Command: c.command}
		if err := e.Start(t.Context(), spec); err != nil {
			t.Fatalf("Start = %v", err)
		}
		t.Cleanup(func() { e.Remove(context.Background(), spec.TaskID) })
		if _, err := e.Wait(t.Context(), spec.TaskID); err != nil {
			t.Fatalf("Wait = %v", err)
		}
		var got []string
		if err := e.Logs(t.Context(), spec.TaskID, time.Time{}, func(l barge.LogLine) { got = append(got, l.Message) }); err != nil {
			t.Fatalf("Logs = %v", err)
		}
		if !slices.Equal(got, []string{c.want}) {
			t.Errorf("command %q: output %q, want %q", c.command, got, c.want)
		}
	}
}

func TestPingNoEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := docker.Ping(ctx, "unix://"+t.TempDir()+"/none.sock"); err == nil {
		t.Error("Ping of a socket nobody listens on = nil, want an error")
	}
}

// TestTagLabels starts a task with tags: its container carries each as a
// barge.tag.<key> label, for `docker ps --filter label=...`.
func TestTagLabels(t *testing.T) {
	image := engine(t)
	e := newExecutor(t, "tag-test")
	spec := &barge.TaskSpec{TaskID: strings.Repeat("7", 32), JobID: "j", Attempt: 1, Image: image,
		Command: []string{"true"}, Tags: map[string]string{"team": "data", "cost-center": "42"}}
	if err := e.Start(t.Context(), spec); err != nil {
		t.Fatalf("Start = %v", err)
	}
	t.Cleanup(func() { e.Remove(context.Background(), spec.TaskID) })
	out, err := exec.CommandContext(t.Context(), "docker", "ps", "-a", "-q", "--no-trunc",
		"--filter", "label="+docker.LabelTagPrefix+"team=data",
		"--filter", "label="+docker.LabelTagPrefix+"cost-center=42",
		"--filter", "label="+docker.LabelTaskID+"="+spec.TaskID).Output()
	if err != nil {
		t.Skipf("docker CLI: %v", err)
	}
	if n := len(strings.Fields(string(out))); n != 1 {
		t.Errorf("containers labelled with the task's tags = %d, want 1", n)
	}
}

// TestHostCapacity: the docker executor gives its tasks the engine's cores
// (docker info's NCPU) and its memory (MemTotal) less the reserve.
func TestHostCapacity(t *testing.T) {
	engine(t)
	out, err := exec.Command("docker", "info", "--format", "{{.NCPU}} {{.MemTotal}}").Output()
	if err != nil {
		t.Skipf("docker info: %v", err)
	}
	var ncpu int
	var memTotal int64
	if _, err := fmt.Sscan(string(out), &ncpu, &memTotal); err != nil {
		t.Fatalf("docker info = %q: %v", out, err)
	}
	total := int(memTotal >> 20)
	want := barge.HostCapacity{VCPU: float64(ncpu), MemoryMiB: total - barge.HostMemoryReserveMiB(total)}
	if got := newExecutor(t, "capacity").HostCapacity(); got != want {
		t.Errorf("HostCapacity() = %+v, want %+v", got, want)
	}
}
