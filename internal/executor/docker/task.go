package docker

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bargehq/barge"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// ReasonOutOfMemory is the container reason of a task the kernel killed for
// exceeding its memory limit, as AWS words it.
const ReasonOutOfMemory = barge.ReasonOutOfMemory

// Wait blocks until taskID's container has stopped and returns its exit
// code, the OOM reason when the kernel killed it for memory, and the times
// the engine recorded. A container that never started is a
// *barge.TaskError: CannotStartContainerError, the task's fault when the
// engine says why, the infrastructure's when it was created but never
// started (barge stopped in between). An engine that does not answer is
// an error of its own, to wait again after.
func (e *Executor) Wait(ctx context.Context, taskID string) (barge.TaskResult, error) {
	w := e.cli.ContainerWait(ctx, containerName(taskID), client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case <-w.Result:
	case err := <-w.Error:
		if err != nil {
			if ctx.Err() != nil {
				return barge.TaskResult{}, ctx.Err()
			}
			return barge.TaskResult{}, notFound(taskID, err)
		}
	case <-ctx.Done():
		return barge.TaskResult{}, ctx.Err()
	}
	ins, err := e.cli.ContainerInspect(ctx, containerName(taskID), client.ContainerInspectOptions{})
	if err != nil {
		return barge.TaskResult{}, notFound(taskID, err)
	}
	st := ins.Container.State
	if st == nil {
		return barge.TaskResult{}, fmt.Errorf("docker: task %s: the engine reported no state", taskID)
	}
	return result(st)
}

// result turns a stopped container's state into a task's result, or the
// TaskError of a container that never ran.
func result(st *container.State) (barge.TaskResult, error) {
	var r barge.TaskResult
	r.StartedAt = parseTime(st.StartedAt)
	r.StoppedAt = parseTime(st.FinishedAt)
	if r.StartedAt.IsZero() {
		// Never ran: the engine says why, if it knows.
		if st.Error != "" {
			return r, barge.TaskFailed(barge.CannotStartContainerError, "%s", st.Error)
		}
		return r, barge.InfrastructureFailed(barge.CannotStartContainerError, nil, "barge stopped while starting the task")
	}
	code := st.ExitCode
	r.ExitCode = &code
	if st.OOMKilled {
		r.Reason = ReasonOutOfMemory
	}
	return r, nil
}

// parseTime parses a time from the engine; the zero time when it has none.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// Stop sends the container its stop signal (SIGTERM unless the image says
// otherwise, as on ECS) and SIGKILL after grace, which the engine counts in
// whole seconds. It returns once the container has stopped.
func (e *Executor) Stop(ctx context.Context, taskID string, grace time.Duration) error {
	secs := max(0, int(math.Ceil(grace.Seconds())))
	_, err := e.cli.ContainerStop(ctx, containerName(taskID), client.ContainerStopOptions{Timeout: &secs})
	if err != nil {
		return notFound(taskID, err)
	}
	return nil
}

// Remove force-removes taskID's container, killing it if it still runs. Its
// output goes with it: keeping logs is the runner's job. Removing a task
// that does not exist is not an error.
func (e *Executor) Remove(ctx context.Context, taskID string) error {
	// Podman's forced removal stops a running container with its stop
	// timeout; kill it first (an error here means it has stopped).
	e.cli.ContainerKill(ctx, containerName(taskID), client.ContainerKillOptions{Signal: "KILL"})
	_, err := e.cli.ContainerRemove(ctx, containerName(taskID), client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("docker: removing task %s: %w", taskID, err)
	}
	return nil
}

// List returns the tasks of every container barge started on this engine
// (of this Instance) that has not been removed.
func (e *Executor) List(ctx context.Context) ([]barge.TaskInfo, error) {
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", LabelManaged+"=true"),
	})
	if err != nil {
		return nil, fmt.Errorf("docker: listing containers: %w", err)
	}
	var out []barge.TaskInfo
	for _, c := range res.Items {
		if c.Labels[LabelInstance] != e.instance {
			continue
		}
		id := c.Labels[LabelTaskID]
		if id == "" || !hasName(c.Names, containerName(id)) {
			continue
		}
		attempt, _ := strconv.Atoi(c.Labels[LabelAttempt])
		out = append(out, barge.TaskInfo{
			TaskID:  id,
			JobID:   c.Labels[LabelJobID],
			Attempt: attempt,
			Running: isRunning(c.State),
		})
	}
	return out, nil
}

// hasName reports whether names (as the engine lists them, with a leading
// slash) include name.
func hasName(names []string, name string) bool {
	for _, n := range names {
		if strings.TrimPrefix(n, "/") == name {
			return true
		}
	}
	return false
}

// isRunning reports whether a container in state s has a live process.
func isRunning(s container.ContainerState) bool {
	switch s {
	case container.StateRunning, container.StatePaused, container.StateRestarting:
		return true
	}
	return false
}
