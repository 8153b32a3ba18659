package scheduler

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/bargehq/barge"
)

// BenchmarkPublishedView measures what the leader pays each second to tell
// whether its view changed (the encoding), and a server that does not lead
// to load a new one, for 100 queues over 300 compute environments, and the
// published size.
func BenchmarkPublishedView(b *testing.B) {
	v := &view{queues: map[string]*queueView{}, known: map[string]*barge.ComputeEnvironment{}, down: map[string]string{}}
	used := map[string]float64{}
	for i := range 300 {
		maxv := 256
		name := fmt.Sprintf("compute-environment-%03d", i)
		v.known[name] = &barge.ComputeEnvironment{Name: name, State: barge.StateEnabled, Status: barge.StatusValid,
			ComputeResources: &barge.ComputeResource{Type: barge.CRFargate, MaxvCpus: &maxv}}
		used[name] = 128
	}
	for i := range 100 {
		q := &barge.JobQueue{Name: fmt.Sprintf("queue-%03d", i), State: barge.StateEnabled}
		qv := &queueView{queue: q}
		for j := range 3 {
			qv.ces = append(qv.ces, v.known[fmt.Sprintf("compute-environment-%03d", 3*i+j)])
		}
		v.queues[q.Name] = qv
	}
	r := reasons{v: v, used: used}
	body, _ := json.Marshal(encodeView(r))
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(encodeView(r))
		}
		b.ReportMetric(float64(len(body)), "bytes/view")
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, err := LoadView(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
