package barge

import (
	"context"
	"errors"
	"fmt"
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
	// Ping reports whether the executor can start tasks now: an error
	// says why not (the container engine does not answer). It returns
	// within a few seconds.
	Ping(ctx context.Context) error
	// Start creates and starts the task, pulling its image if needed. It
	// returns once the task runs. A task that cannot start returns a
	// *TaskError: of FaultTask when the task itself cannot run (its image,
	// its command), of FaultInfrastructure when the executor could not
	// start it (the engine does not answer); either way nothing of the
	// task runs. Starting a task that has started before (running or
	// ended) does nothing, so that nothing runs twice; a task that was
	// begun but provably never ran is started afresh.
	Start(ctx context.Context, spec *TaskSpec) error
	// Logs calls out with each line the task wrote to stdout or stderr at or
	// after since, in order, following the output until the task ends (or
	// ctx does). After a restart the runner calls it again with the time of
	// the last line it stored, so a line may come twice but none is lost.
	Logs(ctx context.Context, taskID string, since time.Time, out func(LogLine)) error
	// Wait blocks until the task has exited and returns how it ended. A
	// task that never ran returns a *TaskError saying why: of FaultTask
	// when the engine refused it, of FaultInfrastructure when barge
	// stopped while it started the task. Other errors are the executor's
	// own (the engine does not answer): waiting again may succeed.
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
	// Pod is an EKS job's Pod (JobSpec.EksProperties), each container's
	// environment with the AWS_BATCH_* variables added; nil for other
	// jobs. An executor that runs Pods (a PodLocator) runs it as it is;
	// Image, Command, Environment, VCPU and MemoryMiB then describe its
	// first container and the Pod's size, for executors that only
	// simulate it.
	Pod *EksPodProperties
	// PodLabels are the labels AWS Batch puts on an EKS job's Pod
	// (batch.amazonaws.com/job-id, .../compute-environment-uuid).
	PodLabels map[string]string
}

// LogLine is one line a task wrote.
type LogLine struct {
	Time    time.Time
	Stderr  bool
	Message string
}

// TaskResult is how a task ended.
type TaskResult struct {
	ExitCode *int   // nil when the task's code is unknown (it was lost)
	Reason   string // container reason, e.g. "OutOfMemoryError: Container killed due to memory usage"
	// StoppedReason is why the platform ended the task when its container
	// did not end on its own (an eviction, a lost node): the attempt's
	// statusReason, as ECS's stoppedReason "Host EC2 (instance …)
	// terminated." is on AWS. "" means AWS's "Essential container in task
	// exited".
	StoppedReason string
	StartedAt     time.Time
	StoppedAt     time.Time
	// Containers and InitContainers are how each container of a Pod
	// ended, in TaskSpec.Pod's order; nil when the executor runs no Pod.
	Containers     []PodContainerOutcome
	InitContainers []PodContainerOutcome
}

// TaskInfo describes a task found by List.
type TaskInfo struct {
	TaskID  string
	JobID   string
	Attempt int
	Running bool
}

// TaskErrorKind is the kind of a task's failure, named as AWS names the
// error codes of a stopped ECS task ("CannotPullContainerError", ...): it
// starts the container reason a job's attempt shows.
type TaskErrorKind string

// The kinds of task failures barge's executors report, AWS's own.
const (
	// CannotPullContainerError: the task's image could not be had.
	CannotPullContainerError TaskErrorKind = "CannotPullContainerError"
	// CannotCreateContainerError: the engine refused to create the task's
	// container.
	CannotCreateContainerError TaskErrorKind = "CannotCreateContainerError"
	// CannotStartContainerError: the task's container (or process) was
	// made but could not start: its command is missing, its user unknown.
	CannotStartContainerError TaskErrorKind = "CannotStartContainerError"
	// CannotInspectContainerError: the engine could not say how the task
	// is.
	CannotInspectContainerError TaskErrorKind = "CannotInspectContainerError"
	// ContainerRuntimeError: the container runtime (the engine) did not
	// answer.
	ContainerRuntimeError TaskErrorKind = "ContainerRuntimeError"
	// OutOfMemoryError: the kernel killed the task for its memory.
	OutOfMemoryError TaskErrorKind = "OutOfMemoryError"
	// ResourceInitializationError: what the task needs before it starts
	// (its log group, its execution role's secrets) could not be set up.
	ResourceInitializationError TaskErrorKind = "ResourceInitializationError"
	// TaskFailedToStart: the task did not start, for a reason of its own
	// that none of the others names.
	TaskFailedToStart TaskErrorKind = "TaskFailedToStart"
)

// ReasonOutOfMemory is the container reason of a task the kernel killed for
// exceeding its memory limit, as AWS words it.
const ReasonOutOfMemory = string(OutOfMemoryError) + ": Container killed due to memory usage"

// Fault says whose failure a TaskError is.
type Fault int

