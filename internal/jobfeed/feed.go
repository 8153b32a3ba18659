// Package jobfeed follows the jobs the store writes: it keeps a few live
// numbers about them in memory (jobs per queue and status, jobs finished per
// minute) and fans their state changes out to subscribers as EventBridge
// "Batch Job State Change" events.
//
// The store publishes its job writes on the job bus (internal/jobbus), to
// which cmd/barge subscribes (*Feed).Publish. Publish does only in-memory work
// and never waits for a subscriber: the events are made (their JSON is the
// costly part) and handed out by Run, on a goroutine of its own, and a
// subscriber that does not keep up loses events rather than slowing anyone
// down. It is then told how many it lost by a gap marker, an Event whose Lost
// is set, before the next event it gets.
package jobfeed

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// Options configures a Feed.
type Options struct {
	// Detail returns a job as DescribeJobs shows it, as JSON: the detail
	// of the job's events. Nil leaves the detail an empty object.
	Detail func(*barge.Job) ([]byte, error)

	// Count returns the number of top-level jobs (array children left
	// out, as ListJobs does) per queue and status, from one query. Run
	// calls it once, in the background, to start Counts; nil leaves the
	// counts unknown.
	Count func(ctx context.Context) (map[string]map[barge.JobStatus]int, error)

	// Scope is the account and region events carry.
	Scope barge.Scope

	// Now is the feed's clock: the time of events and of the per-minute
	// counts. Nil means time.Now.
	Now func() time.Time

	// Log receives the feed's few messages. Nil discards them.
	Log *slog.Logger

	// Buffer is how many events a subscriber may fall behind before it
	// loses some. Zero means 1024.
	Buffer int

	// Backlog is how many job changes may wait for Run to make them into
	// events before subscribers lose some. Zero means 65,536.
	Backlog int
}

// Event is one job's change of status.
type Event struct {
	ID   string    // the EventBridge event ID, a random UUID
	Time time.Time // when the feed saw the change
	Job  *barge.Job
	From barge.JobStatus // "" for a new job
	To   barge.JobStatus
	// Detail is the EventBridge event, as JSON: source aws.batch,
	// detail-type "Batch Job State Change", detail the job as
	// DescribeJobs shows it.
	Detail []byte

	// Lost, on a gap marker, is how many events this subscriber missed
	// just before this one because it fell behind; the other fields are
	// then zero. Lost is zero on every other event.
	Lost int
}

// Feed follows job changes. Its methods are safe for concurrent use.
type Feed struct {
	opts Options
	now  func() time.Time
	log  *slog.Logger

	mu       sync.Mutex
	counts   map[string]map[barge.JobStatus]int // nil until known
	pending  map[string]map[barge.JobStatus]int // changes seen while the counts are read
	finished map[string]*minuteRing
	subs     map[*subscriber]struct{}
	queue    []barge.JobChange // changes waiting for Run to make events of them
	overflow int               // changes dropped from a full queue, not yet told to subscribers
	wake     chan struct{}
}

// subscriber is one Subscribe call's channel.
type subscriber struct {
	ch   chan Event
	lost int // events dropped since the last one delivered
}

// New returns a feed. Run makes its events and starts its counts.
func New(opts Options) *Feed {
	if opts.Buffer <= 0 {
		opts.Buffer = 1024
	}
	if opts.Backlog <= 0 {
		opts.Backlog = 1 << 16
	}
	f := &Feed{
		opts:     opts,
		now:      opts.Now,
		log:      opts.Log,
		finished: map[string]*minuteRing{},
		subs:     map[*subscriber]struct{}{},
		wake:     make(chan struct{}, 1),
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	return f
}

// Publish takes the jobs one store write changed: cmd/barge subscribes it
// to the job bus (internal/jobbus). It updates the counts and queues
// the changes of status for the subscribers, and never blocks on them.
func (f *Feed) Publish(changes []barge.JobChange) {
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range changes {
		j := c.Job
		if c.From == j.Status {
			continue // a write that changed no status: tags, a log stream
		}
		if j.ArrayParent == "" {
			counts := f.counts
			if counts == nil {
				counts = f.pending
			}
			if counts != nil {
				add(counts, j.Queue, c.From, -1)
				add(counts, j.Queue, j.Status, 1)
			}
		}
		if j.Status.Done() && j.ArrayParent == "" {
			r := f.finished[j.Queue]
			if r == nil {
				r = new(minuteRing)
				f.finished[j.Queue] = r
			}
			r.add(now)
		}
		if len(f.subs) == 0 {
			continue
		}
		if len(f.queue) >= f.opts.Backlog {
			f.overflow++
			continue
		}
		f.queue = append(f.queue, c)
	}
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// add adds n to the count of status in queue; an empty status is none.
func add(counts map[string]map[barge.JobStatus]int, queue string, status barge.JobStatus, n int) {
	if status == "" {
		return
	}
	q := counts[queue]
	if q == nil {
		q = map[barge.JobStatus]int{}
		counts[queue] = q
	}
	q[status] += n
}

// Subscribe returns a channel of the job state changes from now on, until
// ctx ends, when the channel is closed. A subscriber that falls more than
// Options.Buffer events behind loses the events that do not fit; the next
// event it gets is then a gap marker (Lost set) saying how many it lost.
// Events are made only while someone subscribes.
func (f *Feed) Subscribe(ctx context.Context) <-chan Event {
	s := &subscriber{ch: make(chan Event, f.opts.Buffer)}
	f.mu.Lock()
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	go func() {
		<-ctx.Done()
		f.mu.Lock()
		delete(f.subs, s)
		close(s.ch)
		f.mu.Unlock()
	}()
	return s.ch
}

// Counts returns the number of jobs of queue in each status: top-level jobs,
// as ListJobs lists them (an array job counts once, in its parent's status;
// its children are not counted). ok is false until the counts are known:
// Run reads them from the store in the background at start-up. Jobs changed
// while that read runs may be off by the few changes in flight at that
// moment.
func (f *Feed) Counts(queue string) (counts map[barge.JobStatus]int, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.counts == nil {
		return nil, false
	}
	out := make(map[barge.JobStatus]int, len(barge.JobStatuses))
	for _, st := range barge.JobStatuses {
		out[st] = max(f.counts[queue][st], 0)
	}
	return out, true
}

// FinishedPerMinute returns how many jobs of queue reached SUCCEEDED or
// FAILED in each of the last 60 minutes up to now, index 59 being now's
// minute. It counts top-level jobs, as Counts does: an array job counts
// once, in the minute its parent ends, and its children are not counted.
// So a job counted here leaves Counts' unfinished statuses in the same
// minute. The counts are kept in memory from the changes seen since
// start-up.
func (f *Feed) FinishedPerMinute(queue string, now time.Time) [60]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.finished[queue]
	if r == nil {
		return [60]int{}
	}
	return r.last60(now)
}

// Run starts the counts and makes and hands out events until ctx ends.
func (f *Feed) Run(ctx context.Context) error {
	if f.opts.Count != nil {
		f.mu.Lock()
		f.pending = map[string]map[barge.JobStatus]int{}
		f.mu.Unlock()
		go f.initCounts(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		}
		f.mu.Lock()
		queue, overflow := f.queue, f.overflow
		f.queue, f.overflow = nil, 0
		f.mu.Unlock()
		if overflow > 0 {
			f.log.Warn("job events dropped: subscribers' backlog is full", "dropped", overflow)
			f.deliver(Event{Lost: overflow})
		}
		for _, c := range queue {
			f.deliver(f.event(c))
		}
	}
}

// initCounts reads the counts from the store and adds the changes seen
// meanwhile.
func (f *Feed) initCounts(ctx context.Context) {
	start := time.Now()
	counts, err := f.opts.Count(ctx)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.pending = nil
		if ctx.Err() == nil {
			f.log.Error("job counts unknown: reading them failed", "error", err)
		}
		return
	}
	if counts == nil {
		counts = map[string]map[barge.JobStatus]int{}
	}
	for q, m := range f.pending {
		for st, n := range m {
			add(counts, q, st, n)
		}
	}
	f.counts, f.pending = counts, nil
	f.log.Debug("job counts known", "queues", len(counts), "took", time.Since(start).Round(time.Millisecond))
}

