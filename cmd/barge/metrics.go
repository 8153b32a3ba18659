package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bargehq/barge/internal/metrics"
	"github.com/bargehq/barge/internal/server"
	"github.com/bargehq/barge/internal/store"
)

// listPage is how many queues or compute environments one store call
// lists for a scrape.
const listPage = 1000

// gauges returns what the metrics read at scrape time: the feed's job
// counts, the queues and compute environments the store lists, and the
// capacity the scheduler has placed (used: serverWaits.Used).
func gauges(st *store.Store, jobs metrics.JobCounter, used func(string) (float64, bool), leader func() bool) metrics.Gauges {
	return metrics.Gauges{
		Jobs: jobs,
		Queues: func(ctx context.Context) ([]string, error) {
			var names []string
			for after := ""; ; {
				qs, err := st.ListJobQueues(ctx, after, listPage)
				if err != nil {
					return names, err
				}
				for _, q := range qs {
					names = append(names, q.Name)
				}
				if len(qs) < listPage {
					return names, nil
				}
				after = qs[len(qs)-1].Name
			}
		},
		ComputeEnvironments: func(ctx context.Context) ([]metrics.ComputeEnvironment, error) {
			var out []metrics.ComputeEnvironment
			for after := ""; ; {
				ces, err := st.ListComputeEnvironments(ctx, after, listPage)
				if err != nil {
					return out, err
				}
				for _, ce := range ces {
					c := metrics.ComputeEnvironment{Name: ce.Name}
					if r := ce.ComputeResources; r != nil && r.MaxvCpus != nil {
						c.MaxVCPUs = float64(*r.MaxvCpus)
					}
					out = append(out, c)
				}
				if len(ces) < listPage {
					return out, nil
				}
				after = ces[len(ces)-1].Name
			}
		},
		Used:   used,
		Leader: leader,
	}
}

// observeRequest adapts the server's request hook to the metrics.
func observeRequest(met *metrics.Metrics) func(server.Request) {
	return func(r server.Request) { met.Request(r.Service, r.Operation, r.ErrorCode, r.Duration) }
}

// serveMetrics serves /metrics on an address of its own (--metrics-listen).
func (m *Main) serveMetrics(h http.Handler) error {
	ln, err := net.Listen("tcp", m.Config.MetricsListen)
	if err != nil {
		return fmt.Errorf("--metrics-listen %s: %w", m.Config.MetricsListen, err)
	}
	m.MetricsAddr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	m.metricsHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.metricsHTTP.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("metrics server stopped", "error", err)
		}
	}()
	return nil
}

// metricsOnAPI returns what the API's address serves at /metrics: the
// metrics, unless --metrics-listen moved them elsewhere or turned them off.
func metricsOnAPI(cfg Config, met *metrics.Metrics) http.Handler {
	if cfg.MetricsListen != "" {
		return nil
	}
	return met.Handler()
}
