package barge

import (
	"context"
	"time"
)

// Executor runs job attempts as tasks: a container on Docker or Podman, a
// pod on Kubernetes, or a host process. Every implementation passes the
// same conformance suite. A task is identified by its TaskID, which the
// runner chooses; the executor labels what it starts with it so that, after
// a restart, List finds every task it ever started. Logs, Wait and Stop of a
// task that does not exist (or was removed) return an ENotFound error.
type Executor interface {
	// Name is the executor's name as --executor spells it.
	Name() string
	// Limitation explains, in one sentence, what the executor cannot honour
	// (for the process executor: the image); "" when nothing.
	Limitation() string
	// Start creates and starts the task, pulling its image if needed. It
	// returns once the task runs; a task that cannot start returns an error
	// whose message is the container reason AWS would show (e.g.
	// "CannotPullContainerError: ...").
	Start(ctx context.Context, spec *TaskSpec) error
	// Logs calls out with each line the task wrote to stdout or stderr at or
	// after since, in order, following the output until the task ends (or
	// ctx does). After a restart the runner calls it again with the time of
	// the last line it stored, so a line may come twice but none is lost.
	Logs(ctx context.Context, taskID string, since time.Time, out func(LogLine)) error
	// Wait blocks until the task has exited and returns how it ended.
	Wait(ctx context.Context, taskID string) (TaskResult, error)
	// Stop asks the task to stop (SIGTERM), and kills it (SIGKILL) after
	// grace. Stopping a task that has ended is not an error.
	Stop(ctx context.Context, taskID string, grace time.Duration) error
	// Remove deletes what is left of an ended task (killing it if it still
	// runs). Removing a task that does not exist is not an error.
	Remove(ctx context.Context, taskID string) error
	// List returns every task this executor started that has not been
	// removed, running or ended.
	List(ctx context.Context) ([]TaskInfo, error)
}

// TaskSpec is one attempt of a job, resolved to what an executor needs.
type TaskSpec struct {
	TaskID                 string            // 32 lower-case hex digits, as an ECS task ID
	JobID                  string            // the job (array child IDs included)
	Attempt                int               // 1-based
	Image                  string            //
	Command                []string          // replaces the image's CMD when not empty
	Environment            map[string]string // definition, overrides and AWS_BATCH_* variables
	VCPU                   float64           // CPU quota in cores
	MemoryMiB              int               // hard memory limit
	StorageGiB             int               // ephemeral storage; 0 = the executor's default
	User                   string
	ReadonlyRootFilesystem bool
	// Tags are the task's tags: with propagateTags, the job's and its
	// definition's (JobSpec.TaskTags). Executors that can label what they
	// run label it with them.
	Tags map[string]string
}

// LogLine is one line a task wrote.
type LogLine struct {
	Time    time.Time
	Stderr  bool
	Message string
}

// TaskResult is how a task ended.
type TaskResult struct {
	ExitCode  *int   // nil when the task never ran or its code is unknown
	Reason    string // container reason, e.g. "OutOfMemoryError: Container killed due to memory usage"
	StartedAt time.Time
	StoppedAt time.Time
}

// TaskInfo describes a task found by List.
type TaskInfo struct {
	TaskID  string
	JobID   string
	Attempt int
	Running bool
}

// TaskAddresser is implemented by executors that know the address a task
// can be reached at. The runner asks once the task runs, and shows it as
// the networkInterfaces of a Fargate job's container, as AWS does for the
// task's elastic network interface.
type TaskAddresser interface {
	// Address returns the task's IPv4 address; "" when it has none (a
	// container on no network).
	Address(ctx context.Context, taskID string) (string, error)
}
