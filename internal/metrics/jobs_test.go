package metrics

import (
	"testing"
	"time"

	"github.com/bargehq/barge"
	dto "github.com/prometheus/client_model/go"
)

// TestJobStateDurations follows one job with a dependency through its
// statuses and a retry, and checks the time observed in each.
func TestJobStateDurations(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	m := New(Config{Now: func() time.Time { return now }})
	at := func(sec int64) { now = time.UnixMilli(1_000_000 + sec*1000) }
	j := &barge.Job{ID: "j", Queue: "q", Status: barge.JobPending, CreatedAt: 1_000_000,
		Spec: &barge.JobSpec{DependsOn: []barge.JobDependency{{JobID: "other"}}}}
	change := func(from, to barge.JobStatus) {
		c := *j
		c.Status = to
		*j = c
		m.JobsWritten([]barge.JobChange{{Job: &c, From: from}})
	}
	m.JobsWritten([]barge.JobChange{{Job: j}})
	at(5)
	change(barge.JobPending, barge.JobRunnable) // PENDING 5 s
	at(7)
	change(barge.JobRunnable, barge.JobStarting) // RUNNABLE 2 s
	at(8)
	j.StartedAt = now.UnixMilli()
	change(barge.JobStarting, barge.JobRunning) // STARTING 1 s
	at(18)
	j.Attempts = []barge.Attempt{{StartedAt: j.StartedAt, StoppedAt: now.UnixMilli()}}
	change(barge.JobRunning, barge.JobRunnable) // RUNNING 10 s; a retry
	at(22)
	change(barge.JobRunnable, barge.JobStarting) // RUNNABLE 4 s, from the attempt's stop

	want := map[barge.JobStatus][]float64{barge.JobPending: {5}, barge.JobRunnable: {2, 4}, barge.JobStarting: {1}, barge.JobRunning: {10}}
	for status, obs := range want {
		h := histogram(t, m, "q", status)
		sum := 0.0
		for _, o := range obs {
			sum += o
		}
		if h.GetSampleCount() != uint64(len(obs)) || h.GetSampleSum() != sum {
			t.Errorf("time in %s: %d observations summing to %v, want %v", status, h.GetSampleCount(), h.GetSampleSum(), obs)
		}
	}
	var c dto.Metric
	m.submitted.WithLabelValues("q").Write(&c)
	if c.Counter.GetValue() != 1 {
		t.Errorf("submitted = %v, want 1", c.Counter.GetValue())
	}
}

func histogram(t *testing.T, m *Metrics, queue string, status barge.JobStatus) *dto.Histogram {
	t.Helper()
	var d dto.Metric
	h, err := m.stateDuration.GetMetricWithLabelValues(queue, string(status))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.(interface{ Write(*dto.Metric) error }).Write(&d); err != nil {
		t.Fatal(err)
	}
	return d.Histogram
}
