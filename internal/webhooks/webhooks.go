// Package webhooks delivers job state change events to the webhooks of a
// configuration file: each matching event is POSTed as EventBridge's "Batch
// Job State Change" JSON, signed with the webhook's secret (HMAC-SHA256),
// at least once.
//
// The path of an event: the store publishes a job write on the job bus
// (internal/jobbus), to which Publish subscribes; Publish matches it
// against the webhooks and queues it in memory; Run writes the queued
// events to the outbox, a table of the store, and a delivery loop POSTs
// what the outbox holds, deleting a row on a 2xx answer and otherwise
// trying again later, with exponential backoff and jitter, across restarts,
// until it gives up after MaxAttempts attempts or MaxAge (logged).
//
// The guarantee is at least once for every event that reached the outbox.
// Two windows lose events: a change committed but not yet in the outbox
// when barge stops (a fraction of a second of changes), and, if the outbox
// writer falls more than Backlog events behind the store, the events that
// do not fit (logged, with their number). Events are not ordered: a retry
// comes after newer events; use the detail's status and the event time.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// The headers of a delivery.
const (
	HeaderSignature = "X-Barge-Signature" // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)
	HeaderTimestamp = "X-Barge-Timestamp" // Unix seconds when the attempt was signed
	HeaderEventID   = "X-Barge-Event-Id"  // the event's id, the same on every attempt
)

// Hook is one webhook of the configuration file.
type Hook struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
	// JobQueues, if any, are the queues (names or ARNs) whose jobs' events
	// it gets; none means every queue.
	JobQueues []string `json:"jobQueues,omitempty"`
	// Statuses, if any, are the statuses whose arrivals it gets; none
	// means every status.
	Statuses []barge.JobStatus `json:"statuses,omitempty"`
}

// Load reads a configuration file: a JSON list of hooks.
func Load(path string, scope barge.Scope) ([]Hook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var hooks []Hook
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hooks); err != nil {
		return nil, fmt.Errorf("%s: want a JSON list of {\"url\", \"secret\", \"jobQueues\", \"statuses\"}: %w", path, err)
	}
	for i := range hooks {
		h := &hooks[i]
		u, err := url.Parse(h.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s: webhook %d: url %q must be an http or https URL", path, i, h.URL)
		}
		if h.Secret == "" {
			return nil, fmt.Errorf("%s: webhook %s: secret is required (deliveries are signed with it)", path, h.URL)
		}
		for k, q := range h.JobQueues {
			name, ok := scope.NameFromRef(barge.KindJobQueue, q)
			if !ok {
				return nil, fmt.Errorf("%s: webhook %s: jobQueues: %q is neither a job queue name nor its ARN", path, h.URL, q)
			}
			h.JobQueues[k] = name
		}
		for _, st := range h.Statuses {
			if !st.Valid() {
				return nil, fmt.Errorf("%s: webhook %s: statuses: %q is not a job status (SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED)", path, h.URL, st)
			}
		}
	}
	return hooks, nil
}

// Sign returns the X-Barge-Signature value of body sent at timestamp (Unix
// seconds).
func Sign(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is body's at timestamp under secret, in
// constant time. (Receivers should also refuse a timestamp far from their
// clock, to refuse replays.)
func Verify(secret, timestamp, signature string, body []byte) bool {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, ts, body)), []byte(signature))
}

// Outbox is what the dispatcher needs of the store.
type Outbox interface {
	AddWebhookDeliveries(ctx context.Context, ds []barge.WebhookDelivery) error
	DueWebhookDeliveries(ctx context.Context, now int64, limit int) ([]barge.WebhookDelivery, error)
	NextWebhookDue(ctx context.Context) (int64, bool, error)
	FinishWebhookDeliveries(ctx context.Context, done []int64, retry []barge.WebhookDelivery) error
}

