// Package control is barge's AWS Batch control plane, apart from any wire:
// compute environments, job queues, job definitions and scheduling policies
// (their validation, the caches SubmitJob reads them through, and the
// reconcile loop that moves them out of CREATING, UPDATING and DELETING),
// and jobs: submit, describe, list, cancel and terminate, tags and costs.
// Its operations take AWS's request shapes and answer barge's own types;
// internal/batch puts them on the wire and the console calls them directly.
// Every change of a job's status goes through the jobstate.Lifecycle it is
// given.
package control

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/jobstate"
)

// Store is what the control plane needs from the durable store.
type Store interface {
	CreateComputeEnvironment(ctx context.Context, ce *barge.ComputeEnvironment) error
	GetComputeEnvironment(ctx context.Context, name string) (*barge.ComputeEnvironment, error)
	ListComputeEnvironments(ctx context.Context, after string, limit int) ([]*barge.ComputeEnvironment, error)
	PutComputeEnvironment(ctx context.Context, ce *barge.ComputeEnvironment) error
	DeleteComputeEnvironment(ctx context.Context, name string) error

	CreateJobQueue(ctx context.Context, q *barge.JobQueue) error
	GetJobQueue(ctx context.Context, name string) (*barge.JobQueue, error)
	ListJobQueues(ctx context.Context, after string, limit int) ([]*barge.JobQueue, error)
	PutJobQueue(ctx context.Context, q *barge.JobQueue) error
	DeleteJobQueue(ctx context.Context, name string) error

	CreateSchedulingPolicy(ctx context.Context, p *barge.SchedulingPolicy) error
	GetSchedulingPolicy(ctx context.Context, name string) (*barge.SchedulingPolicy, error)
	ListSchedulingPolicies(ctx context.Context, after string, limit int) ([]*barge.SchedulingPolicy, error)
	PutSchedulingPolicy(ctx context.Context, p *barge.SchedulingPolicy) error
	DeleteSchedulingPolicy(ctx context.Context, name string) error

	RegisterJobDefinition(ctx context.Context, d *barge.JobDefinition) error
	GetJobDefinition(ctx context.Context, name string, revision int) (*barge.JobDefinition, error)
	LatestActiveJobDefinition(ctx context.Context, name string) (*barge.JobDefinition, error)
	ListJobDefinitions(ctx context.Context, q barge.JobDefinitionQuery) ([]*barge.JobDefinition, error)
	PutJobDefinition(ctx context.Context, d *barge.JobDefinition) error

	GetJobs(ctx context.Context, ids []string) ([]*barge.Job, error)
	ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error)
	CountChildren(ctx context.Context, parent string) (map[barge.JobStatus]int, error)
}

// Config configures the control plane.
type Config struct {
	Store Store
	// Jobs changes jobs' statuses: submit, cancel, terminate, tags and the
	// deletion of queues go through it.
	Jobs  *jobstate.Lifecycle
	Scope barge.Scope
	Log   *slog.Logger
	Now   func() time.Time
	NewID func() string // job and resource UUIDs; defaults to time-ordered UUIDs (v7)
	// Wake tells the scheduler that jobs, queues or compute environments
	// changed; nil when nothing schedules.
	Wake func()
	// InterruptSpot interrupts the Fargate Spot task of a running job
	// (barge's InterruptSpotTask); nil when nothing runs.
	InterruptSpot func(ctx context.Context, jobID string) error
	// ExecutorNote is what the executor cannot honour, shown in the
	// statusReason of every VALID compute environment; "" when nothing.
	ExecutorNote string
	// Waits says why RUNNABLE jobs wait and shows queues' fronts; nil when
	// nothing schedules.
	Waits Waits
	// Starting says why STARTING jobs wait for their task to run (a Pod no
	// node can take yet); nil when nothing runs.
	Starting Starting
	// Unavailable says why the executor of a compute environment cannot
	// start tasks now, "" when it can: the statusReason of a VALID compute
	// environment then says so. nil when nothing runs.
	Unavailable func(ce *barge.ComputeEnvironment) string
	// UnknownNetwork returns those of subnets and groups (EC2 IDs) that
	// barge's EC2 does not know; a Fargate compute environment that names
	// some still becomes VALID and works, and its statusReason says so.
	// nil when nothing checks.
	UnknownNetwork func(ctx context.Context, subnets, groups []string) ([]string, error)

	// Prices prices finished jobs' bargeCost; nil means
	// barge.DefaultPrices. CostDays answers POST /v1/barge/costs; nil
	// answers that no totals are kept.
	Prices   *barge.PriceTable
	CostDays func(ctx context.Context, queue string, days int) ([]CostDay, error)
}

// Service is the control plane: the AWS Batch operations, typed.
type Service struct {
	store Store
	scope barge.Scope
	log   *slog.Logger
	now   func() time.Time
	newID func() string

	wake     func()
	waits    Waits
	starting Starting
	prices   barge.PriceTable
	costDays func(ctx context.Context, queue string, days int) ([]CostDay, error)
	cache    *submitCache
	jobs     *jobstate.Lifecycle
	healthy  string // statusReason of a VALID compute environment
	// unavailable is Config.Unavailable (never nil).
	unavailable func(ce *barge.ComputeEnvironment) string
	note        string // what the executor cannot honour; "" when nothing

	unknownNetwork func(ctx context.Context, subnets, groups []string) ([]string, error)

	// mu serialises control-plane changes (compute environments, queues,
	// policies, definitions), whose rules span several resources: a queue
	// may not name a compute environment being deleted. They are rare;
	// SubmitJob and job changes do not take it.
	mu sync.Mutex

	// interruptSpot is Config.InterruptSpot (nil when nothing runs).
	interruptSpot func(ctx context.Context, jobID string) error

	// reconcile wakes the loop that moves compute environments and queues
	// out of CREATING, UPDATING and DELETING.
	reconcile chan struct{}
}

// New returns the control plane.
func New(cfg Config) *Service {
	cache := newSubmitCache()
	s := &Service{
		store:     cachingStore{Store: cfg.Store, cache: cache},
		cache:     cache,
		scope:     cfg.Scope,
		log:       cfg.Log,
		now:       cfg.Now,
		newID:     cfg.NewID,
		wake:      cfg.Wake,
		jobs:      cfg.Jobs,
		waits:     cfg.Waits,
		starting:  cfg.Starting,
		reconcile: make(chan struct{}, 1),
	}
	s.interruptSpot = cfg.InterruptSpot
	s.unavailable = cfg.Unavailable
	if s.unavailable == nil {
		s.unavailable = func(*barge.ComputeEnvironment) string { return "" }
	}
	s.prices, s.costDays = barge.DefaultPrices(), cfg.CostDays
	if cfg.Prices != nil {
		s.prices = *cfg.Prices
	}
	s.healthy, s.note, s.unknownNetwork = ceHealthy, cfg.ExecutorNote, cfg.UnknownNetwork
	if s.note != "" {
		s.healthy = barge.FitReason(ceHealthy+" (barge: %s)", s.note)
	}
	if s.wake == nil {
		s.wake = func() {}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = func() string { return awsproto.NewUUIDv7(s.now()) }
	}
	return s
}

func (s *Service) nowMillis() int64 { return s.now().UnixMilli() }

// kick wakes the reconcile loop without blocking.
func (s *Service) kick() {
	select {
	case s.reconcile <- struct{}{}:
	default:
	}
}
