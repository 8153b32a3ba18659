package runner_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/runner"
)

// TestSweepRemovesStrays: Watch removes a task that belongs to no
// unfinished attempt (a container a killed leader's engine created after
// the next leader had listed its tasks), and keeps the task of an attempt
// it runs and the task of a RUNNING job that it does not follow (whose end
// is for whoever runs the jobs next to record).
func TestSweepRemovesStrays(t *testing.T) {
	ctx := context.Background()
	exec := newFake()
	exec.hold = make(chan struct{})
	defer close(exec.hold)
	e := newEnvWith(t, nil, exec, func(c *runner.Config) { c.SweepEvery = 20 * time.Millisecond })
	s := spec("exit 0", nil, "arn:aws:iam::123456789012:role/exec")
	live, stray, kept := strings.Repeat("a", 32), strings.Repeat("d", 32), strings.Repeat("e", 32)
	e.place(t, &barge.Job{ID: "live", Name: "live", Queue: "q", CreatedAt: 1}, s, live)
	if err := e.st.InsertJobs(ctx, []*barge.Job{
		{ID: "done", Name: "done", Queue: "q", CreatedAt: 1, Status: barge.JobSucceeded, Spec: s,
			Runtime: &barge.ContainerRuntime{ComputeEnvironment: "ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce-x/" + strings.Repeat("f", 32)}},
		{ID: "unfollowed", Name: "unfollowed", Queue: "q", CreatedAt: 1, Status: barge.JobRunning, Spec: s,
			Runtime: &barge.ContainerRuntime{ComputeEnvironment: "ce", TaskArn: "arn:aws:ecs:us-east-1:123456789012:task/AWSBatch-ce-x/" + kept}},
	}); err != nil {
		t.Fatal(err)
	}
	exec.mu.Lock()
	exec.tasks[stray] = &fakeTask{spec: &barge.TaskSpec{TaskID: stray, JobID: "done", Attempt: 1}, done: make(chan struct{})}
	exec.tasks[kept] = &fakeTask{spec: &barge.TaskSpec{TaskID: kept, JobID: "unfollowed", Attempt: 1}, done: make(chan struct{})}
	exec.mu.Unlock()

	go e.r.Watch(e.ctx)
	has := func(id string) bool {
		exec.mu.Lock()
		defer exec.mu.Unlock()
		_, ok := exec.tasks[id]
		return ok
	}
	for deadline := time.Now().Add(10 * time.Second); has(stray); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the task of a job that ended was not removed")
		}
	}
	time.Sleep(200 * time.Millisecond) // ten sweeps more
	if !has(live) {
		t.Error("the task of the attempt the runner runs was removed")
	}
	if !has(kept) {
		t.Error("the task of a RUNNING job that the runner does not follow was removed")
	}
}
