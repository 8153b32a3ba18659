package kubernetes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bargehq/barge"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Defaults of ClustersOptions.
const (
	// DefaultConnectTimeout bounds one attempt to connect to a cluster.
	DefaultConnectTimeout = 15 * time.Second
	// DefaultRetry is how long Clusters waits after a failed connection
	// before a request for the cluster tries again.
	DefaultRetry = 10 * time.Second
)

// ClustersOptions configure Clusters.
type ClustersOptions struct {
	// Kubeconfig is the kubeconfig's path, or several joined by the
	// system's list separator as in $KUBECONFIG; "" means $KUBECONFIG,
	// else ~/.kube/config.
	Kubeconfig string
	// Context is the default cluster, the kubeconfig context that a
	// request for cluster "" means; "" means the kubeconfig's
	// current-context.
	Context string
	// Namespace is the namespace that a request for namespace "" on the
	// default cluster means; "" means the context's namespace, else
	// "default". On any other cluster "" means its context's namespace,
	// else "default".
	Namespace string
	// Executor is what each cluster's Executor is made with; its Config
	// and Namespace are set per cluster.
	Executor Options
	// ConnectTimeout bounds one connection attempt; 0 means
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Retry is how long a failed connection is reported before a request
	// tries again; 0 means DefaultRetry.
	Retry time.Duration
	// OnConnected, when set, is called after a connection made in the
	// background succeeds: tasks may now be placed there.
	OnConnected func()
	// Log receives the registry's messages; nil discards them.
	Log *slog.Logger
}

// Clusters is the registry of the clusters of one kubeconfig that barge
// runs tasks on: one Executor (one informer) per cluster and namespace,
// made when first asked for and kept until Close. A cluster is named by its
// kubeconfig context. Its methods are safe for concurrent use.
type Clusters struct {
	opts ClustersOptions
	log  *slog.Logger
	ctx  context.Context // ends at Close: connections in the background stop
	stop context.CancelFunc

	mu       sync.Mutex
	requests map[clusterKey]*connection // by the names asked for ("" for defaults)
	byTarget map[clusterKey]*Executor   // by context and namespace, resolved
	all      []*Executor                // in the order they connected
	closed   bool
}

// clusterKey names a namespace on a cluster.
type clusterKey struct{ cluster, namespace string }

// connection is what is known of one requested cluster and namespace.
type connection struct {
	exec    *Executor
	err     error         // of the last attempt, while exec is nil
	until   time.Time     // err is reported without a new attempt until then
	running chan struct{} // closed when the attempt under way ends; nil if none
}

