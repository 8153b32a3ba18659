package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/bargehq/barge/internal/executor/simulate"
)

// scrape GETs url, unsigned as Prometheus does, and parses the text format.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s = %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %s, want 200 OK", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing %s: %v", url, err)
	}
	return fams
}

// sample returns the metric of family name whose labels are exactly labels
// (given as name, value, ...), or nil.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel())*2 != len(labels) {
			continue
		}
		for _, l := range m.GetLabel() {
			found := false
			for i := 0; i+1 < len(labels); i += 2 {
				if labels[i] == l.GetName() && labels[i+1] == l.GetValue() {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}

// value returns a counter's or gauge's value, or -1 when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	m := sample(fams, name, labels...)
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return -1
}

// TestMetricsScrape: /metrics on the API address answers an unsigned
// scrape with what a user checks: jobs per queue and status, submissions,
// time in RUNNING, container start latency, API requests by operation and
// error code, vCPUs in use of the maximum, store commits.
func TestMetricsScrape(t *testing.T) {
	t0 := time.Now().Add(time.Minute).Truncate(time.Millisecond) // after the jobs are created
	clock := simulate.NewManualClock(t0)
	ts := startSimulateServer(t, "", clock)
	c := ts.batch()
	simSetup(t, ts, "met", 4, nil, "BARGE_SIMULATE_DURATION", "10m")
	url := ts.URL + "/metrics"
	const queue = "met-queue"

	var ids []string
	for i := range 3 {
		ids = append(ids, simSubmit(t, c, "met", fmt.Sprint("job", i)))
	}
	_, err := c.SubmitJob(context.Background(), &batch.SubmitJobInput{JobName: aws.String("nowhere"),
		JobQueue: aws.String("no-such-queue"), JobDefinition: aws.String("met-def")})
	wantClientError(t, err)
	for _, id := range ids {
		waitJobStatus(t, c, id, types.JobStatusRunning)
	}

	var fams map[string]*dto.MetricFamily
	pollUntil(t, func() string {
		return fmt.Sprintf("barge_jobs{RUNNING} = %v, vCPUs used = %v; want 3 and 1.5",
			value(fams, "barge_jobs", "queue", queue, "status", "RUNNING"),
			value(fams, "barge_compute_environment_vcpus_used", "compute_environment", "met"))
	}, func() bool {
		fams = scrape(t, url)
		return value(fams, "barge_jobs", "queue", queue, "status", "RUNNING") == 3 &&
			value(fams, "barge_compute_environment_vcpus_used", "compute_environment", "met") == 1.5
	})
	if got := value(fams, "barge_compute_environment_vcpus_max", "compute_environment", "met"); got != 4 {
		t.Errorf("barge_compute_environment_vcpus_max{met} = %v, want 4", got)
	}
	if m := sample(fams, "barge_task_start_duration_seconds", "compute_environment", "met"); m == nil || m.Histogram.GetSampleCount() != 3 {
		t.Errorf("barge_task_start_duration_seconds{met} = %v, want 3 observations", m)
	}

	clock.Advance(10 * time.Minute)
	for _, id := range ids {
		waitJobStatus(t, c, id, types.JobStatusSucceeded)
	}
	// A finished attempt releases its vCPUs just after its end is written.
	pollUntil(t, func() string {
		return fmt.Sprintf("barge_jobs{SUCCEEDED} = %v, vCPUs used = %v; want 3 and 0",
			value(fams, "barge_jobs", "queue", queue, "status", "SUCCEEDED"),
			value(fams, "barge_compute_environment_vcpus_used", "compute_environment", "met"))
	}, func() bool {
		fams = scrape(t, url)
		return value(fams, "barge_jobs", "queue", queue, "status", "SUCCEEDED") == 3 &&
			value(fams, "barge_compute_environment_vcpus_used", "compute_environment", "met") == 0
	})
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"barge_jobs", []string{"queue", queue, "status", "RUNNING"}, 0},
		{"barge_jobs_submitted_total", []string{"queue", queue}, 3},
		{"barge_jobs_finished_total", []string{"queue", queue, "status", "SUCCEEDED"}, 3},
		{"barge_api_requests_total", []string{"service", "batch", "operation", "SubmitJob", "error_code", "none"}, 3},
		{"barge_api_requests_total", []string{"service", "batch", "operation", "SubmitJob", "error_code", "ClientException"}, 1},
		{"barge_api_requests_total", []string{"service", "iam", "operation", "CreateRole", "error_code", "none"}, 1},
	} {
		if got := value(fams, tc.name, tc.labels...); got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	// Each job ran ten minutes of the simulated clock.
	if m := sample(fams, "barge_job_state_duration_seconds", "queue", queue, "status", "RUNNING"); m == nil ||
		m.Histogram.GetSampleCount() != 3 || m.Histogram.GetSampleSum() != 1800 {
		t.Errorf("barge_job_state_duration_seconds{RUNNING} = %v, want 3 observations of 600 s", m)
	}
	if m := sample(fams, "barge_api_request_duration_seconds", "service", "batch", "operation", "SubmitJob"); m == nil || m.Histogram.GetSampleCount() != 4 {
		t.Errorf("barge_api_request_duration_seconds{SubmitJob} = %v, want 4 observations", m)
	}
	if m := sample(fams, "barge_store_commit_duration_seconds"); m == nil || m.Histogram.GetSampleCount() == 0 {
		t.Errorf("barge_store_commit_duration_seconds = %v, want observations", m)
	}
}

// TestMetricsListen: --metrics-listen moves /metrics to an address of its
// own; the API address no longer serves it.
func TestMetricsListen(t *testing.T) {
	ts := startServerWith(t, "", func(c *Config) {
		c.Hold = true
		c.MetricsListen = "127.0.0.1:0"
	})
	createFargateCE(t, ts.batch(), "own", types.CRTypeFargate, 8)
	fams := scrape(t, "http://"+ts.main.MetricsAddr+"/metrics")
	if got := value(fams, "barge_compute_environment_vcpus_max", "compute_environment", "own"); got != 8 {
		t.Errorf("barge_compute_environment_vcpus_max{own} = %v, want 8", got)
	}
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the API address = %s, want 404 Not Found", resp.Status)
	}
}
