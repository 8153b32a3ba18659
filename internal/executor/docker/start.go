package docker

import (
	"context"
	"math"
	"slices"
	"strconv"

	"github.com/bargehq/barge"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// Start pulls the task's image unless the engine has it, then creates and
// starts its container. Its errors are *barge.TaskError: of the task's
// fault, CannotPullContainerError, CannotCreateContainerError or
// CannotStartContainerError with the engine's message; of the
// infrastructure's, ContainerRuntimeError when the engine does not answer.
// Starting a task that has already started (running or ended) does
// nothing, so that a runner that died inside Start can call it again and
// nothing runs twice; a container created but never started is replaced.
func (e *Executor) Start(ctx context.Context, spec *barge.TaskSpec) error {
	if err := e.ensureImage(ctx, spec.Image); err != nil {
		return err
	}
	id, started, err := e.create(ctx, spec)
	if err != nil || started {
		return err
	}
	if _, err := e.cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		e.removeQuietly(ctx, spec.TaskID)
		return e.taskError(ctx, barge.CannotStartContainerError, err)
	}
	return nil
}

// ensureImage pulls image unless the engine has it.
func (e *Executor) ensureImage(ctx context.Context, image string) error {
	if image == "" {
		return barge.TaskFailed(barge.CannotPullContainerError, "the job has no image")
	}
	_, err := e.cli.ImageInspect(ctx, image)
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		return e.taskError(ctx, barge.CannotPullContainerError, err)
	}
	e.log.Info("pulling image", "image", image)
	resp, err := e.cli.ImagePull(ctx, image, client.ImagePullOptions{})
	if err == nil {
		err = resp.Wait(ctx)
		resp.Close()
	}
	if err != nil {
		return e.taskError(ctx, barge.CannotPullContainerError, err)
	}
	return nil
}

// create creates the task's container and returns its ID. A container left
// by an earlier Start of the same task is kept, with started true, when it
// has started, and replaced when it has not.
func (e *Executor) create(ctx context.Context, spec *barge.TaskSpec) (id string, started bool, err error) {
	cfg, host := e.containerConfig(spec)
	opts := client.ContainerCreateOptions{Config: cfg, HostConfig: host, Name: containerName(spec.TaskID)}
	for range 3 {
		res, err := e.cli.ContainerCreate(ctx, opts)
		switch {
		case err == nil:
			for _, w := range res.Warnings {
				e.log.Warn("engine warning creating a task's container", "task_id", spec.TaskID, "warning", w)
			}
			return res.ID, false, nil
		case host.StorageOpt != nil && isStorageOptRefusal(err):
			e.storageLimit.Store(false)
			e.log.Warn("the engine cannot limit a container's disk; ephemeralStorage is not enforced",
				"task_id", spec.TaskID, "error", daemonMessage(err))
			host.StorageOpt = nil
		default:
			// A container of the task's name may be in the way (Docker
			// says so with a 409, Podman with a 500): one an earlier
			// Start of the task left.
			ins, ierr := e.cli.ContainerInspect(ctx, containerName(spec.TaskID), client.ContainerInspectOptions{})
			if ierr != nil {
				return "", false, e.taskError(ctx, barge.CannotCreateContainerError, err)
			}
			if ins.Container.Config != nil && ins.Container.Config.Labels[LabelTaskID] == spec.TaskID &&
				ins.Container.State != nil && (ins.Container.State.Running || !parseTime(ins.Container.State.StartedAt).IsZero()) {
				return ins.Container.ID, true, nil
			}
			e.removeQuietly(ctx, spec.TaskID)
		}
	}
	return "", false, barge.TaskFailed(barge.CannotCreateContainerError, "could not create container %s", containerName(spec.TaskID))
}

// containerConfig turns spec into the container's configuration.
func (e *Executor) containerConfig(spec *barge.TaskSpec) (*container.Config, *container.HostConfig) {
	env := make([]string, 0, len(spec.Environment))
	for k, v := range spec.Environment {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	stop := int(math.Ceil(e.stopTimeout.Seconds()))
	cfg := &container.Config{
		Image:       spec.Image,
		Env:         env,
		User:        spec.User,
		Labels:      e.labels(spec),
		StopTimeout: &stop,
	}
	if len(spec.Command) > 0 {
		// ECS semantics: the command replaces CMD; ENTRYPOINT stays.
		cfg.Cmd = slices.Clone(spec.Command)
	}
	host := &container.HostConfig{ReadonlyRootfs: spec.ReadonlyRootFilesystem}
	const cpuPeriod = 100_000 // µs, the kernel's default CFS period
	if spec.VCPU > 0 {
		// A CFS quota rather than NanoCPUs: Docker refuses NanoCPUs above
		// the host's CPU count, while a Fargate job may ask for 16 vCPUs on
		// a smaller machine; the quota then limits nothing the host has.
		host.CPUPeriod = cpuPeriod
		host.CPUQuota = int64(math.Round(spec.VCPU * cpuPeriod))
	}
	if spec.MemoryMiB > 0 {
		// Memory and swap equal: the limit is hard, with no swap beyond it.
		host.Memory = int64(spec.MemoryMiB) << 20
		host.MemorySwap = host.Memory
	}
	if spec.StorageGiB > 0 && e.StorageLimitSupported() {
		host.StorageOpt = map[string]string{"size": strconv.Itoa(spec.StorageGiB) + "G"}
	}
	return cfg, host
}

// labels returns the labels of spec's container.
func (e *Executor) labels(spec *barge.TaskSpec) map[string]string {
	l := map[string]string{
		LabelManaged: "true",
		LabelTaskID:  spec.TaskID,
		LabelJobID:   spec.JobID,
		LabelAttempt: strconv.Itoa(spec.Attempt),
	}
	if e.instance != "" {
		l[LabelInstance] = e.instance
	}
	for k, v := range spec.Tags {
		l[LabelTagPrefix+k] = v
	}
	return l
}

// taskError turns an engine's error while it starts a task into a
// TaskError of kind: the infrastructure's fault when the engine did not
// answer or barge stopped meanwhile, the task's otherwise.
func (e *Executor) taskError(ctx context.Context, kind barge.TaskErrorKind, err error) *barge.TaskError {
	switch {
	case ctx.Err() != nil:
		return barge.InfrastructureFailed(kind, err, "barge stopped while starting the task")
	case client.IsErrConnectionFailed(err), e.Ping(ctx) != nil:
		// The engine went away, perhaps in the middle of the request.
		return barge.InfrastructureFailed(barge.ContainerRuntimeError, err, "the container engine at %s does not answer", e.cli.DaemonHost())
	}
	return barge.TaskFailed(kind, "%s", daemonMessage(err))
}

// removeQuietly force-removes taskID's container after a failed start,
// logging rather than returning a failure to remove it.
func (e *Executor) removeQuietly(ctx context.Context, taskID string) {
	if err := e.Remove(context.WithoutCancel(ctx), taskID); err != nil {
		e.log.Warn("removing a task's container failed", "task_id", taskID, "error", err)
	}
}
