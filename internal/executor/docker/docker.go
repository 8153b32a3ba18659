// Package docker runs barge's tasks as containers on a Docker Engine, or on
// anything that speaks its API (Podman's Docker-compatible socket), through
// the engine's official Go client with API-version negotiation, so that
// Docker 20.10 (API 1.41) and later work alike.
//
// A task is one container named "barge-<taskID>", labelled with its task,
// job and attempt so that a restarted barge finds it again (List). The
// container gets exactly what a Fargate task would: the image's ENTRYPOINT
// with the job's command in place of the image's CMD, the environment, a CPU
// quota, a hard memory limit without swap, the user and a read-only root
// filesystem when asked, and a disk limit where the storage driver can
// enforce one. Output is read back from the engine's log driver, so it
// outlives barge; containers are removed only when the runner says so.
package docker

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bargehq/barge"
	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// The labels barge puts on every container it starts.
const (
	LabelManaged  = "barge.managed" // always "true"
	LabelTaskID   = "barge.task-id"
	LabelJobID    = "barge.job-id"
	LabelAttempt  = "barge.attempt"
	LabelInstance = "barge.instance" // Options.Instance, when set
	// LabelTagPrefix starts the label of each of the task's tags
	// (TaskSpec.Tags): barge.tag.<key> = <value>.
	LabelTagPrefix = "barge.tag."
)

// namePrefix starts the name of every container barge starts.
const namePrefix = "barge-"

// defaultStopTimeout is ECS's default stop timeout.
const defaultStopTimeout = 30 * time.Second

// connectTimeout bounds New's first question to the engine: an engine that
// accepts connections but never answers (a deadlocked dockerd) must not
// keep barge from starting.
const connectTimeout = 5 * time.Second

// pingTimeout bounds Ping when its context has no earlier deadline.
const pingTimeout = 2 * time.Second

// Options configure an Executor.
type Options struct {
	// Host is the engine's address, e.g. "unix:///run/podman/podman.sock";
	// "" means DOCKER_HOST, or the default socket when that is unset.
	Host string
	// Log receives the executor's own messages; nil discards them.
	Log *slog.Logger
	// StopTimeout is the grace the engine itself gives a task's container
	// when something other than Stop stops it (`docker stop`, the engine
	// shutting down); 0 means 30 s, ECS's default.
	StopTimeout time.Duration
	// Instance keeps barge servers that share one engine apart: their
	// containers are labelled barge.instance=<Instance>, and List sees only
	// the containers of its own instance ("" sees those without the label).
	Instance string
}

// Executor runs tasks as containers. Its methods are safe for concurrent use.
type Executor struct {
	cli         *client.Client
	log         *slog.Logger
	instance    string
	stopTimeout time.Duration

	// engine is what the engine's Info said, once it answered (nil
	// before: barge starts while the engine is down, and learns about it
	// when it answers).
	engine atomic.Pointer[engineInfo]
	// storageLimit says whether containers can be given a disk size. It is
	// decided from the engine's storage driver when it first answers and
	// turned off if the engine refuses a size anyway.
	storageLimit atomic.Bool
}

// engineInfo is what the executor knows of its engine.
type engineInfo struct {
	name      string // e.g. "Docker 20.10.24"
	podman    bool
	driver    string // the engine's storage driver, e.g. "overlay2"
	backingFS string // the filesystem under it, e.g. "extfs"; "" when unknown
	capacity  barge.HostCapacity
}

var (
	_ barge.Executor  = (*Executor)(nil)
	_ barge.HostSized = (*Executor)(nil)
)

// info returns what the engine said of itself; the zero engineInfo until
// it has answered.
func (e *Executor) info() engineInfo {
	if i := e.engine.Load(); i != nil {
		return *i
	}
	return engineInfo{}
}

// HostCapacity returns the cores and memory of the engine's host, as its
// Info reports them (NCPU, MemTotal), less barge.HostMemoryReserveMiB;
// unbounded until the engine has answered (nothing is placed on an
// engine that does not answer).
func (e *Executor) HostCapacity() barge.HostCapacity { return e.info().capacity }

// engineCapacity is the capacity of a host of ncpu cores and memTotal
// bytes; zero (unbounded) for what the engine does not report.
func engineCapacity(ncpu int, memTotal int64) barge.HostCapacity {
	c := barge.HostCapacity{VCPU: float64(max(ncpu, 0))}
	if total := int(memTotal >> 20); total > 0 {
		c.MemoryMiB = total - barge.HostMemoryReserveMiB(total)
	}
	return c
}

