package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// receiver is a webhook endpoint that checks every delivery's signature the
// way docs/EVENTS.md tells receivers to, and fails deliveries while asked.
type receiver struct {
	t      *testing.T
	secret string
	srv    *httptest.Server

	mu        sync.Mutex
	failNext  int            // fail this many more deliveries
	down      bool           // fail every delivery
	attempts  map[string]int // by event ID
	delivered []eventBridgeEvent
	got       chan struct{}
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{t: t, secret: secret, attempts: map[string]int{}, got: make(chan struct{}, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	ts := req.Header.Get("X-Barge-Timestamp")
	mac := hmac.New(sha256.New, []byte(r.secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(req.Header.Get("X-Barge-Signature"))) || ts == "" {
		r.t.Errorf("delivery signature %q (timestamp %q), want %q", req.Header.Get("X-Barge-Signature"), ts, want)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var e eventBridgeEvent
	if err := json.Unmarshal(body, &e); err != nil || e.ID != req.Header.Get("X-Barge-Event-Id") {
		r.t.Errorf("delivery body %s (%v), event id header %q", body, err, req.Header.Get("X-Barge-Event-Id"))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[e.ID]++
	if r.down || r.failNext > 0 {
		r.failNext--
		http.Error(w, "not now", http.StatusServiceUnavailable)
		r.got <- struct{}{}
		return
	}
	r.delivered = append(r.delivered, e)
	w.WriteHeader(http.StatusNoContent)
	r.got <- struct{}{}
}

// waitDelivered waits until n events are delivered and returns them.
func (r *receiver) waitDelivered(n int) []eventBridgeEvent {
	r.t.Helper()
	for {
		r.mu.Lock()
		if len(r.delivered) >= n {
			defer r.mu.Unlock()
			return append([]eventBridgeEvent(nil), r.delivered...)
		}
		r.mu.Unlock()
		select {
		case <-r.got:
		case <-time.After(30 * time.Second):
			r.t.Fatalf("no webhook delivery for 30 seconds; want %d delivered", n)
		}
	}
}

// writeWebhooks writes a --webhooks file.
func writeWebhooks(t *testing.T, hooks ...map[string]any) string {
	t.Helper()
	b, err := json.Marshal(hooks)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "webhooks.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func startWebhookServer(t *testing.T, dir, hooks string) *testServer {
	return startServerWith(t, dir, func(c *Config) {
		c.Executor = "simulate"
		c.Webhooks = hooks
		c.WebhookRetryBase = 10 * time.Millisecond
	})
}

// TestWebhookRetries: a webhook that fails its first two deliveries gets
// the event again until it takes it, every attempt signed; it gets only the
// queues and statuses it asked for.
func TestWebhookRetries(t *testing.T) {
	rcv := newReceiver(t, "s3cret")
	rcv.failNext = 2
	hooks := writeWebhooks(t, map[string]any{"url": rcv.srv.URL, "secret": "s3cret",
		"jobQueues": []string{"wh-queue"}, "statuses": []string{"SUCCEEDED", "FAILED"}})
	ts := startWebhookServer(t, "", hooks)
	c := ts.batch()
	simSetup(t, ts, "wh", 4, nil)
	simSetup(t, ts, "quiet", 4, nil)

	simSubmit(t, c, "quiet", "not-for-the-hook")
	id := simSubmit(t, c, "wh", "hooked")
	got := rcv.waitDelivered(1)
	e := got[0]
	if e.Detail.JobID != id || e.Detail.Status != "SUCCEEDED" || e.Source != "aws.batch" || e.DetailType != "Batch Job State Change" {
		t.Errorf("delivered %+v, want the SUCCEEDED event of %s", e, id)
	}
	rcv.mu.Lock()
	attempts := rcv.attempts[e.ID]
	rcv.mu.Unlock()
	if attempts != 3 {
		t.Errorf("event %s took %d attempts, want 3 (two failed)", e.ID, attempts)
	}
	// Another job of the hooked queue is delivered next: nothing of the
	// other queue, nor of the statuses it did not ask for, came between.
	waitJobStatus(t, c, simSubmit(t, c, "wh", "second"), "SUCCEEDED")
	if got := rcv.waitDelivered(2); len(got) != 2 || got[1].Detail.JobName != "second" {
		t.Errorf("deliveries %+v, want hooked then second only", got)
	}
}

// TestWebhookOutboxSurvivesRestart: events a webhook could not take before
// barge stopped are delivered after it starts again.
func TestWebhookOutboxSurvivesRestart(t *testing.T) {
	rcv := newReceiver(t, "k")
	rcv.down = true
	hooks := writeWebhooks(t, map[string]any{"url": rcv.srv.URL, "secret": "k", "statuses": []string{"SUCCEEDED"}})
	dir := t.TempDir()
	ts := startWebhookServer(t, dir, hooks)
	c := ts.batch()
	simSetup(t, ts, "rs", 4, nil)
	id := simSubmit(t, c, "rs", "owed")
	waitJobStatus(t, c, id, "SUCCEEDED")
	select {
	case <-rcv.got: // an attempt failed: the event is in the outbox
	case <-time.After(30 * time.Second):
		t.Fatal("no delivery attempt for 30 seconds")
	}
	ts.close()

	rcv.mu.Lock()
	rcv.down = false
	rcv.mu.Unlock()
	startWebhookServer(t, dir, hooks)
	got := rcv.waitDelivered(1)
	if got[0].Detail.JobID != id || got[0].Detail.Status != "SUCCEEDED" {
		t.Errorf("delivered after restart %+v, want the SUCCEEDED event of %s", got[0], id)
	}
}
