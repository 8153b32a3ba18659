// Command barge is serverless batch on your own machines: a server speaking
// the AWS Batch API, so the aws CLI and the AWS SDKs work against it with
// only an endpoint URL.
//
// Usage:
//
//	barge server [--listen 127.0.0.1:8420] [--data DIR] [--region us-east-1]
//	             [--account-id 123456789012] [--executor auto|docker|process|simulate]
//	barge version
//	barge jobs|submit|wait|queues|ces|status ... (the client commands: see docs/CLI.md)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/batch"
	"github.com/bargehq/barge/internal/console"
	"github.com/bargehq/barge/internal/control"
	"github.com/bargehq/barge/internal/costs"
	"github.com/bargehq/barge/internal/ec2"
	"github.com/bargehq/barge/internal/ecs"
	"github.com/bargehq/barge/internal/executor/kubernetes"
	"github.com/bargehq/barge/internal/iam"
	"github.com/bargehq/barge/internal/iamservice"
	"github.com/bargehq/barge/internal/jobbus"
	"github.com/bargehq/barge/internal/jobfeed"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/logs"
	"github.com/bargehq/barge/internal/logservice"
	"github.com/bargehq/barge/internal/metrics"
	"github.com/bargehq/barge/internal/runner"
	"github.com/bargehq/barge/internal/scheduler"
	"github.com/bargehq/barge/internal/server"
	"github.com/bargehq/barge/internal/sigv4"
	"github.com/bargehq/barge/internal/store"
	"github.com/bargehq/barge/internal/sts"
	"github.com/bargehq/barge/internal/webhooks"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if code, ok := runClient(os.Args[1:]); ok {
		os.Exit(code)
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "barge:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	args = commandFirst(args)
	if len(args) == 0 {
		return errors.New("usage: barge server [flags] | barge version | barge jobs|submit|wait|queues|ces|status ... (barge server -h lists the flags; docs/CLI.md the client commands)")
	}
	switch args[0] {
	case "version":
		fmt.Println("barge", version)
		return nil
	case "server":
		cfg, err := ParseConfig(args[1:], os.Getenv)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		if err != nil {
			return err
		}
		tuneGC(os.Getenv)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		m := NewMain(cfg, os.Stdout, os.Stderr)
		if err := m.Run(ctx); err != nil {
			return err
		}
		<-ctx.Done()
		m.log.Info("shutting down")
		return m.Close()
	}
	return fmt.Errorf("unknown command %q: want server, version, jobs, submit, wait, queues, ces or status", args[0])
}

// Main is the barge server program, runnable in-process by tests.
type Main struct {
	Config Config
	// Addr is the address the server listens on, known once Run returns.
	Addr string
	// Credentials are the root credentials the server accepts.
	Credentials Credentials
	// MetricsAddr is the address /metrics is served on when
	// --metrics-listen gives one of its own, known once Run returns.
	MetricsAddr string

	// Feed follows job changes: live counts and job state change events.
	// Set by Run.
	Feed *jobfeed.Feed
	// Costs keeps the cost of finished jobs per queue and day. Set by Run.
	Costs *costs.Totals

	stdout io.Writer
	log    *slog.Logger
	store  *store.Store
	exec   executor   // where jobs run
	others []executor // where the jobs of tagged compute environments run (simulate)
	// clusters are the Kubernetes clusters compute environments may run
	// on (nil for --executor simulate).
	clusters *kubernetes.Clusters
	runner   *runner.Runner
	http     *http.Server
	// metricsHTTP serves /metrics on --metrics-listen; nil otherwise.
	metricsHTTP *http.Server
	cancel      context.CancelFunc
	wg          sync.WaitGroup
	term        atomic.Int64 // the leader lease's term held, 0 for none (shared databases only)
	id          string       // this server's ID in the leader lease and the job change log
	fresh       freshConns
}

// freshConns tracks connections that have not sent a byte yet. Shutdown
// waits up to five seconds for such a connection's first request; a client
// that pooled a connection it never used would hold Close up that long, so
// Close closes them first. No request is lost: none had started.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (f *freshConns) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateNew {
		if f.conns == nil {
			f.conns = map[net.Conn]struct{}{}
		}
		f.conns[c] = struct{}{}
		return
	}
	delete(f.conns, c)
}

