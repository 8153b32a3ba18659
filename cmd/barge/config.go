package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/executor/simulate"
)

// Config is the server's configuration: defaults, then BARGE_* environment
// variables, then flags.
type Config struct {
	Listen    string // --listen, BARGE_LISTEN
	DataDir   string // --data, BARGE_DATA
	Region    string // --region, BARGE_REGION
	AccountID string // --account-id, BARGE_ACCOUNT_ID
	Executor  string // --executor, BARGE_EXECUTOR
	// Kubeconfig, KubeContext and KubeNamespace name the default
	// Kubernetes cluster: of --executor kubernetes, and of compute
	// environments tagged barge:executor=kubernetes without a
	// barge:kube-context tag (docs/KUBERNETES.md). "" means $KUBECONFIG
	// else ~/.kube/config, its current-context, and the context's
	// namespace else "default".
	Kubeconfig      string // --kubeconfig, BARGE_KUBECONFIG
	KubeContext     string // --kube-context, BARGE_KUBE_CONTEXT
	KubeNamespace   string // --kube-namespace, BARGE_KUBE_NAMESPACE
	LogLevel        string // --log-level, BARGE_LOG_LEVEL
	Webhooks        string // --webhooks, BARGE_WEBHOOKS: the webhook configuration file (docs/EVENTS.md)
	AccessKeyID     string // BARGE_ACCESS_KEY_ID (environment only: secrets stay off the command line)
	SecretAccessKey string // BARGE_SECRET_ACCESS_KEY
	// MetricsListen is where GET /metrics is served, unauthenticated: ""
	// for the API's own address, "off" for nowhere, else an address of its
	// own (docs/METRICS.md).
	MetricsListen string // --metrics-listen, BARGE_METRICS_LISTEN
	Prices        string // --prices, BARGE_PRICES: a price table file (docs/COST.md); "" for the defaults
	// CPUOvercommit and MemoryOvercommit multiply the host's allocatable
	// cores and memory that the docker and process executors place jobs
	// within (docs/SCHEDULING.md).
	CPUOvercommit    float64 // --cpu-overcommit, BARGE_CPU_OVERCOMMIT
	MemoryOvercommit float64 // --memory-overcommit, BARGE_MEMORY_OVERCOMMIT

	// Hold keeps every job where it is: nothing is placed or run. The
	// control-plane tests use it to look at jobs that wait; no flag sets it.
	Hold bool
	// SimulateClock, when set, is the time simulated tasks run by, the
	// time the runner stamps attempts with, and the scheduler's clock
	// (time-limit actions, fair-share decay); tests advance it. No flag
	// sets it.
	SimulateClock simulate.Clock
	// JobSecond is how long a second lasts in job timeouts
	// (attemptDurationSeconds), stop grace periods and the Spot
	// interruption tags: a real second when 0. The end-to-end tests shorten
	// it so that AWS's 60-second minimum timeout passes in a moment; no
	// flag sets it.
	JobSecond time.Duration
	// DockerHost is the Docker engine's address for --executor docker
	// (and auto), e.g. "unix:///tmp/x/docker.sock": DOCKER_HOST, or the
	// default socket, when "". The fault tests point it at a private
	// engine; no flag sets it.
	DockerHost string
	// HostCapacity, when bounded, replaces the host capacity the docker
	// and process executors detect (before overcommit), so that tests can
	// fill a small host; no flag sets it.
	HostCapacity barge.HostCapacity
	// WebhookRetryBase is the delay before a failed webhook delivery's
	// first retry: a second when 0. Tests shorten it; no flag sets it.
	WebhookRetryBase time.Duration
}

// DefaultCPUOvercommit is --cpu-overcommit's default. CPU is compressible:
// a task's vCPUs are a quota, so tasks that together ask for more cores
// than the host has share them and run slower, where memory asked beyond
// the host's gets tasks (or the host) killed. Batch jobs often wait on I/O,
// so a host runs four times its cores' worth of jobs by default; memory
// is not overcommitted.
const DefaultCPUOvercommit = 4

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Listen:    "127.0.0.1:8420",
		DataDir:   "barge-data",
		Region:    "us-east-1",
		AccountID: "123456789012",
		Executor:  "auto",
		LogLevel:  "info",

		CPUOvercommit:    DefaultCPUOvercommit,
		MemoryOvercommit: 1,
	}
}

