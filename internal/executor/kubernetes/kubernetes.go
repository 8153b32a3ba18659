// Package kubernetes runs barge's tasks as Pods on a Kubernetes cluster,
// through client-go.
//
// Each attempt is one bare Pod named "barge-<taskID>" with restartPolicy
// Never (barge does the retries), requests equal to limits, the task's
// command as the container's args (the image's ENTRYPOINT stays, as on
// ECS), its environment, user and read-only root, IfNotPresent pulls, and
// its tags as labels. Labels index the Pods: a shared informer filtered by
// barge/managed (and barge/instance) serves every read, so that Wait, List
// and Start watch rather than poll. A finalizer keeps a Pod that someone
// deletes (a drain, a lost node) until barge has read how it ended, as the
// Job controller does with its own Pods; Remove takes it off.
//
// Stop sets the Pod's activeDeadlineSeconds, which makes the kubelet stop
// the container (SIGTERM, then SIGKILL after the Pod's grace, Options.StopGrace)
// while keeping the Pod and its log.
package kubernetes

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bargehq/barge"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	k8s "k8s.io/client-go/kubernetes"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
)

// The labels barge puts on every Pod it starts. The job ID is also an
// annotation, exactly (an array child's ID has a colon, which a label value
// cannot hold).
const (
	LabelManaged  = "barge/managed" // always "true"
	LabelTaskID   = "barge/task-id"
	LabelJobID    = "barge/job-id" // sanitised; the annotation has it exactly
	LabelAttempt  = "barge/attempt"
	LabelInstance = "barge/instance" // Options.Instance, when set
	// LabelTagPrefix starts the label of each of the task's tags
	// (TaskSpec.Tags), its key and value sanitised to label syntax.
	LabelTagPrefix = "tag.barge/"
	// AnnotationJobID holds the task's job ID.
	AnnotationJobID = "barge/job-id"
	// Finalizer keeps a Pod deleted by others until Remove.
	Finalizer = "barge/task"
)

// containerName is the name of the task's container in its Pod.
const containerName = "task"

// namePrefix starts the name of every Pod barge starts.
const namePrefix = "barge-"

// Defaults of Options.
const (
	// DefaultStopGrace is ECS's default stop timeout, the grace AWS gives
	// a task that TerminateJob or a timeout stops.
	DefaultStopGrace = 30 * time.Second
	// DefaultPullTimeout is how long an image pull may keep failing before
	// the task fails to start.
	DefaultPullTimeout = time.Minute
	// DefaultQPS and DefaultBurst size the client for batch work (client-go
	// defaults to 5 and 10), when the rest.Config sets none: an attempt
	// costs three requests (create, delete, the finalizer's removal) and a
	// log stream, so 300 Pods a second need over 900 (docs/PERFORMANCE.md).
	DefaultQPS   = 1500
	DefaultBurst = 3000
	// DefaultMaxWrites bounds the executor's Pod creations, deletions and
	// patches in flight: when the runner starts thousands of attempts at
	// once, they queue here rather than in an API server that would time
	// them out (measured: 10,000 creations at once timed out after 60 s).
	DefaultMaxWrites = 64
)

// ReasonOutOfMemory is the container reason of a task the kernel killed for
// exceeding its memory limit, as AWS words it.
const ReasonOutOfMemory = barge.ReasonOutOfMemory

// Options configure an Executor.
type Options struct {
	// Config is how to reach the cluster (from a kubeconfig and context).
	// Its QPS and Burst default to DefaultQPS and DefaultBurst.
	Config *rest.Config
	// Namespace is where the Pods run; "" means "default".
	Namespace string
	// Instance keeps barge servers that share a namespace apart: their Pods
	// are labelled barge/instance=<Instance>, and List sees only those of
	// its own instance ("" sees those without the label).
	Instance string
	// StopGrace is the Pods' terminationGracePeriodSeconds: the time
	// between SIGTERM and SIGKILL when Stop (or anything else) stops a
	// task; 0 means DefaultStopGrace.
	StopGrace time.Duration
	// PullTimeout is how long Start waits while the image cannot be pulled
	// before it fails with CannotPullContainerError; 0 means
	// DefaultPullTimeout.
	PullTimeout time.Duration
	// SplitStreams follows a task's stdout and stderr apart, marking
	// stderr's lines, where the cluster serves them apart (the alpha
	// feature gate PodLogsQuerySplitStreams). Off, the default, follows
	// the one stream Kubernetes keeps of both, as the awslogs driver sends
	// both to one CloudWatch log stream: the kubelet's stderr stream
	// sometimes lacks the last line a task writes just before it exits
	// (docs/KUBERNETES.md), and CloudWatch Logs cannot tell the two apart
	// anyway.
	SplitStreams bool
	// Log receives the executor's own messages; nil discards them.
	Log *slog.Logger
	// MaxWrites bounds the Pod creations, deletions and patches in flight;
	// 0 means DefaultMaxWrites.
	MaxWrites int
	// Cluster names the cluster in the reasons of jobs that wait for its
	// capacity, and keeps the capacity of executors on one cluster (several
	// namespaces) one; "" means the API server's address.
	Cluster string
	// CapacityGrew, when set, is called when the cluster's capacity may
	// have grown (a node became Ready, others' Pods ended): the scheduler
	// has room to fill.
	CapacityGrew func()
}

