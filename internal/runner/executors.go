package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// TagExecutor is the compute environment tag that runs its jobs on another
// of the runner's executors than the default: barge:executor=simulate
// simulates them (docs/SIMULATE.md), barge:executor=kubernetes runs them on
// a Kubernetes cluster (Config.Clusters). Without the tag, or naming the
// default, they run on the default executor. A runner with one executor
// and no clusters runs every job on it, whatever the tag says.
const TagExecutor = "barge:executor"

// The tags that choose the Kubernetes cluster (a context of the kubeconfig)
// and namespace of a compute environment whose jobs run on Kubernetes;
// without them, the server's defaults.
const (
	TagKubeContext   = "barge:kube-context"
	TagKubeNamespace = "barge:kube-namespace"
)

// kubernetesExecutor is the name of the Kubernetes executors.
const kubernetesExecutor = "kubernetes"

// Clusters are the Kubernetes clusters that compute environments run on,
// each namespace of each with its own executor (cmd/barge gives
// kubernetes.Clusters).
type Clusters interface {
	// Executor returns the executor of namespace on cluster ("" for
	// either: the default), or why there is none now; it never blocks.
	Executor(cluster, namespace string) (barge.Executor, error)
	// Connect is Executor, waiting until the cluster answers, fails or
	// ctx ends.
	Connect(ctx context.Context, cluster, namespace string) (barge.Executor, error)
	// Wait is Connect, trying again after each failure until the
	// cluster answers; it fails only when ctx ends or the clusters
	// close.
	Wait(ctx context.Context, cluster, namespace string) (barge.Executor, error)
	// Executors returns the executors connected so far.
	Executors() []barge.Executor
	// Connecting reports whether the first attempt to connect to
	// namespace on cluster is under way (none has ended yet).
	Connecting(cluster, namespace string) bool
}

// clusterOf says whether the jobs of compute environment ce run on
// Kubernetes, and on which cluster and namespace ("" each: the defaults).
// An EKS compute environment's run on the context named as its
// eksClusterArn's cluster (arn:aws:eks:REGION:ACCOUNT:cluster/NAME is the
// context NAME), in its kubernetesNamespace, unless a barge:executor tag
// names another executor (simulate).
func (r *Runner) clusterOf(ce *barge.ComputeEnvironment) (cluster, namespace string, ok bool) {
	if ce == nil || r.cfg.Clusters == nil {
		return "", "", false
	}
	kind := ce.Tags[TagExecutor]
	if eks := ce.EksConfiguration; eks != nil && (kind == "" || kind == kubernetesExecutor) {
		// AWS Batch on EKS: the cluster is the context named as the
		// eksClusterArn's cluster, the namespace kubernetesNamespace.
		name, _ := barge.EksClusterName(eks.EksClusterArn)
		return name, eks.KubernetesNamespace, true
	}
	if kind == "" {
		kind = r.cfg.Executor.Name()
	}
	if kind != kubernetesExecutor {
		return "", "", false
	}
	return ce.Tags[TagKubeContext], ce.Tags[TagKubeNamespace], true
}

// Warm starts connecting, in the background, to the Kubernetes cluster of
// each compute environment, so that a cluster that cannot be reached is
// logged at start-up rather than at its first job.
func (r *Runner) Warm(ctx context.Context) error {
	if r.cfg.Clusters == nil {
		return nil
	}
	after := ""
	for {
		ces, err := r.cfg.Store.ListComputeEnvironments(ctx, after, 100)
		if err != nil {
			return err
		}
		for _, ce := range ces {
			if cluster, ns, ok := r.clusterOf(ce); ok {
				r.cfg.Clusters.Executor(cluster, ns)
			}
		}
		if len(ces) < 100 {
			return nil
		}
		after = ces[len(ces)-1].Name
	}
}

// unreachable is the error of a compute environment whose cluster cannot
// run tasks now: an infrastructure failure, which never fails a job.
type unreachable struct {
	err error
	key clusterKey // the cluster and namespace, as the compute environment names them
}