func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
	}
}

// NewMain returns a program for cfg that prints to stdout and logs to stderr.
func NewMain(cfg Config, stdout, stderr io.Writer) *Main {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	return &Main{
		Config: cfg,
		stdout: stdout,
		log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
}

// Run opens the store, starts the API and background loops, and returns once
// the server accepts API calls.
func (m *Main) Run(ctx context.Context) (err error) {
	start := time.Now()
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return fmt.Errorf("--data %s: %w", m.Config.DataDir, err)
	}
	if err := m.loadCredentials(); err != nil {
		return err
	}
	scope := barge.Scope{Region: m.Config.Region, Account: m.Config.AccountID}
	var now func() time.Time // the runner's and scheduler's clock: the time package's, unless a test simulates time
	if m.Config.SimulateClock != nil {
		now = m.Config.SimulateClock.Now
	}
	prices, err := m.Config.PriceTable()
	if err != nil {
		return err
	}
	var hookList []webhooks.Hook
	if m.Config.Webhooks != "" {
		if hookList, err = webhooks.Load(m.Config.Webhooks, scope); err != nil {
			return fmt.Errorf("--webhooks: %w", err)
		}
	}
	// The store publishes the job changes of each durable write on the
	// bus, in commit order; their followers subscribe below, before
	// anything writes a job.
	var jobs jobbus.Bus
	met := metrics.New(metrics.Config{Now: now})
	database, where := filepath.Join(m.Config.DataDir, "barge.db"), "in "+m.Config.DataDir
	m.id = newHolderID()
	var changeLog string // this server's ID in the job change log of a shared database
	if m.shared() {
		// The store's error names the database, without its password.
		database, where = m.Config.DatabaseURL, "(--database-url)"
		changeLog = m.id
	}
	m.store, err = store.Open(ctx, database, store.Options{Logger: m.log,
		OnJobsWritten: jobs.Publish, OnCommit: met.Commit, ChangeLog: changeLog})
	if err != nil {
		return fmt.Errorf("open store %s: %w", where, err)
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	// The scheduler has work when a cluster connects; it is made below.
	var sched *scheduler.Scheduler
	var made atomic.Pointer[scheduler.Scheduler]
	m.exec, m.others, m.clusters, err = openExecutors(ctx, m.Config, m.log, func() {
		if s := made.Load(); s != nil {
			s.Kick()
		}
	})
	if err != nil {
		return err
	}
	iamSvc := iamservice.New(iamservice.Config{Store: m.store, Account: scope.Account, Partition: scope.Partition(), Log: m.log, NewID: awsproto.NewUUID})
	logSvc := logservice.New(logservice.Config{Store: m.store, Scope: scope, Log: m.log})
	ec2API := ec2.New(ec2.Config{Store: m.store, Scope: scope, Log: m.log})
	if err := ec2API.Init(ctx); err != nil {
		return fmt.Errorf("creating the default VPC: %w", err)
	}
	// The runner and the scheduler call each other: the scheduler hands
	// the runner what it placed, the runner gives back the capacity. The
	// one owner of jobs' statuses wakes the one and stops the tasks of the
	// other.
	var run *runner.Runner
	life := jobstate.New(jobstate.Config{Store: m.store, Now: now,
		Wake:     func() { sched.Kick() },
		StopTask: func(ctx context.Context, id string) { run.StopJob(ctx, id) }})
	var clusters runner.Clusters
	if m.clusters != nil {
		clusters = m.clusters
	}
	run = runner.New(runner.Config{
		Store: m.store, Jobs: life, Executor: m.exec, Executors: barges(m.others), Clusters: clusters, Logs: logSvc, Roles: iamSvc, Scope: scope, Log: m.log, Now: now,
		ExecutorUp:    func() { sched.Kick() },
		Released:      func(ce string, vcpu float64, mem int) { sched.Release(ce, vcpu, mem) },
		CPUOvercommit: m.Config.CPUOvercommit, MemoryOvercommit: m.Config.MemoryOvercommit, HostCapacity: m.Config.HostCapacity,
		Second:        m.Config.JobSecond,
		OnTaskStarted: met.TaskStarted, OnExecutorError: met.ExecutorError,
		Unhurried: true,
	})
	m.runner = run
	sched = scheduler.New(scheduler.Config{Store: m.store, Jobs: life, Scope: scope, Log: m.log, Place: run.Place, Now: now, Unavailable: run.Unavailable, Connecting: run.Connecting, Host: run.Host,
		StartingReasons: run.StartingReasons})
	made.Store(sched)
	m.Costs = costs.New(costs.Options{Store: m.store, Prices: prices, Now: now, Log: m.log})
	// On a shared database the holder of the leader lease leads (below),
	// and the other servers give the reasons why jobs wait from the view
	// its scheduler publishes (waits.go).
	var (
		el     *elector
		loaded *loadedWaits
	)
	if m.shared() {
		el = &elector{store: m.store, id: m.id, log: m.log, onTerm: m.noteTerm}
		loaded = &loadedWaits{store: m.store, leading: m.Leading, term: el.liveTerm, log: m.log}
	}
	waits := serverWaits{Scheduler: sched, leading: m.Leading, loaded: loaded, starting: run}
	ctl := control.New(control.Config{Store: m.store, Jobs: life, Scope: scope, Log: m.log,
		Wake: sched.Kick, InterruptSpot: run.InterruptSpot, ExecutorNote: m.exec.Limitation(),
		Waits: waits, Starting: waits, Unavailable: run.Unavailable, Prices: &prices, CostDays: costDays(m.Costs), UnknownNetwork: ec2API.Unknown})
	batchAPI := batch.New(batch.Config{Control: ctl, Scope: scope, Log: m.log})
	m.Feed = jobfeed.New(jobfeed.Options{
		Scope: scope, Now: now, Log: m.log,
		Detail: func(j *barge.Job) ([]byte, error) { return batchAPI.JobDetailJSON(context.Background(), j) },
		Count:  m.store.CountJobsByQueue,
	})
	var leader func() bool // exported only on a shared database
	if m.shared() {
		leader = m.Leading
	}
	met.ReadGauges(gauges(m.store, m.Feed, waits.Used, leader))
	var hooks *webhooks.Dispatcher
	if m.Config.Webhooks != "" {
		hooks = webhooks.New(webhooks.Config{Hooks: hookList, Outbox: m.store, Event: m.Feed.Envelope, NewID: awsproto.NewUUID,
			Log: m.log, RetryBase: m.Config.WebhookRetryBase, Poll: webhookPoll(m.shared())})
	}
	// The metrics take each change before the feed does, so that a scrape
	// that sees the feed's counts sees the metrics of the same changes.
	// Each subscriber returns quickly and never waits for a store write.
	jobs.Subscribe(met.JobsWritten)
	jobs.Subscribe(m.Feed.Publish)
	jobs.Subscribe(m.Costs.Publish)
	if hooks != nil {
		jobs.Subscribe(hooks.Publish)
	}

	// Event streams last until their client goes: shutting down ends
	// them, or Shutdown would wait for them.
	stopEvents := make(chan struct{})
	secrets := map[string]string{m.Credentials.AccessKeyID: m.Credentials.SecretAccessKey}
	srv := server.New(server.Config{
		Log:    m.log,
		Region: m.Config.Region,
		Auth: server.SigV4{Verifier: &sigv4.Verifier{Lookup: func(id string) (string, bool) {
			s, ok := secrets[id]
			return s, ok
		}, Now: time.Now}},
		Batch:     batchAPI.Handler(),
		Logs:      logs.New(logSvc, m.log).Handler(),
		IAM:       iam.New(iamSvc, m.log).Handler(),
		STS:       sts.New(sts.Config{Scope: scope, Log: m.log}).Handler(),
		EC2:       ec2API.Handler(),
		ECS:       ecs.New(ecs.Config{Store: m.store, Scope: scope, Log: m.log}).Handler(),
		Events:    m.Feed.Handler(stopEvents),
		OnRequest: observeRequest(met),
		Metrics:   metricsOnAPI(m.Config, met),
	})
	// On a shared database the console's sessions are in it, so that a
	// browser may call any server; alone, they stay in memory.
	var sessions console.SessionStore
	if m.shared() {
		sessions = consoleSessions{m.store}
	}
	web := console.New(console.Config{Batch: ctl, Wire: batchAPI, Backend: consoleBackend{store: m.store, waits: waits}, Scope: scope,
		Lookup:   func(id string) (string, bool) { s, ok := secrets[id]; return s, ok },
		Sessions: sessions, Feed: m.Feed, Costs: m.Costs, Log: m.log, Now: now})

	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	// The leader's work: the scheduler, the runner and the reconcilers.
	// Before anything is placed, it counts the capacity running jobs hold,
	// then takes over their tasks, as after a restart; the loops it starts
	// stop when ctx ends.
	lead := func(ctx context.Context, wg *sync.WaitGroup) error {
		if err := sched.Init(ctx); err != nil {
			return fmt.Errorf("scheduler: %w", err)
		}
		if err := run.Warm(ctx); err != nil {
			return err
		}
		if m.Config.Hold {
			// Nothing runs: recover nothing either.
		} else if err := run.Recover(ctx); err != nil {
			return fmt.Errorf("recovering running jobs: %w", err)
		}
		loops := []func(context.Context) error{ctl.Run, logSvc.Run, run.Watch}
		if hooks != nil && m.shared() {
			loops = append(loops, hooks.Deliver) // every server records its changes' events (below)
		} else if hooks != nil {
			loops = append(loops, hooks.Run)
		}
		if !m.Config.Hold {
			loops = append(loops, sched.Run)
			if m.shared() {
				loops = append(loops, publishWaits(m.store, sched.PublishedView, m.log))
			}
		}
		m.startLoops(ctx, wg, loops)
		return nil
	}
	if !m.shared() {
		// One server on its own database leads for as long as it runs.
		if err := lead(bg, &m.wg); err != nil {
			return err
		}
	} else {
		// Several servers share the database: the one holding the lease
		// leads, each term's writes fenced by its token.
		el.lead = func(ctx context.Context) { m.leadTerm(ctx, lead) }
		// The other servers' job changes reach this one's event feed and
		// counts, and, while it leads, its scheduler and runner.
		fol := &follower{store: m.store, origin: m.id, log: m.log, leading: m.Leading,
			publish: func(changes []barge.JobChange) {
				m.Feed.Publish(changes)
				if !m.Leading() {
					return
				}
				sched.Kick()
				for _, c := range changes {
					if j := c.Job; j.IsTerminated && (j.Status == barge.JobStarting || j.Status == barge.JobRunning) {
						run.StopJob(bg, j.ID)
					}
				}
			}}
		if err := fol.start(ctx); err != nil {
			return fmt.Errorf("reading the job change log: %w", err)
		}
		m.startLoops(bg, &m.wg, []func(context.Context) error{el.Run, fol.Run, loaded.Run, forgetEvery(time.Second, ctl.ForgetCached)})
	}

	ln, err := net.Listen("tcp", m.Config.Listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", m.Config.Listen, err)
	}
	m.Addr = ln.Addr().String()
	// No server-wide ReadTimeout: it would also end /events streams. The
	// API server and the console set a deadline on each body they read.
	m.http = &http.Server{Handler: withConsole(srv, web), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn), ConnState: m.fresh.track}
	// Shutdown runs this once its listeners are closed, so no fresh
	// connection appears after it.
	m.http.RegisterOnShutdown(m.fresh.closeAll)
	m.http.RegisterOnShutdown(func() { close(stopEvents) })

	// Every server's own work: the followers of its own job changes.
	m.startLoops(bg, &m.wg, []func(context.Context) error{m.Feed.Run, m.Costs.Run})
	if hooks != nil && m.shared() {
		m.startLoops(bg, &m.wg, []func(context.Context) error{hooks.Record})
	}
	if m.Config.MetricsListen != "" && m.Config.MetricsListen != "off" {
		if err := m.serveMetrics(met.Handler()); err != nil {
			ln.Close()
			return err
		}
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("http server stopped", "error", err)
		}
	}()
	m.log.Info("barge is serving", "addr", m.Addr, "region", scope.Region, "account", scope.Account, "executor", m.exec.Name(),
		"data", m.Config.DataDir, "database", m.store.Database(), "startup", time.Since(start).Round(time.Millisecond))
	return nil
}