// deliver hands e to every subscriber that has room, telling those that
// lost events first.
func (f *Feed) deliver(e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		if e.Lost > 0 {
			s.lost += e.Lost
			continue
		}
		if s.lost > 0 {
			select {
			case s.ch <- Event{Lost: s.lost}:
				s.lost = 0
			default:
				s.lost++
				continue
			}
		}
		select {
		case s.ch <- e:
		default:
			s.lost++
		}
	}
}

// event makes the event of change c.
func (f *Feed) event(c barge.JobChange) Event {
	e := Event{ID: awsproto.NewUUID(), Time: f.now().UTC(), Job: c.Job, From: c.From, To: c.Job.Status}
	e.Detail = f.Envelope(e.ID, e.Time, c.Job)
	return e
}

// Envelope returns the EventBridge event of job j's change, with the given
// event ID and time. The detail is Options.Detail's; if that fails, the
// failure is logged and the detail is the job's ID, ARN and status only.
func (f *Feed) Envelope(id string, t time.Time, j *barge.Job) []byte {
	arn := f.opts.Scope.ARN(barge.KindJob, j.ID)
	var detail json.RawMessage
	if f.opts.Detail != nil {
		d, err := f.opts.Detail(j)
		if err != nil {
			f.log.Error("job event detail failed", "job_id", j.ID, "error", err)
		} else {
			detail = d
		}
	}
	if detail == nil {
		detail, _ = json.Marshal(map[string]any{"jobArn": arn, "jobId": j.ID, "jobName": j.Name, "status": j.Status,
			"jobQueue": f.opts.Scope.ARN(barge.KindJobQueue, j.Queue)})
	}
	b, err := json.Marshal(envelope{
		Version:    "0",
		ID:         id,
		DetailType: DetailType,
		Source:     Source,
		Account:    f.opts.Scope.Account,
		Time:       t.UTC().Format(time.RFC3339),
		Region:     f.opts.Scope.Region,
		Resources:  []string{arn},
		Detail:     detail,
	})
	if err != nil { // detail is not valid JSON
		f.log.Error("job event failed", "job_id", j.ID, "error", err)
		return nil
	}
	return b
}

// The EventBridge names of AWS Batch's job events.
const (
	Source     = "aws.batch"
	DetailType = "Batch Job State Change"
)

// envelope is an EventBridge event, members in EventBridge's order.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// minuteRing counts events per minute over the last hour.
type minuteRing struct {
	minute [60]int64 // the minute (Unix time / 60) each slot counts
	n      [60]int
}

func (r *minuteRing) add(t time.Time) {
	m := t.Unix() / 60
	i := m % 60
	if r.minute[i] != m {
		r.minute[i], r.n[i] = m, 0
	}
	r.n[i]++
}

// last60 returns the counts of the 60 minutes up to now's, oldest first.
func (r *minuteRing) last60(now time.Time) [60]int {
	var out [60]int
	m := now.Unix() / 60
	for k := range 60 {
		mk := m - 59 + int64(k)
		if mk < 0 {
			continue
		}
		if i := mk % 60; r.minute[i] == mk {
			out[k] = r.n[i]
		}
	}
	return out
}