// clusterKey names a namespace on a Kubernetes cluster as a compute
// environment does ("" each: the defaults).
type clusterKey struct{ cluster, namespace string }

func (u unreachable) Error() string { return u.err.Error() }

// executorFor returns the executor that runs the tasks of compute
// environment ce (nil when it is gone: the default). A tag naming no
// executor of the runner is the task's failure, so that a misspelt tag
// never runs real containers where simulated ones were meant. A cluster
// that cannot run tasks now is an unreachable error.
func (r *Runner) executorFor(ce *barge.ComputeEnvironment) (barge.Executor, error) {
	def := r.cfg.Executor
	if cluster, ns, ok := r.clusterOf(ce); ok {
		x, err := r.cfg.Clusters.Executor(cluster, ns)
		if err != nil {
			return nil, unreachable{err, clusterKey{cluster, ns}}
		}
		return x, nil
	}
	if ce == nil || len(r.cfg.Executors) == 0 && r.cfg.Clusters == nil {
		return def, nil
	}
	v := ce.Tags[TagExecutor]
	if v == "" || v == def.Name() {
		return def, nil
	}
	names := []string{def.Name()}
	for _, x := range r.cfg.Executors {
		if x.Name() == v {
			return x, nil
		}
		names = append(names, x.Name())
	}
	if r.cfg.Clusters != nil {
		names = append(names, kubernetesExecutor)
	}
	return nil, barge.TaskFailed(barge.CannotStartContainerError, "compute environment %s has the tag %s=%q, but this barge runs jobs on %s",
		ce.Name, TagExecutor, v, strings.Join(names, " or "))
}

// executors returns every executor of the runner, the default first, and
// the clusters' connected so far.
func (r *Runner) executors() []barge.Executor {
	all := append([]barge.Executor{r.cfg.Executor}, r.cfg.Executors...)
	if r.cfg.Clusters != nil {
		for _, x := range r.cfg.Clusters.Executors() {
			if !slices.Contains(all, x) {
				all = append(all, x)
			}
		}
	}
	return all
}

// recoveryExecutors chooses, after a restart, the executor of each
// compute environment, reading each from the store once.
type recoveryExecutors struct {
	r    *Runner
	byCE map[string]barge.Executor
}

// of returns the executor of the compute environment named name; an error
// is the store's or, for a tag naming no executor, the task's failure.
func (c *recoveryExecutors) of(ctx context.Context, name string) (barge.Executor, error) {
	if x, ok := c.byCE[name]; ok {
		return x, nil
	}
	ce, err := c.r.cfg.Store.GetComputeEnvironment(ctx, name)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		ce, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading compute environment %s: %w", name, err)
	}
	x, err := c.r.executorFor(ce)
	if err != nil {
		return nil, err
	}
	c.byCE[name] = x
	return x, nil
}

// notStarted handles an attempt whose task did not run, for err. A failure
// of the task's own ends the attempt, with err as its container reason. A
// failure of the infrastructure (the engine does not answer, barge stopped
// while it started the task) uses no attempt: the job goes back to
// RUNNABLE, where the scheduler places it again, unless TerminateJob asked
// for its end meanwhile.
func (r *Runner) notStarted(ctx context.Context, j *barge.Job, spec *barge.JobSpec, a *attempt, err error) {
	fail := outcome{res: barge.TaskResult{Reason: err.Error()}, statusReason: reasonFailedToStart}
	if te, ok := barge.AsTaskError(err); !ok || te.Fault == barge.FaultTask {
		if !ok {
			r.log.Warn("an executor failed a task with an error that is no *barge.TaskError; the job's attempt fails", "job_id", j.ID, "error", err)
		}
		r.finish(ctx, j, spec, fail)
		return
	}
	ctx = context.WithoutCancel(ctx)
	r.log.Warn("the task did not run, for a failure of the infrastructure; its job goes back to RUNNABLE", "job_id", j.ID, "task_id", a.taskID, "error", err)
	// Nothing more is placed on the executor until a Ping says it can
	// start tasks again (Watch), so that a failing engine is not fed job
	// after job.
	r.setHealth(a.exec, err)
	// Whatever the executor made of the task goes: its next attempt has a
	// task of its own.
	r.remove(ctx, a.exec, a.taskID)
	back, jerr := r.cfg.Jobs.NotStarted(ctx, j, "Waiting for its task to start again: "+err.Error())
	if jerr != nil {
		r.log.Error("sending a job whose task did not run back to RUNNABLE failed", "job_id", j.ID, "error", jerr)
		return
	}
	if !back {
		// Terminated meanwhile (it fails), replaced or ended (left as
		// it is): AttemptEnded tells them apart.
		r.finish(ctx, j, spec, fail)
	}
}

