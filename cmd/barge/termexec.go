package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// errNotLeading is what a termExecutor answers between terms.
var errNotLeading = errors.New("this server does not lead: it runs no tasks")

// termExecutor is an executor that one server at a time may hold, as the
// simulate executor holds its directory, opened anew for each term of the
// leader lease on a shared database: the new leader takes over the tasks a
// killed or deposed one left, as after a restart. Between terms it runs
// nothing. The runner uses it only while leading, and has stopped using it
// when a term ends.
type termExecutor struct {
	name, limitation string
	open             func() (executor, error)

	mu  sync.Mutex
	cur executor // nil between terms
}

var _ barge.Executor = (*termExecutor)(nil)

// newTermExecutor returns a termExecutor that opens its executor with
// open; x, opened once without the shared state, names it.
func newTermExecutor(x executor, open func() (executor, error)) *termExecutor {
	t := &termExecutor{name: x.Name(), limitation: x.Limitation(), open: open}
	x.Close()
	return t
}

// begin opens the executor for a term. The previous holder may not have
// let go yet (a deposed leader stops within leaseStepDown): the caller
// tries again.
func (t *termExecutor) begin() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil {
		return nil
	}
	x, err := t.open()
	if err != nil {
		return err
	}
	t.cur = x
	return nil
}

// end closes the term's executor; its tasks run on.
func (t *termExecutor) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur != nil {
		t.cur.Close()
		t.cur = nil
	}
}

func (t *termExecutor) get() (executor, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur == nil {
		return nil, errNotLeading
	}
	return t.cur, nil
}

// Name returns the executor's name.
func (t *termExecutor) Name() string { return t.name }

// Limitation returns what the executor cannot honour.
func (t *termExecutor) Limitation() string { return t.limitation }

// Ping reports whether the term's executor can start tasks.
func (t *termExecutor) Ping(ctx context.Context) error {
	x, err := t.get()
	if err != nil {
		return err
	}
	return x.Ping(ctx)
}

// Start starts a task on the term's executor.
func (t *termExecutor) Start(ctx context.Context, spec *barge.TaskSpec) error {
	x, err := t.get()
	if err != nil {
		return barge.InfrastructureFailed(barge.CannotStartContainerError, err, "barge stopped leading while starting the task")
	}
	return x.Start(ctx, spec)
}

// Logs follows a task's output on the term's executor.
func (t *termExecutor) Logs(ctx context.Context, taskID string, since time.Time, out func(barge.LogLine)) error {
	x, err := t.get()
	if err != nil {
		return err
	}
	return x.Logs(ctx, taskID, since, out)
}

// Wait waits for a task's end on the term's executor.
func (t *termExecutor) Wait(ctx context.Context, taskID string) (barge.TaskResult, error) {
	x, err := t.get()
	if err != nil {
		return barge.TaskResult{}, err
	}
	return x.Wait(ctx, taskID)
}

// Stop stops a task on the term's executor.
func (t *termExecutor) Stop(ctx context.Context, taskID string, grace time.Duration) error {
	x, err := t.get()
	if err != nil {
		return err
	}
	return x.Stop(ctx, taskID, grace)
}

// Remove removes a task from the term's executor.
func (t *termExecutor) Remove(ctx context.Context, taskID string) error {
	x, err := t.get()
	if err != nil {
		return err
	}
	return x.Remove(ctx, taskID)
}

// List lists the term's executor's tasks.
func (t *termExecutor) List(ctx context.Context) ([]barge.TaskInfo, error) {
	x, err := t.get()
	if err != nil {
		return nil, err
	}
	return x.List(ctx)
}

// Close closes the term's executor, if a term is on.
func (t *termExecutor) Close() error {
	t.end()
	return nil
}