// New returns an executor for the engine at opts.Host. An engine that does
// not answer yet is no error: barge starts, and the executor's Ping says
// it cannot start tasks until the engine answers.
func New(ctx context.Context, opts Options) (*Executor, error) {
	cli, err := newClient(opts.Host)
	if err != nil {
		return nil, err
	}
	e := &Executor{
		cli:         cli,
		log:         opts.Log,
		instance:    opts.Instance,
		stopTimeout: opts.StopTimeout,
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.stopTimeout <= 0 {
		e.stopTimeout = defaultStopTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := e.connect(cctx); err != nil {
		e.log.Warn("docker executor: no engine answers yet; jobs wait in RUNNABLE until one does", "host", cli.DaemonHost(), "error", err.Error())
	}
	return e, nil
}

// connect asks the engine about itself (its version, storage driver and
// host), once it answers.
func (e *Executor) connect(ctx context.Context) error {
	if e.engine.Load() != nil {
		return nil
	}
	info, err := e.cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return fmt.Errorf("docker: no engine answers at %s: %w", e.cli.DaemonHost(), err)
	}
	i := &engineInfo{
		name:     "Docker " + info.Info.ServerVersion,
		driver:   info.Info.Driver,
		capacity: engineCapacity(info.Info.NCPU, info.Info.MemTotal),
	}
	for _, kv := range info.Info.DriverStatus {
		if kv[0] == "Backing Filesystem" {
			i.backingFS = kv[1]
		}
	}
	if v, err := e.cli.ServerVersion(ctx, client.ServerVersionOptions{}); err == nil {
		for _, c := range v.Components {
			if strings.Contains(c.Name, "Podman") {
				i.podman, i.name = true, "Podman "+c.Version
			}
		}
	}
	e.storageLimit.Store(storageLimitSupported(i.driver, i.backingFS))
	if !e.engine.CompareAndSwap(nil, i) {
		return nil // another caller connected first
	}
	e.log.Info("docker executor connected", "host", e.cli.DaemonHost(), "engine", i.name,
		"api_version", e.cli.ClientVersion(), "storage_driver", i.driver, "backing_filesystem", i.backingFS,
		"storage_limit", e.storageLimit.Load())
	return nil
}

// Ping reports whether an engine answers at host ("" as in Options.Host)
// within a couple of seconds, for choosing an executor at start-up.
func Ping(ctx context.Context, host string) error {
	cli, err := newClient(host)
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return fmt.Errorf("docker: no engine answers at %s: %w", cli.DaemonHost(), err)
	}
	return nil
}

func newClient(host string) (*client.Client, error) {
	opts := []client.Opt{client.FromEnv}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	cli, err := client.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	return cli, nil
}

// Ping reports whether the engine answers, within pingTimeout.
func (e *Executor) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := e.cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("the container engine at %s does not answer: %w", e.cli.DaemonHost(), err)
	}
	if err := e.connect(ctx); err != nil {
		return err
	}
	return nil
}

// Close releases the connection to the engine; the containers run on.
func (e *Executor) Close() error { return e.cli.Close() }

// Name returns "docker".
func (e *Executor) Name() string { return "docker" }

// Limitation says what this engine cannot enforce or report: a task's
// ephemeral storage size, on storage drivers that cannot limit a
// container's disk, and OOM kills, which Podman does not always record.
func (e *Executor) Limitation() string {
	i := e.info()
	if e.engine.Load() == nil {
		return "" // not known until the engine answers
	}
	var parts []string
	if !e.StorageLimitSupported() {
		why := ""
		if (i.driver == "overlay2" || i.driver == "overlay") && i.backingFS != "" {
			why = fmt.Sprintf(" (its backing filesystem is %s, not xfs with pquota)", i.backingFS)
		}
		parts = append(parts, fmt.Sprintf("ephemeralStorage is not enforced: %s's %s storage driver on this host cannot limit a container's disk%s",
			e.product(), i.driver, why))
	}
	if i.podman {
		parts = append(parts, "Podman does not always record OOM kills: a job killed for its memory may end with exit code 137 and no OutOfMemoryError reason")
	}
	return strings.Join(parts, "; ")
}

// Engine names the engine and its version, e.g. "Docker 20.10.24"; "" until
// the engine has answered.
func (e *Executor) Engine() string { return e.info().name }

// RecordsOOMKills reports whether the engine marks a container the kernel
// killed for its memory (Podman, at least up to 4.3 on cgroup v1, does not).
func (e *Executor) RecordsOOMKills() bool { return !e.info().podman }

func (e *Executor) product() string {
	if e.info().podman {
		return "Podman"
	}
	return "Docker"
}

// StorageLimitSupported reports whether a task's StorageGiB becomes a limit
// on its container's disk. Docker's overlay2 driver supports one only on
// xfs mounted with pquota; devicemapper, btrfs and zfs do.
func (e *Executor) StorageLimitSupported() bool { return e.storageLimit.Load() }

// storageLimitSupported decides from the engine's info whether its storage
// driver can take a per-container size ("--storage-opt size=").
func storageLimitSupported(driver, backingFS string) bool {
	switch driver {
	case "overlay2", "overlay":
		// Only xfs with project quotas; the mount option cannot be seen
		// through the API, so an xfs host is believed until it refuses.
		return backingFS == "xfs"
	case "devicemapper", "btrfs", "zfs", "windowsfilter":
		return true
	}
	return false
}

// isStorageOptRefusal reports whether err is the engine refusing a
// container's storage size (e.g. overlay2 on xfs without pquota).
func isStorageOptRefusal(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "storage-opt") || strings.Contains(msg, "storage opt") ||
		strings.Contains(msg, "pquota")
}

// containerName returns the name of taskID's container.
func containerName(taskID string) string { return namePrefix + taskID }

// daemonMessage returns the engine's message without the client's prefix.
func daemonMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "Error response from daemon: ")
}

// notFound turns the engine's not-found errors into barge's.
func notFound(taskID string, err error) error {
	if isNotFound(err) {
		return barge.Errorf(barge.ENotFound, "task %s does not exist", taskID)
	}
	return fmt.Errorf("docker: task %s: %w", taskID, err)
}

func isNotFound(err error) bool { return cerrdefs.IsNotFound(err) }
