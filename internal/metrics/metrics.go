// Package metrics is barge's Prometheus instrumentation: what the server
// exports at /metrics, and the small functions the other parts call (through
// hooks cmd/barge wires, and the job bus) to feed it. docs/METRICS.md lists every metric.
//
// Nothing here is global: each Metrics has its own registry, so tests and
// several servers in one process do not share counters.
package metrics

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/bargehq/barge"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// JobCounter knows how many jobs of a queue are in each status: the job
// feed. The bool is false while the counts are not known yet.
type JobCounter interface {
	Counts(queue string) (map[barge.JobStatus]int, bool)
}

// ComputeEnvironment is what the vCPU gauges report of one compute
// environment.
type ComputeEnvironment struct {
	Name     string
	MaxVCPUs float64
}

// Config configures Metrics.
type Config struct {
	// Now is the clock job timestamps are taken by (createdAt, startedAt,
	// ...): time.Now unless a test simulates time.
	Now func() time.Time
}

// Gauges is what Metrics reads from the rest of the server at scrape time.
// They are given to ReadGauges once those parts exist, which is after the
// store has to be told where its commits go (Commit).
type Gauges struct {
	// Jobs gives the jobs per status of a queue; nil exports no job gauges.
	Jobs JobCounter
	// Queues lists the job queues' names.
	Queues func(ctx context.Context) ([]string, error)
	// ComputeEnvironments lists the compute environments.
	ComputeEnvironments func(ctx context.Context) ([]ComputeEnvironment, error)
	// Used returns the vCPUs that placed jobs hold on a compute
	// environment, and false when this server does not know them (it does
	// not lead, and has no live leader's published view): then no sample
	// is exported rather than a wrong zero.
	Used func(ce string) (float64, bool)
	// Leader, when set, reports whether this server leads (runs the
	// scheduler and the jobs) among those sharing its database.
	Leader func() bool
	// ScrapeTimeout bounds the listing of queues and compute environments
	// in one scrape; five seconds when 0.
	ScrapeTimeout time.Duration
}

// Metrics holds barge's metrics. Its methods are safe for concurrent use.
type Metrics struct {
	cfg Config
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	commitDuration  prometheus.Histogram
	commitSize      prometheus.Histogram
	taskStart       *prometheus.HistogramVec
	executorErrors  *prometheus.CounterVec
	submitted       *prometheus.CounterVec
	finished        *prometheus.CounterVec
	stateDuration   *prometheus.HistogramVec

	states stateClock
}