// NewClusters returns a registry of the clusters of opts.Kubeconfig. It
// connects to none: Executor and Connect do, and the kubeconfig is read at
// each connection attempt, so that a kubeconfig fixed after a failure is
// taken up without a restart.
func NewClusters(opts ClustersOptions) *Clusters {
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.Retry <= 0 {
		opts.Retry = DefaultRetry
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Executor.Log == nil {
		opts.Executor.Log = log
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Clusters{opts: opts, log: log, ctx: ctx, stop: stop,
		requests: map[clusterKey]*connection{}, byTarget: map[clusterKey]*Executor{}}
}

// Executor returns the executor of namespace on cluster (a kubeconfig
// context; "" for either means the default), or why there is none now. It
// never blocks: a cluster not connected yet is connected in the background,
// and the error says so until it is; a failed connection is tried again
// after ClustersOptions.Retry.
func (c *Clusters) Executor(cluster, namespace string) (barge.Executor, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn, ok := c.requests[clusterKey{cluster, namespace}]
	switch {
	case ok && conn.exec != nil:
		return conn.exec, nil
	case ok && conn.running != nil:
	case ok && time.Now().Before(conn.until):
		return nil, conn.err
	default:
		conn = c.startLocked(cluster, namespace)
	}
	if conn.err != nil {
		return nil, conn.err // the last attempt's, while the next one runs
	}
	return nil, fmt.Errorf("connecting to %s", describe(cluster, namespace))
}

// Connect returns the executor of namespace on cluster, connecting to it
// now if need be and waiting until that ends or ctx does.
func (c *Clusters) Connect(ctx context.Context, cluster, namespace string) (barge.Executor, error) {
	c.mu.Lock()
	conn, ok := c.requests[clusterKey{cluster, namespace}]
	if !ok || (conn.exec == nil && conn.running == nil) {
		conn = c.startLocked(cluster, namespace)
	}
	running := conn.running
	c.mu.Unlock()
	if running != nil {
		select {
		case <-running:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if conn.exec != nil {
		return conn.exec, nil
	}
	return nil, conn.err
}

// Wait returns the executor of namespace on cluster once it is connected,
// however long that takes: it connects as Connect does and, after a failed
// attempt, tries again after ClustersOptions.Retry. It returns early only
// when ctx ends or Close is called. After a restart, barge waits so for
// the clusters that run its unfinished attempts.
func (c *Clusters) Wait(ctx context.Context, cluster, namespace string) (barge.Executor, error) {
	for {
		x, err := c.Connect(ctx, cluster, namespace)
		if err == nil {
			return x, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c.mu.Lock()
		closed, until := c.closed, c.requests[clusterKey{cluster, namespace}].until
		c.mu.Unlock()
		if closed {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-c.ctx.Done():
			return nil, err
		case <-time.After(max(time.Until(until), 0)):
		}
	}
}

// Connecting reports whether the first attempt to connect to namespace on
// cluster is under way: it was asked for, and no attempt has succeeded or
// failed yet.
func (c *Clusters) Connecting(cluster, namespace string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn, ok := c.requests[clusterKey{cluster, namespace}]
	return ok && conn.exec == nil && conn.running != nil && conn.err == nil
}

// Executors returns the executors connected so far.
func (c *Clusters) Executors() []barge.Executor {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]barge.Executor, len(c.all))
	for i, e := range c.all {
		out[i] = e
	}
	return out
}

// Close stops connections under way and closes every executor; their Pods
// run on.
func (c *Clusters) Close() error {
	c.stop()
	c.mu.Lock()
	c.closed = true
	all := c.all
	c.mu.Unlock()
	for _, e := range all {
		e.Close()
	}
	return nil
}

// startLocked starts a connection attempt for cluster and namespace in the
// background, under c.mu, and returns its record.
func (c *Clusters) startLocked(cluster, namespace string) *connection {
	key := clusterKey{cluster, namespace}
	conn, ok := c.requests[key]
	if !ok {
		conn = &connection{}
		c.requests[key] = conn
	}
	if c.closed {
		conn.err = errors.New("barge is shutting down")
		return conn
	}
	conn.running = make(chan struct{})
	go c.connect(key, conn)
	return conn
}

// connect makes one connection attempt for key and records its outcome.
func (c *Clusters) connect(key clusterKey, conn *connection) {
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.ConnectTimeout)
	defer cancel()
	e, target, err := c.open(ctx, key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if e != nil {
			e.Close()
		}
		if conn.err == nil || conn.err.Error() != err.Error() {
			c.log.Warn("kubernetes: cannot run tasks on "+describe(key.cluster, key.namespace)+": compute environments there wait until it can",
				"error", err.Error())
		}
		conn.err, conn.until = err, time.Now().Add(c.opts.Retry)
		close(conn.running)
		conn.running = nil
		return
	}
	if have, ok := c.byTarget[target]; ok {
		if have != e {
			e.Close() // another request for the same namespace won: one informer each
		}
		e = have
	} else {
		c.byTarget[target] = e
		c.all = append(c.all, e)
	}
	conn.exec, conn.err = e, nil
	close(conn.running)
	conn.running = nil
	if c.opts.OnConnected != nil {
		go c.opts.OnConnected()
	}
}

// open reads the kubeconfig and connects an executor to key's cluster and
// namespace, which it returns resolved.
func (c *Clusters) open(ctx context.Context, key clusterKey) (*Executor, clusterKey, error) {
	raw, err := c.kubeconfig()
	if err != nil {
		return nil, key, err
	}
	name := key.cluster
	if name == "" {
		name = c.opts.Context
	}
	if name == "" {
		name = raw.CurrentContext
	}
	if name == "" {
		return nil, key, fmt.Errorf("the kubeconfig (%s) has no current-context; name one with --kube-context", c.paths())
	}
	kctx, ok := raw.Contexts[name]
	if !ok {
		return nil, key, fmt.Errorf("the kubeconfig (%s) has no context %q", c.paths(), name)
	}
	ns := key.namespace
	if ns == "" && key.cluster == "" {
		ns = c.opts.Namespace
	}
	if ns == "" {
		ns = kctx.Namespace
	}
	if ns == "" {
		ns = "default"
	}
	target := clusterKey{name, ns}
	c.mu.Lock()
	have, ok := c.byTarget[target]
	c.mu.Unlock()
	if ok {
		return have, target, nil
	}
	cfg, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	if err != nil {
		return nil, target, fmt.Errorf("kubeconfig context %q: %w", name, err)
	}
	opts := c.opts.Executor
	opts.Config, opts.Namespace = cfg, ns
	// Executors of several namespaces of one context share its capacity.
	opts.Cluster = name
	opts.Log = opts.Log.With("kube_context", name, "kube_namespace", ns)
	e, err := New(ctx, opts)
	if err != nil {
		return nil, target, fmt.Errorf("kubeconfig context %q: %w", name, err)
	}
	return e, target, nil
}

// kubeconfig reads the kubeconfig, merged as kubectl merges it.
func (c *Clusters) kubeconfig() (*clientcmdapi.Config, error) {
	rules := c.rules()
	raw, err := rules.Load()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	if len(raw.Contexts) == 0 {
		return nil, fmt.Errorf("no kubeconfig with a context at %s; set --kubeconfig or $KUBECONFIG", c.paths())
	}
	return raw, nil
}

// rules are where the kubeconfig is read from.
func (c *Clusters) rules() *clientcmd.ClientConfigLoadingRules {
	if c.opts.Kubeconfig != "" {
		return &clientcmd.ClientConfigLoadingRules{Precedence: filepath.SplitList(c.opts.Kubeconfig)}
	}
	return clientcmd.NewDefaultClientConfigLoadingRules()
}

// paths names the files the kubeconfig is read from.
func (c *Clusters) paths() string {
	ps := c.rules().Precedence
	if len(ps) == 0 {
		return "no file"
	}
	return strings.Join(ps, string(os.PathListSeparator))
}

// describe names a requested cluster and namespace for messages.
func describe(cluster, namespace string) string {
	c, ns := cluster, namespace
	if c == "" {
		c = "the default context"
	} else {
		c = fmt.Sprintf("context %q", c)
	}
	if ns == "" {
		ns = "its namespace"
	} else {
		ns = fmt.Sprintf("namespace %q", ns)
	}
	return fmt.Sprintf("the Kubernetes cluster of %s, %s", c, ns)
}
