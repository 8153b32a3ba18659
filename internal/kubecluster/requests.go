package kubecluster

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// RequestCounter counts the requests a client sends to the API server, by
// verb and kind of path ("POST pods", "DELETE pods/NAME", "WATCH pods"),
// and records when the API server answered each Pod creation: the scale
// measurements wrap the client they measure with it (rest.Config.Wrap) or
// put it in a proxy in front of the API server.
type RequestCounter struct {
	mu      sync.Mutex
	counts  map[string]int64
	created []time.Time // when each Pod creation was answered 201 Created
}

// Wrap returns rt counting through c.
func (c *RequestCounter) Wrap(rt http.RoundTripper) http.RoundTripper {
	return countingTransport{rt: rt, c: c}
}

type countingTransport struct {
	rt http.RoundTripper
	c  *RequestCounter
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.Method + " " + pathKind(req.URL.Path)
	if req.URL.Query().Get("watch") == "true" {
		key = "WATCH " + pathKind(req.URL.Path)
	}
	resp, err := t.rt.RoundTrip(req)
	now := time.Now()
	t.c.mu.Lock()
	if t.c.counts == nil {
		t.c.counts = map[string]int64{}
	}
	t.c.counts[key]++
	if key == "POST pods" && err == nil && resp.StatusCode == http.StatusCreated {
		t.c.created = append(t.c.created, now)
	}
	t.c.mu.Unlock()
	return resp, err
}

// Counts returns the requests counted so far, by verb and kind of path.
func (c *RequestCounter) Counts() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// Created returns when each Pod creation was answered, in order.
func (c *RequestCounter) Created() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.created)
}

// CreationRate returns the Pod creations per second in times (as Created
// returns them): over all of them, first to last, and over the middle 80%
// (the 10th to the 90th percentile), the sustained rate without the ramps
// up and down.
func CreationRate(times []time.Time) (all, middle float64) {
	n := len(times)
	rate := func(i, j int) float64 {
		if j <= i || !times[j].After(times[i]) {
			return 0
		}
		return float64(j-i) / times[j].Sub(times[i]).Seconds()
	}
	if n < 2 {
		return 0, 0
	}
	return rate(0, n-1), rate(n/10, n-1-n/10)
}

// RequestsPer sums the requests counted between two Counts, and describes
// them by kind, each also per unit of work (per task, per attempt).
func RequestsPer(before, after map[string]int64, units int) (total int64, detail string) {
	var kinds []string
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			kinds = append(kinds, fmt.Sprintf("%s: %d (%.2f each)", k, d, float64(d)/float64(units)))
			total += d
		}
	}
	slices.Sort(kinds)
	return total, strings.Join(kinds, "; ")
}

// pathKind reduces an API path to its resource: /api/v1/namespaces/x/pods/y
// is "pods/NAME", .../pods/y/log "pods/NAME/log".
func pathKind(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range parts {
		if p == "pods" || p == "nodes" {
			out := p
			if i+1 < len(parts) {
				out += "/NAME"
			}
			if i+2 < len(parts) {
				out += "/" + strings.Join(parts[i+2:], "/")
			}
			return out
		}
	}
	return path
}

// LoadAverage returns the machine's load average over one minute, as
// /proc/loadavg says it, or "?".
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