// waitAgain sends back to RUNNABLE, without using an attempt, a job placed
// on a compute environment whose cluster cannot run tasks (placed just
// before it went, or recovered): the scheduler places it again once it
// can. A job terminated meanwhile fails.
func (r *Runner) waitAgain(ctx context.Context, j *barge.Job, spec *barge.JobSpec, u unreachable) {
	back, err := r.cfg.Jobs.NotStarted(context.WithoutCancel(ctx), j, "Waiting for its task to start again: "+u.Error())
	if err != nil {
		r.log.Error("sending a job whose task did not run back to RUNNABLE failed", "job_id", j.ID, "error", err)
		return
	}
	if !back {
		r.finish(ctx, j, spec, outcome{res: barge.TaskResult{Reason: u.Error()}, statusReason: reasonFailedToStart})
	}
}

// How often Watch asks the executors whether they answer: less often while
// all do than while one does not.
const (
	pingEvery     = 5 * time.Second
	pingEveryDown = time.Second
)

// health is what the runner knows of whether its executors can start
// tasks.
type health struct {
	mu   sync.Mutex
	down map[barge.Executor]string // executor → why it cannot start tasks now
	// unremoved are the tasks, by executor, whose Remove failed (their
	// engine did not answer): removed again once it does.
	unremoved map[barge.Executor][]string
}