// New returns the metrics of one server, registered with a registry of their
// own along with the Go runtime's and the process's.
func New(cfg Config) *Metrics {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Metrics{
		cfg: cfg,
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "barge_api_requests_total",
			Help: "API requests answered, by AWS service, operation and the AWS error type returned (none for success).",
		}, []string{"service", "operation", "error_code"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "barge_api_request_duration_seconds",
			Help:    "Time to answer an API request, from its first byte read to its response written, by AWS service and operation.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 14), // 0.5 ms .. 75 s
		}, []string{"service", "operation"}),
		commitDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "barge_store_commit_duration_seconds",
			Help:    "Time of each store write transaction, BEGIN to COMMIT (the disk sync included).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14), // 0.1 ms .. 15 s
		}),
		commitSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "barge_store_commit_writes",
			Help:    "Writes committed together in each store write transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11), // 1 .. 1024, the writer's bound
		}),
		taskStart: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "barge_task_start_duration_seconds",
			Help:    "Time from the runner taking a placed attempt to its container (or process) started, by compute environment.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 14), // 1 ms .. 150 s
		}, []string{"compute_environment"}),
		executorErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "barge_executor_errors_total",
			Help: "Failed calls to the executor (Docker, processes, simulation), by operation: start, wait, stop, remove, logs, list.",
		}, []string{"operation"}),
		submitted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "barge_jobs_submitted_total",
			Help: "Jobs submitted (SubmitJob calls that created a job; array children not counted), by job queue.",
		}, []string{"queue"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "barge_jobs_finished_total",
			Help: "Jobs that reached SUCCEEDED or FAILED (array children included), by job queue and status.",
		}, []string{"queue", "status"}),
		stateDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "barge_job_state_duration_seconds",
			Help:    "Time a job spent in a status before leaving it, by job queue and status; see docs/METRICS.md for how each status is measured.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 12), // 10 ms .. 11.6 h
		}, []string{"queue", "status"}),
	}
	m.states.entered = map[string]int64{}
	m.reg.MustRegister(m.requests, m.requestDuration, m.commitDuration, m.commitSize, m.taskStart,
		m.executorErrors, m.submitted, m.finished, m.stateDuration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ReadGauges exports, from now on, the gauges g reads at each scrape. Call
// it once.
func (m *Metrics) ReadGauges(g Gauges) {
	if g.ScrapeTimeout == 0 {
		g.ScrapeTimeout = 5 * time.Second
	}
	m.reg.MustRegister(scrapeCollector{g})
}

// Handler serves the metrics in Prometheus's text (or OpenMetrics) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry returns the registry the metrics are registered with.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Request records one answered API request. An empty operation (the request
// reached no operation: a bad signature, an unknown path) is "unknown", an
// empty service "none" and an empty error code "none".
func (m *Metrics) Request(service, operation, errorCode string, d time.Duration) {
	service = orElse(service, "none")
	operation = orElse(operation, "unknown")
	m.requests.WithLabelValues(service, operation, orElse(errorCode, "none")).Inc()
	m.requestDuration.WithLabelValues(service, operation).Observe(d.Seconds())
}

// Commit records one store write transaction that took d and committed n
// writes.
func (m *Metrics) Commit(d time.Duration, n int) {
	m.commitDuration.Observe(d.Seconds())
	m.commitSize.Observe(float64(n))
}

// TaskStarted records that an attempt placed on compute environment ce took d
// to get its task started.
func (m *Metrics) TaskStarted(d time.Duration, ce string) {
	m.taskStart.WithLabelValues(ce).Observe(d.Seconds())
}

// ExecutorError records a failed executor call.
func (m *Metrics) ExecutorError(op string) {
	m.executorErrors.WithLabelValues(op).Inc()
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// scrapeCollector exports, at each scrape, the gauges read from the rest of
// the server: jobs per queue and status, and vCPUs per compute environment.
type scrapeCollector struct{ g Gauges }

var (
	jobsDesc = prometheus.NewDesc("barge_jobs",
		"Jobs in a job queue by status: top-level jobs, as ListJobs lists them (an array job counts once, its children not).",
		[]string{"queue", "status"}, nil)
	vcpusUsedDesc = prometheus.NewDesc("barge_compute_environment_vcpus_used",
		"vCPUs that STARTING and RUNNING jobs hold on a compute environment.",
		[]string{"compute_environment"}, nil)
	vcpusMaxDesc = prometheus.NewDesc("barge_compute_environment_vcpus_max",
		"A compute environment's maxvCpus.",
		[]string{"compute_environment"}, nil)
	leaderDesc = prometheus.NewDesc("barge_leader",
		"1 while this server leads (runs the scheduler, the jobs and the reconcilers), 0 while another server sharing its database does.",
		nil, nil)
)

func (c scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- vcpusUsedDesc
	ch <- vcpusMaxDesc
	ch <- leaderDesc
}

func (c scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	cfg := c.g
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ScrapeTimeout)
	defer cancel()
	leading := cfg.Leader == nil || cfg.Leader()
	if cfg.Leader != nil {
		v := 0.0
		if leading {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(leaderDesc, prometheus.GaugeValue, v)
	}
	if cfg.Jobs != nil && cfg.Queues != nil {
		queues, err := cfg.Queues(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		}
		for _, q := range queues {
			counts, ok := cfg.Jobs.Counts(q)
			if !ok {
				continue // not known yet: no sample rather than a wrong zero
			}
			for _, s := range barge.JobStatuses {
				ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(counts[s]), q, string(s))
			}
		}
	}
	if cfg.ComputeEnvironments != nil {
		ces, err := cfg.ComputeEnvironments(ctx)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(vcpusMaxDesc, err)
		}
		for _, ce := range ces {
			ch <- prometheus.MustNewConstMetric(vcpusMaxDesc, prometheus.GaugeValue, ce.MaxVCPUs, ce.Name)
			if cfg.Used == nil {
				continue
			}
			if used, ok := cfg.Used(ce.Name); ok {
				ch <- prometheus.MustNewConstMetric(vcpusUsedDesc, prometheus.GaugeValue, used, ce.Name)
			}
		}
	}
}

// stateClock remembers when jobs entered the statuses whose start their
// fields do not record: STARTING, and RUNNABLE after PENDING. It holds at most
// maxEntered jobs; a job beyond that is not measured in that status.
type stateClock struct {
	mu      sync.Mutex
	entered map[string]int64 // job ID → when it entered its current status, ms
}

// maxEntered bounds the stateClock. STARTING jobs are bounded by capacity;
// jobs that left PENDING wait in RUNNABLE and could be many.
const maxEntered = 100_000