// Executor runs tasks as Pods. Its methods are safe for concurrent use.
type Executor struct {
	cs           k8s.Interface
	ns           string
	instance     string
	stopGrace    time.Duration
	pullTimeout  time.Duration
	log          *slog.Logger
	pods         listerscorev1.PodNamespaceLister
	capacity     *capacity     // nil when the client may not watch Nodes and Pods
	writes       chan struct{} // a slot per write in flight (MaxWrites)
	stopInformer context.CancelFunc
	closed       chan struct{} // closed by Close
	closeOnce    sync.Once

	// splitStreams says whether the cluster serves a container's stdout
	// and stderr apart (the PodLogsQuerySplitStreams feature gate);
	// followSplit, whether Logs follows them apart (Options.SplitStreams).
	splitStreams atomic.Bool
	followSplit  bool

	mu       sync.Mutex
	changeCh map[string]chan struct{} // by Pod name: closed when the Pod changes
}

var _ barge.Executor = (*Executor)(nil)

// New connects to the cluster, starts the informer on barge's Pods in the
// namespace and returns once it has synced. It fails when the API server
// does not answer, refuses to list Pods there, or says the namespace does
// not exist.
func New(ctx context.Context, opts Options) (*Executor, error) {
	if opts.Config == nil {
		return nil, errors.New("kubernetes: no cluster configuration")
	}
	cfg := rest.CopyConfig(opts.Config)
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = DefaultQPS, DefaultBurst
	}
	if cfg.ContentType == "" {
		// Pods in Kubernetes' protobuf encoding, as its own controllers
		// read and write them: cheaper to encode and decode than JSON for
		// the API server and barge alike, and most of what both spend on
		// a Pod is its watch events. JSON stays acceptable, for the
		// resources that have no protobuf encoding.
		cfg.ContentType = runtime.ContentTypeProtobuf
		cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	}
	cs, err := k8s.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes: %w", err)
	}
	e := &Executor{
		cs:          cs,
		ns:          opts.Namespace,
		instance:    opts.Instance,
		stopGrace:   opts.StopGrace,
		pullTimeout: opts.PullTimeout,
		followSplit: opts.SplitStreams,
		log:         opts.Log,
		changeCh:    map[string]chan struct{}{},
		closed:      make(chan struct{}),
		writes:      make(chan struct{}, cmp.Or(max(opts.MaxWrites, 0), DefaultMaxWrites)),
	}
	if e.ns == "" {
		e.ns = metav1.NamespaceDefault
	}
	if e.stopGrace <= 0 {
		e.stopGrace = DefaultStopGrace
	}
	if e.pullTimeout <= 0 {
		e.pullTimeout = DefaultPullTimeout
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	// A list first: a clear error now rather than an informer retrying.
	if _, err := cs.CoreV1().Pods(e.ns).List(ctx, metav1.ListOptions{LabelSelector: e.selector(), Limit: 1}); err != nil {
		return nil, fmt.Errorf("kubernetes: listing Pods in namespace %s at %s: %w", e.ns, cfg.Host, err)
	}
	// Listing Pods in a namespace that does not exist finds none; Pods
	// created there would fail one by one. (A client that may not read
	// namespaces gets Forbidden: then the first Pod tells.)
	if _, err := cs.CoreV1().Namespaces().Get(ctx, e.ns, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("kubernetes: the namespace %s does not exist at %s", e.ns, cfg.Host)
	}
	e.splitStreams.Store(e.probeSplitStreams(ctx))

	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0,
		informers.WithNamespace(e.ns),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = e.selector() }))
	inf := factory.Core().V1().Pods()
	if _, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { e.changed(obj) },
		UpdateFunc: func(_, obj any) { e.changed(obj) },
		DeleteFunc: func(obj any) { e.changed(obj) },
	}); err != nil {
		return nil, fmt.Errorf("kubernetes: %w", err)
	}
	e.pods = inf.Lister().Pods(e.ns)
	infCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.stopInformer = cancel
	factory.Start(infCtx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			cancel()
			return nil, fmt.Errorf("kubernetes: the %v informer did not sync: %w", typ, ctx.Err())
		}
	}
	cluster := cmp.Or(opts.Cluster, cfg.Host)
	if e.capacity, err = e.startCapacity(ctx, infCtx, cs, cluster, opts.CapacityGrew); err != nil {
		if ctx.Err() != nil {
			cancel()
			return nil, fmt.Errorf("kubernetes: %w", err)
		}
		e.log.Warn("the cluster's capacity is unknown: barge places jobs there within maxvCpus only", "error", err)
		e.capacity = nil
	}
	e.log.Info("kubernetes executor connected", "host", cfg.Host, "namespace", e.ns,
		"split_log_streams", e.splitStreams.Load(), "capacity", e.capacity != nil)
	return e, nil
}