// shared reports whether the server keeps its state in a database that
// other servers may share: then only the holder of the leader lease leads.
func (m *Main) shared() bool { return m.Config.DatabaseURL != "" }

// noteTerm records the leader lease's term this server holds, 0 for none.
func (m *Main) noteTerm(token int64) { m.term.Store(token) }

// Leading reports whether this server now runs the scheduler, the runners
// and the reconcilers: always on a database of its own, while it holds the
// leader lease on a shared one.
func (m *Main) Leading() bool { return !m.shared() || m.term.Load() != 0 }

// startLoops runs each loop in a goroutine of wg's until ctx ends.
func (m *Main) startLoops(ctx context.Context, wg *sync.WaitGroup, loops []func(context.Context) error) {
	for _, loop := range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := loop(ctx); err != nil {
				m.log.Error("background loop stopped", "error", err)
			}
		}()
	}
}

// webhookPoll is how often the webhook delivery loop looks at the outbox
// when nothing wakes it: on a shared database other servers add to it.
func webhookPoll(shared bool) time.Duration {
	if shared {
		return time.Second
	}
	return 0 // the default
}

// forgetEvery returns a loop that calls forget every period: a server on a
// shared database forgets what it caches of what other servers may change.
func forgetEvery(period time.Duration, forget func()) func(context.Context) error {
	return func(ctx context.Context) error {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
				forget()
			}
		}
	}
}