// Watch asks each executor whether it can start tasks (Ping), until ctx
// ends: every pingEvery, and every pingEveryDown while one cannot. The
// scheduler places nothing on the compute environments of an executor that
// cannot (Unavailable), and is woken when it can again.
//
// Every Config.SweepEvery it also removes, from each executor that
// answers, the tasks that belong to no unfinished attempt (sweep).
func (r *Runner) Watch(ctx context.Context) error {
	sweepEvery := cmp.Or(r.cfg.SweepEvery, DefaultSweepEvery)
	lastSweep := time.Now()
	strays := map[barge.Executor]map[string]bool{}
	for {
		every := pingEvery
		sweeping := time.Since(lastSweep) >= sweepEvery
		if sweeping {
			lastSweep = time.Now()
		}
		for _, x := range r.executors() {
			if r.setHealth(x, x.Ping(ctx)) != "" {
				every = pingEveryDown
				continue
			}
			r.health.mu.Lock()
			ids := r.health.unremoved[x]
			delete(r.health.unremoved, x)
			r.health.mu.Unlock()
			for _, id := range ids {
				r.remove(ctx, x, id)
			}
			if sweeping {
				strays[x] = r.sweep(ctx, x, strays[x])
			}
		}
		every = min(every, sweepEvery)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

// Unavailable returns why the executor of compute environment ce cannot
// start tasks now, "" when it can (or when ce's tag names no executor: that
// fails each job as it starts).
func (r *Runner) Unavailable(ce *barge.ComputeEnvironment) string {
	x, err := r.executorFor(ce)
	var u unreachable
	if errors.As(err, &u) {
		return "barge cannot run tasks on its Kubernetes cluster: " + u.Error()
	}
	if err != nil {
		return ""
	}
	if why := r.downWhy(x); why != "" {
		return fmt.Sprintf("barge's %s executor cannot start tasks: %s", x.Name(), why)
	}
	return ""
}

// Connecting reports whether the executor of compute environment ce is a
// Kubernetes cluster that barge is connecting to for the first time: it
// cannot start tasks yet, but most likely will within seconds, so the
// scheduler does not pass its jobs on to the compute environments after
// it meanwhile (a cluster that fails to connect is simply unavailable).
func (r *Runner) Connecting(ce *barge.ComputeEnvironment) bool {
	cluster, ns, ok := r.clusterOf(ce)
	return ok && r.cfg.Clusters.Connecting(cluster, ns)
}

// downWhy returns why x cannot start tasks, "" when it can.
func (r *Runner) downWhy(x barge.Executor) string {
	r.health.mu.Lock()
	defer r.health.mu.Unlock()
	return r.health.down[x]
}

// setHealth records whether x can start tasks (err nil) or not, logs a
// change, and wakes the scheduler when x can again. It returns why x
// cannot, "" when it can.
func (r *Runner) setHealth(x barge.Executor, err error) string {
	why := ""
	if err != nil {
		why = err.Error()
	}
	r.health.mu.Lock()
	if r.health.down == nil {
		r.health.down = map[barge.Executor]string{}
	}
	was := r.health.down[x]
	if why == "" {
		delete(r.health.down, x)
	} else {
		r.health.down[x] = why
	}
	r.health.mu.Unlock()
	switch {
	case was == "" && why != "":
		r.log.Warn("executor cannot start tasks: nothing is placed on its compute environments until it can", "executor", x.Name(), "error", why)
	case was != "" && why == "":
		r.log.Info("executor can start tasks again", "executor", x.Name())
		if r.cfg.ExecutorUp != nil {
			r.cfg.ExecutorUp()
		}
	}
	return why
}

// remove removes the task taskID from executor x; when that fails, Watch
// removes it once x answers again, so that an engine's restart leaves no
// task behind.
func (r *Runner) remove(ctx context.Context, x barge.Executor, taskID string) {
	err := x.Remove(context.WithoutCancel(ctx), taskID)
	if err == nil {
		return
	}
	r.cfg.OnExecutorError("remove")
	r.log.Warn("removing a task failed; it is removed again once its executor answers", "task_id", taskID, "error", err)
	r.health.mu.Lock()
	if r.health.unremoved == nil {
		r.health.unremoved = map[barge.Executor][]string{}
	}
	r.health.unremoved[x] = append(r.health.unremoved[x], taskID)
	r.health.mu.Unlock()
}

// Host returns the host that the executor of compute environment ce runs
// its tasks on, named by the executor, and what its tasks may hold there at
// once, overcommit included; for an executor on a cluster (ClusterSized),
// the cluster and what its nodes have free now; an unbounded capacity for
// executors whose capacity is neither (simulate, or a tag naming no
// executor).
func (r *Runner) Host(ce *barge.ComputeEnvironment) (string, barge.HostCapacity) {
	x, err := r.executorFor(ce)
	if err != nil {
		return "", barge.HostCapacity{}
	}
	if cs, ok := x.(barge.ClusterSized); ok {
		c := cs.ClusterCapacity()
		if c.Cluster == "" {
			return x.Name(), barge.HostCapacity{} // capacity unknown: unbounded
		}
		return c.Cluster, c
	}
	hs, ok := x.(barge.HostSized)
	if !ok {
		return x.Name(), barge.HostCapacity{}
	}
	c := hs.HostCapacity()
	if r.cfg.HostCapacity.Bounded() {
		c = r.cfg.HostCapacity
	}
	c.CPUOvercommit, c.MemoryOvercommit = cmp.Or(r.cfg.CPUOvercommit, 1), cmp.Or(r.cfg.MemoryOvercommit, 1)
	c.VCPU *= c.CPUOvercommit
	c.MemoryMiB = int(float64(c.MemoryMiB) * c.MemoryOvercommit)
	return x.Name(), c
}