const (
	// FaultTask is a failure of the task itself (its image, command, user
	// or memory): its attempt ends, with the error as its container reason.
	FaultTask Fault = iota
	// FaultInfrastructure is a failure of what runs the task (the engine
	// does not answer, barge stopped while it started the task): the task
	// did not run, and its job must not fail for it.
	FaultInfrastructure
)

// String returns "task" or "infrastructure".
func (f Fault) String() string {
	if f == FaultInfrastructure {
		return "infrastructure"
	}
	return "task"
}

// TaskError is how an executor reports a task that did not start or run:
// Start returns one when the task cannot start, and Wait when the task
// never ran. Callers tell failures apart by Kind and Fault, never by the
// message.
type TaskError struct {
	Kind   TaskErrorKind
	Detail string // what AWS shows after the kind, e.g. "pull access denied for x"
	Fault  Fault
	Err    error // the cause, when there is one
}

// Error returns the container reason: "<Kind>: <Detail>".
func (e *TaskError) Error() string { return string(e.Kind) + ": " + e.Detail }

// Unwrap returns the cause.
func (e *TaskError) Unwrap() error { return e.Err }

// TaskFailed returns a TaskError that is the task's fault.
func TaskFailed(kind TaskErrorKind, format string, args ...any) *TaskError {
	return &TaskError{Kind: kind, Detail: fmt.Sprintf(format, args...), Fault: FaultTask}
}

// InfrastructureFailed returns a TaskError that is the infrastructure's
// fault, caused by cause (which may be nil).
func InfrastructureFailed(kind TaskErrorKind, cause error, format string, args ...any) *TaskError {
	return &TaskError{Kind: kind, Detail: fmt.Sprintf(format, args...), Fault: FaultInfrastructure, Err: cause}
}

// AsTaskError returns err's TaskError, if it has one.
func AsTaskError(err error) (*TaskError, bool) {
	var te *TaskError
	ok := errors.As(err, &te)
	return te, ok
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

// PodLocator is implemented by executors that run an EKS job's task as a
// Kubernetes Pod (TaskSpec.Pod). The runner asks where the Pod runs once
// it does, and shows it as the job's podName and nodeName. An EKS job
// placed on an executor that is no PodLocator fails to start.
type PodLocator interface {
	// PodOf returns the task's Pod: its name, namespace and node.
	PodOf(ctx context.Context, taskID string) (PodPlacement, error)
}

// PodPlacement is where a task's Pod runs.
type PodPlacement struct {
	Name, Namespace, NodeName string
}

// HostCapacity is the CPU and memory that the tasks of one host may hold at
// once, overcommit included: the scheduler places on an executor that runs
// its tasks on one host only what fits there. Zero fields are unbounded.
type HostCapacity struct {
	VCPU      float64 // cores
	MemoryMiB int
	// CPUOvercommit and MemoryOvercommit are the factors the host's own
	// cores and memory were multiplied by (1 when 0), for the reasons of
	// jobs that wait.
	CPUOvercommit, MemoryOvercommit float64
	// Cluster, when set, names the cluster whose nodes the tasks run on
	// (ClusterSized): VCPU and MemoryMiB are then what its nodes have free
	// together, and NodeVCPU and NodeMemoryMiB the most that any one node
	// has free, so a job bigger than those fits no node.
	Cluster       string
	NodeVCPU      float64
	NodeMemoryMiB int
}

// Bounded reports whether the capacity limits anything.
// A cluster's always is: with no node up, it has no room.
func (c HostCapacity) Bounded() bool { return c.VCPU > 0 || c.MemoryMiB > 0 || c.Cluster != "" }

// HostSized is an Executor that runs every task on the one host it runs on
// (Docker, host processes) and knows that host's allocatable CPU and memory,
// before overcommit.
type HostSized interface {
	HostCapacity() HostCapacity
}

// ClusterSized is an Executor that runs tasks on the nodes of a cluster
// (Kubernetes) and knows, live, what they have free for barge's tasks: the
// allocatable CPU and memory of the nodes that take new tasks, less what
// tasks other than barge's hold there. barge's own tasks are not subtracted:
// the scheduler counts those itself. Overcommit does not apply: the
// cluster's own scheduler places by requests. The capacity changes as nodes
// come and go, so the scheduler asks on every pass.
type ClusterSized interface {
	ClusterCapacity() HostCapacity
}

// PendingReasoner is an Executor whose started tasks may wait for room it
// does not control (a Kubernetes Pod that no node can take yet): the job
// stays STARTING meanwhile, and its statusReason says why it waits.
type PendingReasoner interface {
	// PendingReason returns why task taskID waits to run, "" when it does
	// not (or is unknown).
	PendingReason(taskID string) string
}

// HostMemoryReserveMiB is the memory of a host of totalMiB that tasks are
// not given: a tenth, at most 1 GiB, for the system and barge itself.
func HostMemoryReserveMiB(totalMiB int) int {
	return min(1024, totalMiB/10)
}