// leadTerm does the leader's work (lead) for one term of the leader lease,
// until ctx ends with the term; then it waits for the work to stop. The
// tasks run on: the next leader adopts them, as after a restart.
func (m *Main) leadTerm(ctx context.Context, lead func(context.Context, *sync.WaitGroup) error) {
	for ctx.Err() == nil {
		// Each try has a context of its own, so that what a failed one
		// started (some adopted tasks, say) stops before the next begins.
		try, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		err := m.beginTerm()
		if err == nil {
			err = lead(try, &wg)
		}
		if err == nil {
			<-ctx.Done()
		}
		cancel()
		wg.Wait()
		m.runner.Wait()
		m.endTerm()
		if err != nil && ctx.Err() == nil {
			// An executor that cannot list its tasks, say: try again.
			m.log.Error("taking over as leader failed", "error", err)
			select {
			case <-ctx.Done():
			case <-time.After(leaseRenew):
			}
		}
	}
}

// endTerm closes the executors that only the leader may hold.
func (m *Main) endTerm() {
	for _, x := range append([]executor{m.exec}, m.others...) {
		if t, ok := x.(*termExecutor); ok {
			t.end()
		}
	}
}

// beginTerm opens the executors that only the leader may hold for a term.
func (m *Main) beginTerm() error {
	for _, x := range append([]executor{m.exec}, m.others...) {
		if t, ok := x.(*termExecutor); ok {
			if err := t.begin(); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadCredentials takes the root credentials from the configuration, or
// from the data directory, generating and printing them on first start.
func (m *Main) loadCredentials() error {
	if m.Config.AccessKeyID != "" {
		m.Credentials = Credentials{AccessKeyID: m.Config.AccessKeyID, SecretAccessKey: m.Config.SecretAccessKey}
		return nil
	}
	c, created, err := loadOrCreateCredentials(m.Config.DataDir)
	if err != nil {
		return err
	}
	m.Credentials = c
	if created {
		fmt.Fprintf(m.stdout, "barge generated root credentials (stored in %s, shown only this once):\n  export AWS_ACCESS_KEY_ID=%s\n  export AWS_SECRET_ACCESS_KEY=%s\n",
			filepath.Join(m.Config.DataDir, credentialsFile), c.AccessKeyID, c.SecretAccessKey)
	}
	return nil
}

// Close stops accepting requests, lets those in flight finish, stops the
// background loops and closes the store.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if m.http != nil {
		errs = append(errs, m.http.Shutdown(ctx))
	}
	if m.metricsHTTP != nil {
		errs = append(errs, m.metricsHTTP.Shutdown(ctx))
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.runner != nil {
		m.runner.Wait() // attempts stop following their tasks; the tasks run on
	}
	if m.exec != nil {
		errs = append(errs, m.exec.Close())
	}
	for _, x := range m.others {
		errs = append(errs, x.Close())
	}
	if m.clusters != nil {
		errs = append(errs, m.clusters.Close())
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}