// Config configures a Dispatcher.
type Config struct {
	Hooks  []Hook
	Outbox Outbox
	// Event returns the EventBridge event JSON of job j's change, with
	// the given event ID and time (jobfeed.Feed.Envelope).
	Event func(id string, t time.Time, j *barge.Job) []byte
	// NewID returns an event ID.
	NewID func() string
	Log   *slog.Logger
	Now   func() time.Time // nil: time.Now
	// Client sends the deliveries; nil is a client with a 10-second
	// timeout.
	Client *http.Client

	// RetryBase is the first retry's delay (doubled on each retry, up to
	// RetryMax, with jitter); zero means 1 second.
	RetryBase time.Duration
	// RetryMax caps the delay between attempts; zero means 10 minutes.
	RetryMax time.Duration
	// MaxAttempts and MaxAge bound how long an event is tried: zero means
	// 20 attempts and 24 hours; whichever comes first gives up on it.
	MaxAttempts int
	MaxAge      time.Duration
	// Backlog bounds the events waiting in memory for the outbox; zero
	// means 65,536.
	Backlog int
	// Poll is the longest the delivery loop waits without looking at the
	// outbox; zero means a minute. Servers that share their database (and
	// so the outbox, whose rows each adds for the changes it made) set it
	// short, since another server's rows do not wake this one's loop.
	Poll time.Duration
}

// Dispatcher delivers events to webhooks.
type Dispatcher struct {
	cfg Config
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex
	queue   []queued
	dropped int
	wrote   chan struct{} // Publish queued something
	added   chan struct{} // the outbox has new rows
}

// queued is an event waiting for the outbox.
type queued struct {
	change barge.JobChange
	at     time.Time
	hooks  []int // indexes of the hooks it is for
}

// New returns a dispatcher; Run does its work.
func New(cfg Config) *Dispatcher {
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 10 * time.Minute
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 20
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = 1 << 16
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Minute
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	d := &Dispatcher{cfg: cfg, log: cfg.Log, now: cfg.Now,
		wrote: make(chan struct{}, 1), added: make(chan struct{}, 1)}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d
}

// Publish takes the jobs one store write changed (a subscriber of the
// job bus) and queues the changes of status some webhook wants. It never
// blocks: past Backlog queued events, it drops them and Run logs how many.
func (d *Dispatcher) Publish(changes []barge.JobChange) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range changes {
		if c.From == c.Job.Status {
			continue
		}
		var hooks []int
		for i, h := range d.cfg.Hooks {
			if h.wants(c.Job) {
				hooks = append(hooks, i)
			}
		}
		if len(hooks) == 0 {
			continue
		}
		if len(d.queue) >= d.cfg.Backlog {
			d.dropped++
			continue
		}
		d.queue = append(d.queue, queued{change: c, at: now, hooks: hooks})
	}
	signal(d.wrote)
}

func (h Hook) wants(j *barge.Job) bool {
	return (len(h.JobQueues) == 0 || slices.Contains(h.JobQueues, j.Queue)) && (len(h.Statuses) == 0 || slices.Contains(h.Statuses, j.Status))
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run writes queued events to the outbox and delivers the outbox, until ctx
// ends. Events still in memory then are lost (they are the few changes of
// the last moment).
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { d.deliverLoop(ctx) })
	defer wg.Wait()
	return d.Record(ctx)
}

// Deliver delivers the outbox until ctx ends: Run without Record, for the
// one server of those sharing a database that delivers what they all
// record, so that each event is delivered by one of them.
func (d *Dispatcher) Deliver(ctx context.Context) error {
	d.deliverLoop(ctx)
	return nil
}

// Record writes queued events to the outbox until ctx ends: Run without
// Deliver. Events still in memory then are lost.
func (d *Dispatcher) Record(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.wrote:
		}
		d.mu.Lock()
		queue, dropped := d.queue, d.dropped
		d.queue, d.dropped = nil, 0
		d.mu.Unlock()
		if dropped > 0 {
			d.log.Error("webhook events lost: the outbox fell behind the store", "lost", dropped)
		}
		if len(queue) == 0 {
			continue
		}
		var rows []barge.WebhookDelivery
		for _, q := range queue {
			id := d.cfg.NewID()
			body := d.cfg.Event(id, q.at, q.change.Job)
			if body == nil {
				continue
			}
			for _, i := range q.hooks {
				rows = append(rows, barge.WebhookDelivery{URL: d.cfg.Hooks[i].URL, EventID: id, Body: body,
					CreatedAt: q.at.UnixMilli(), NextAt: q.at.UnixMilli()})
			}
		}
		if err := d.cfg.Outbox.AddWebhookDeliveries(ctx, rows); err != nil {
			if ctx.Err() == nil {
				d.log.Error("webhook events lost: writing the outbox failed", "lost", len(rows), "error", err)
			}
			continue
		}
		signal(d.added)
	}
}

