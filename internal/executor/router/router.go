// Package router is an executor in front of several others: it starts each
// task on the one a Choose function names (barge names the simulate
// executor for compute environments tagged barge:executor=simulate, and
// the server's own for the rest), and sends what follows for that task
// (Logs, Wait, Stop, Remove) to the executor that started it. It learns
// which that is from Start, and after a restart from List, which the
// runner calls before anything else; a task it does not know is looked for
// on each executor in turn.
package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// Options configure an Executor.
type Options struct {
	// Executors are where tasks may run, the default first; their names
	// differ.
	Executors []barge.Executor
	// Choose names the executor a new task runs on, "" for the default.
	// An error fails the task's Start, with its message as the container
	// reason.
	Choose func(ctx context.Context, spec *barge.TaskSpec) (string, error)
}

// Executor routes tasks to executors. Its methods are safe for concurrent
// use.
type Executor struct {
	executors []barge.Executor
	byName    map[string]barge.Executor
	choose    func(ctx context.Context, spec *barge.TaskSpec) (string, error)

	mu    sync.Mutex
	owner map[string]barge.Executor // task ID → the executor that started it
}

var (
	_ barge.Executor      = (*Executor)(nil)
	_ barge.TaskAddresser = (*Executor)(nil)
)

// New returns a router over opts.Executors.
func New(opts Options) (*Executor, error) {
	if len(opts.Executors) == 0 {
		return nil, errors.New("router: no executors")
	}
	e := &Executor{executors: opts.Executors, byName: map[string]barge.Executor{}, choose: opts.Choose, owner: map[string]barge.Executor{}}
	for _, x := range opts.Executors {
		if _, dup := e.byName[x.Name()]; dup {
			return nil, fmt.Errorf("router: two executors called %s", x.Name())
		}
		e.byName[x.Name()] = x
	}
	if e.choose == nil {
		e.choose = func(context.Context, *barge.TaskSpec) (string, error) { return "", nil }
	}
	return e, nil
}

// Name is the default executor's name.
func (e *Executor) Name() string { return e.executors[0].Name() }

// Limitation is the default executor's limitation.
func (e *Executor) Limitation() string { return e.executors[0].Limitation() }

// Close closes the executors that hold resources.
func (e *Executor) Close() error {
	var errs []error
	for _, x := range e.executors {
		if c, ok := x.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// Start starts spec on the executor Choose names; a task started before
// is started again (which does nothing) where it was.
func (e *Executor) Start(ctx context.Context, spec *barge.TaskSpec) error {
	x, known := e.ownerOf(spec.TaskID)
	if !known {
		name, err := e.choose(ctx, spec)
		if err != nil {
			return err
		}
		if name == "" {
			x = e.executors[0]
		} else if x = e.byName[name]; x == nil {
			return fmt.Errorf("CannotStartContainerError: this barge has no %s executor", name)
		}
	}
	e.mu.Lock()
	e.owner[spec.TaskID] = x
	e.mu.Unlock()
	if err := x.Start(ctx, spec); err != nil {
		if !known {
			e.forget(spec.TaskID)
		}
		return err
	}
	return nil
}

func (e *Executor) ownerOf(taskID string) (barge.Executor, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x, ok := e.owner[taskID]
	return x, ok
}

func (e *Executor) forget(taskID string) {
	e.mu.Lock()
	delete(e.owner, taskID)
	e.mu.Unlock()
}

// route calls f with the executor that started taskID, or, when that is not
// known, with each executor in turn until one does not answer ENotFound.
func (e *Executor) route(taskID string, f func(x barge.Executor) error) error {
	if x, ok := e.ownerOf(taskID); ok {
		return f(x)
	}
	var err error
	for _, x := range e.executors {
		if err = f(x); barge.ErrorCodeOf(err) != barge.ENotFound {
			return err
		}
	}
	return err
}

// Logs follows the task's output on its executor.
func (e *Executor) Logs(ctx context.Context, taskID string, since time.Time, out func(barge.LogLine)) error {
	return e.route(taskID, func(x barge.Executor) error { return x.Logs(ctx, taskID, since, out) })
}

// Wait waits for the task on its executor.
func (e *Executor) Wait(ctx context.Context, taskID string) (res barge.TaskResult, err error) {
	err = e.route(taskID, func(x barge.Executor) error {
		res, err = x.Wait(ctx, taskID)
		return err
	})
	return res, err
}

// Address returns the task's address from its executor, "" when that
// executor does not know addresses (barge.TaskAddresser).
func (e *Executor) Address(ctx context.Context, taskID string) (addr string, err error) {
	err = e.route(taskID, func(x barge.Executor) error {
		a, ok := x.(barge.TaskAddresser)
		if !ok {
			addr = ""
			return nil
		}
		addr, err = a.Address(ctx, taskID)
		return err
	})
	return addr, err
}

// Stop stops the task on its executor.
func (e *Executor) Stop(ctx context.Context, taskID string, grace time.Duration) error {
	return e.route(taskID, func(x barge.Executor) error { return x.Stop(ctx, taskID, grace) })
}

// Remove removes the task from its executor, or from every executor when
// which is not known.
func (e *Executor) Remove(ctx context.Context, taskID string) error {
	if x, ok := e.ownerOf(taskID); ok {
		err := x.Remove(ctx, taskID)
		if err == nil {
			e.forget(taskID)
		}
		return err
	}
	var errs []error
	for _, x := range e.executors {
		errs = append(errs, x.Remove(ctx, taskID))
	}
	return errors.Join(errs...)
}

// List returns the tasks of every executor, and notes where each runs.
func (e *Executor) List(ctx context.Context) ([]barge.TaskInfo, error) {
	var all []barge.TaskInfo
	for _, x := range e.executors {
		tasks, err := x.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s executor: %w", x.Name(), err)
		}
		e.mu.Lock()
		for _, t := range tasks {
			if _, ok := e.owner[t.TaskID]; !ok {
				e.owner[t.TaskID] = x
			}
		}
		e.mu.Unlock()
		all = append(all, tasks...)
	}
	return all, nil
}