// selector selects the Pods of this executor's instance.
func (e *Executor) selector() string {
	if e.instance == "" {
		return LabelManaged + "=true,!" + LabelInstance
	}
	return LabelManaged + "=true," + LabelInstance + "=" + e.instance
}

// probeSplitStreams asks for the stdout of a Pod that does not exist: an API
// server that validates the stream option before looking the Pod up answers
// NotFound when it serves streams apart, and Invalid when it does not.
func (e *Executor) probeSplitStreams(ctx context.Context) bool {
	_, err := e.cs.CoreV1().Pods(e.ns).GetLogs(namePrefix+"probe-none", &corev1.PodLogOptions{
		Stream: ptr.To(corev1.LogStreamStdout),
	}).DoRaw(ctx)
	return apierrors.IsNotFound(err)
}

// Close stops the informer; the Pods run on. Closing twice is fine. What
// waits for a Pod's change after Close returns ErrClosed.
func (e *Executor) Close() error {
	e.closeOnce.Do(func() {
		close(e.closed)
		if e.stopInformer != nil {
			e.stopInformer()
		}
	})
	return nil
}

// Name returns "kubernetes".
func (e *Executor) Name() string { return "kubernetes" }

// Ping reports whether the API server answers (a list of at most one of
// the namespace's Pods, which the executor may read anyway) within two
// seconds.
func (e *Executor) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := e.cs.CoreV1().Pods(e.ns).List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		return fmt.Errorf("the Kubernetes API server does not answer: %w", err)
	}
	return nil
}

// Limitation says what the executor cannot honour: a stop's own grace (every
// stop gives the Pods' terminationGracePeriodSeconds, StopGrace, so Spot's
// longer warning is not given), and, when asked to follow streams apart
// without the PodLogsQuerySplitStreams feature gate, a task's stderr apart
// from its stdout.
func (e *Executor) Limitation() string {
	s := fmt.Sprintf("every stop gives a task %v between SIGTERM and SIGKILL (the Pods' terminationGracePeriodSeconds), whatever the stop's own grace", e.stopGrace)
	if e.followSplit && !e.splitStreams.Load() {
		s += "; the cluster does not serve a container's stdout and stderr apart (feature gate PodLogsQuerySplitStreams is off): all output is reported as stdout"
	}
	return s
}

// SplitStreams reports whether the cluster serves stdout and stderr apart.
func (e *Executor) SplitStreams() bool { return e.splitStreams.Load() }

// podName returns the name of taskID's Pod.
func podName(taskID string) string { return namePrefix + taskID }

// changed wakes whoever waits for a change of obj's Pod.
func (e *Executor) changed(obj any) {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = t.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	e.mu.Lock()
	if ch, ok := e.changeCh[pod.Name]; ok {
		close(ch)
		delete(e.changeCh, pod.Name)
	}
	e.mu.Unlock()
}

// changes returns a channel closed at the next change of the Pod name. Take
// it before reading the Pod, so that no change is missed in between.
func (e *Executor) changes(name string) <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch, ok := e.changeCh[name]
	if !ok {
		ch = make(chan struct{})
		e.changeCh[name] = ch
	}
	return ch
}

// watch calls check with taskID's Pod (nil once it does not exist) at once
// and after each change, until check returns done, ctx ends, or timeout
// passes without a change (0: no timeout; check is then called again with
// timedOut true).
func (e *Executor) watch(ctx context.Context, taskID string, check func(pod *corev1.Pod, timedOut bool) (done bool, wait time.Duration, err error)) error {
	name := podName(taskID)
	timedOut := false
	for {
		ch := e.changes(name)
		pod, err := e.pods.Get(name)
		if apierrors.IsNotFound(err) {
			pod, err = nil, nil
		}
		if err != nil {
			return fmt.Errorf("kubernetes: task %s: %w", taskID, err)
		}
		done, wait, err := check(pod, timedOut)
		if done || err != nil {
			return err
		}
		var timer *time.Timer
		var fired <-chan time.Time
		if wait > 0 {
			timer = time.NewTimer(wait)
			fired = timer.C
		}
		timedOut = false
		select {
		case <-ch:
		case <-fired:
			timedOut = true
		case <-ctx.Done():
		case <-e.closed:
		}
		if timer != nil {
			timer.Stop()
		}
		select {
		case <-e.closed:
			return ErrClosed
		default:
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// ErrClosed is the error of a wait for a Pod on a closed Executor.
var ErrClosed = errors.New("kubernetes: the executor is closed")

// notFound is the error of a task whose Pod does not exist.
func notFound(taskID string) error {
	return barge.Errorf(barge.ENotFound, "task %s does not exist", taskID)
}

// write takes a slot for a write to the API server, waiting while
// MaxWrites are in flight; release gives it back.
func (e *Executor) write(ctx context.Context) (release func(), err error) {
	select {
	case e.writes <- struct{}{}:
		return func() { <-e.writes }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