// batchSize is how many deliveries are attempted at once.
const batchSize = 16

// deliverLoop delivers what the outbox holds as it falls due.
func (d *Dispatcher) deliverLoop(ctx context.Context) {
	secrets := map[string]string{}
	for _, h := range d.cfg.Hooks {
		secrets[h.URL] = h.Secret
	}
	for ctx.Err() == nil {
		due, err := d.cfg.Outbox.DueWebhookDeliveries(ctx, d.now().UnixMilli(), batchSize)
		if err != nil {
			d.wait(ctx, time.Second, err)
			continue
		}
		if len(due) > 0 {
			d.attempt(ctx, due, secrets)
			continue
		}
		next, ok, err := d.cfg.Outbox.NextWebhookDue(ctx)
		wait := d.cfg.Poll
		if ok {
			wait = min(wait, time.Until(time.UnixMilli(next)))
		}
		d.wait(ctx, wait, err)
	}
}

// wait waits for up to dt, new outbox rows or ctx's end, logging err if any.
func (d *Dispatcher) wait(ctx context.Context, dt time.Duration, err error) {
	if err != nil && ctx.Err() == nil {
		d.log.Error("webhook outbox unreadable", "error", err)
	}
	t := time.NewTimer(max(dt, 0))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-d.added:
	case <-t.C:
	}
}

// attempt delivers due at once and records the outcomes.
func (d *Dispatcher) attempt(ctx context.Context, due []barge.WebhookDelivery, secrets map[string]string) {
	errs := make([]error, len(due))
	var wg sync.WaitGroup
	for i := range due {
		wg.Go(func() { errs[i] = d.post(ctx, due[i], secrets[due[i].URL]) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return // the attempts were cut short; they are still owed
	}
	now := d.now()
	var done []int64
	var retry []barge.WebhookDelivery
	for i, r := range due {
		switch {
		case errs[i] == nil:
			done = append(done, r.Seq)
		case secrets[r.URL] == "":
			d.log.Error("webhook delivery dropped: the webhook is no longer configured", "url", r.URL, "event_id", r.EventID)
			done = append(done, r.Seq)
		case r.Attempts+1 >= d.cfg.MaxAttempts || now.Sub(time.UnixMilli(r.CreatedAt)) >= d.cfg.MaxAge:
			d.log.Error("webhook delivery given up", "url", r.URL, "event_id", r.EventID, "attempts", r.Attempts+1, "error", errs[i])
			done = append(done, r.Seq)
		default:
			r.Attempts++
			r.NextAt = now.Add(d.backoff(r.Attempts)).UnixMilli()
			r.LastError = errs[i].Error()
			d.log.Debug("webhook delivery failed; will retry", "url", r.URL, "event_id", r.EventID, "attempts", r.Attempts, "error", errs[i])
			retry = append(retry, r)
		}
	}
	if err := d.cfg.Outbox.FinishWebhookDeliveries(ctx, done, retry); err != nil && ctx.Err() == nil {
		d.log.Error("webhook outbox not updated: deliveries will be repeated", "error", err)
	}
}

// backoff is the delay after the n-th failed attempt: RetryBase doubled
// n-1 times, at most RetryMax, less a random part of up to half of it, so
// that deliveries that failed together do not retry together.
func (d *Dispatcher) backoff(n int) time.Duration {
	dt := d.cfg.RetryMax
	if n-1 < 32 {
		dt = min(d.cfg.RetryBase<<(n-1), d.cfg.RetryMax)
	}
	return dt - time.Duration(rand.Int64N(int64(dt/2)+1))
}

// post sends one delivery; nil when the webhook answered 2xx.
func (d *Dispatcher) post(ctx context.Context, r barge.WebhookDelivery, secret string) error {
	if secret == "" {
		return fmt.Errorf("webhook %s is no longer configured", r.URL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return err
	}
	ts := d.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "barge-webhooks")
	req.Header.Set(HeaderEventID, r.EventID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(secret, ts, r.Body))
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