// ParseConfig reads the environment (getenv) and then the flags in args.
func ParseConfig(args []string, getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	for _, e := range []struct {
		name string
		dst  *string
	}{
		{"BARGE_LISTEN", &c.Listen}, {"BARGE_DATA", &c.DataDir}, {"BARGE_REGION", &c.Region},
		{"BARGE_ACCOUNT_ID", &c.AccountID}, {"BARGE_EXECUTOR", &c.Executor}, {"BARGE_LOG_LEVEL", &c.LogLevel},
		{"BARGE_WEBHOOKS", &c.Webhooks}, {"BARGE_ACCESS_KEY_ID", &c.AccessKeyID}, {"BARGE_SECRET_ACCESS_KEY", &c.SecretAccessKey},
		{"BARGE_METRICS_LISTEN", &c.MetricsListen},
		{"BARGE_PRICES", &c.Prices},
		{"BARGE_KUBECONFIG", &c.Kubeconfig}, {"BARGE_KUBE_CONTEXT", &c.KubeContext}, {"BARGE_KUBE_NAMESPACE", &c.KubeNamespace},
	} {
		if v := getenv(e.name); v != "" {
			*e.dst = v
		}
	}
	for _, e := range []struct {
		name string
		dst  *float64
	}{{"BARGE_CPU_OVERCOMMIT", &c.CPUOvercommit}, {"BARGE_MEMORY_OVERCOMMIT", &c.MemoryOvercommit}} {
		if v := getenv(e.name); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return Config{}, fmt.Errorf("%s %q: want a number, such as 1.5", e.name, v)
			}
			*e.dst = f
		}
	}
	fs := flag.NewFlagSet("barge server", flag.ContinueOnError)
	fs.Float64Var(&c.CPUOvercommit, "cpu-overcommit", c.CPUOvercommit, "the docker and process executors run jobs of at most this many times the host's cores in vCPUs at once (BARGE_CPU_OVERCOMMIT; docs/SCHEDULING.md)")
	fs.Float64Var(&c.MemoryOvercommit, "memory-overcommit", c.MemoryOvercommit, "the docker and process executors run jobs of at most this many times the host's memory (less a reserve) at once (BARGE_MEMORY_OVERCOMMIT; docs/SCHEDULING.md)")
	fs.StringVar(&c.Listen, "listen", c.Listen, "address to serve the API on (BARGE_LISTEN)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "directory for barge's state (BARGE_DATA)")
	fs.StringVar(&c.Region, "region", c.Region, "AWS region the server answers for (BARGE_REGION)")
	fs.StringVar(&c.AccountID, "account-id", c.AccountID, "12-digit AWS account ID in ARNs (BARGE_ACCOUNT_ID)")
	fs.StringVar(&c.Executor, "executor", c.Executor, "where jobs run: auto, docker, process, kubernetes or simulate (BARGE_EXECUTOR); a compute environment tagged barge:executor=simulate is simulated on any (docs/SIMULATE.md), one tagged barge:executor=kubernetes runs on Kubernetes (docs/KUBERNETES.md)")
	fs.StringVar(&c.Kubeconfig, "kubeconfig", c.Kubeconfig, "the kubeconfig of the Kubernetes clusters jobs may run on (BARGE_KUBECONFIG; default $KUBECONFIG, else ~/.kube/config)")
	fs.StringVar(&c.KubeContext, "kube-context", c.KubeContext, "the kubeconfig context of the default Kubernetes cluster (BARGE_KUBE_CONTEXT; default its current-context)")
	fs.StringVar(&c.KubeNamespace, "kube-namespace", c.KubeNamespace, "the namespace Pods run in on the default Kubernetes cluster (BARGE_KUBE_NAMESPACE; default the context's, else default)")
	fs.StringVar(&c.Webhooks, "webhooks", c.Webhooks, "JSON file of webhooks to POST job state change events to (BARGE_WEBHOOKS; docs/EVENTS.md)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (BARGE_LOG_LEVEL)")
	fs.StringVar(&c.MetricsListen, "metrics-listen", c.MetricsListen, "address to serve Prometheus metrics (GET /metrics, unauthenticated) on instead of the API's address, or off (BARGE_METRICS_LISTEN; docs/METRICS.md)")
	fs.StringVar(&c.Prices, "prices", c.Prices, "JSON price table replacing the us-east-1 Fargate prices jobs' costs use (BARGE_PRICES; docs/COST.md)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.Validate()
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// Validate reports the first invalid field by its flag name.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("--listen %q: want host:port, such as 127.0.0.1:8420", c.Listen)
	}
	if c.MetricsListen != "" && c.MetricsListen != "off" {
		if _, _, err := net.SplitHostPort(c.MetricsListen); err != nil {
			return fmt.Errorf("--metrics-listen %q: want host:port, such as 127.0.0.1:9420, or off", c.MetricsListen)
		}
	}
	if !(c.CPUOvercommit > 0 && c.CPUOvercommit <= 1000) {
		return fmt.Errorf("--cpu-overcommit %v: want a factor above 0, such as 4 (the default) or 1", c.CPUOvercommit)
	}
	if !(c.MemoryOvercommit > 0 && c.MemoryOvercommit <= 1000) {
		return fmt.Errorf("--memory-overcommit %v: want a factor above 0, such as 1 (the default) or 1.5", c.MemoryOvercommit)
	}
	if c.DataDir == "" {
		return fmt.Errorf("--data: a directory is required")
	}
	if !regionRE.MatchString(c.Region) {
		return fmt.Errorf("--region %q: want an AWS region name such as us-east-1", c.Region)
	}
	if !accountRE.MatchString(c.AccountID) {
		return fmt.Errorf("--account-id %q: want 12 digits, such as 123456789012", c.AccountID)
	}
	switch c.Executor {
	case "auto", "docker", "process", "kubernetes", "simulate":
	default:
		return fmt.Errorf("--executor %q: want auto, docker, process, kubernetes or simulate", c.Executor)
	}
	switch strings.ToLower(c.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return fmt.Errorf("BARGE_ACCESS_KEY_ID and BARGE_SECRET_ACCESS_KEY must be set together")
	}
	if _, err := c.PriceTable(); err != nil {
		return err
	}
	return nil
}

// PriceTable returns the prices jobs' costs use: the file --prices names,
// or barge.DefaultPrices.
func (c Config) PriceTable() (barge.PriceTable, error) {
	if c.Prices == "" {
		return barge.DefaultPrices(), nil
	}
	f, err := os.Open(c.Prices)
	if err != nil {
		return barge.PriceTable{}, fmt.Errorf("--prices: %w", err)
	}
	defer f.Close()
	p, err := barge.ParsePriceTable(f)
	if err != nil {
		return barge.PriceTable{}, fmt.Errorf("--prices %s: %w", c.Prices, err)
	}
	return p, nil
}
