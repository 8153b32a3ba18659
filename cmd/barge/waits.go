package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
	"github.com/bargehq/barge/internal/scheduler"
	"github.com/bargehq/barge/internal/store"
)

// Why RUNNABLE jobs wait, on every server. The reasons rest on what the
// scheduler's passes saw, and only the leader schedules. So the leader
// publishes its scheduler's view (publishWaits) in the database, and the
// other servers load it (loadedWaits) and give the same reasons from it,
// with the scheduler's code. A server on a database of its own leads and
// publishes nothing.

// waitsView names the view the leader publishes of its scheduler's passes.
const waitsView = "waits"

// viewPoll is how often the leader publishes its view, if it changed, and
// how often the other servers look for a new one.
const viewPoll = time.Second

// serverWaits gives the reasons why RUNNABLE jobs wait: the scheduler's
// while this server leads; otherwise those of the view the leader
// published, while its term is seen alive. A server that sees no live
// leader, or whose loaded view is of an earlier term, shows no reason
// rather than a stale one, as a leader whose term ended does. Queue
// snapshots, read from the store, are every server's.
type serverWaits struct {
	*scheduler.Scheduler
	leading  func() bool
	loaded   *loadedWaits     // nil on a database of its own
	starting control.Starting // the runner: why STARTING jobs' tasks wait
}

var (
	_ control.Waits    = serverWaits{}
	_ control.Starting = serverWaits{}
)

// WaitReason returns why a RUNNABLE job of spec in queue waits, "" when it
// waits only for its turn or nothing is known.
func (w serverWaits) WaitReason(queue string, spec *barge.JobSpec) string {
	if w.leading() {
		return w.Scheduler.WaitReason(queue, spec)
	}
	if v := w.loaded.current(); v != nil {
		return v.WaitReason(queue, spec)
	}
	return ""
}

// StartingReason returns why the task of STARTING job jobID waits to run:
// the runner's answer while this server leads, otherwise the one the live
// leader published.
func (w serverWaits) StartingReason(jobID string) string {
	if w.leading() {
		return w.starting.StartingReason(jobID)
	}
	if v := w.loaded.current(); v != nil {
		return v.StartingReason(jobID)
	}
	return ""
}

// Used returns the vCPUs in use on compute environment ce: the scheduler's
// while this server leads, otherwise those of the view the live leader
// published. ok is false when neither is known.
func (w serverWaits) Used(ce string) (used float64, ok bool) {
	if w.leading() {
		return w.Scheduler.Used(ce), true
	}
	if v := w.loaded.current(); v != nil {
		return v.Used(ce), true
	}
	return 0, false
}

// viewStore is what the publishing and the loading of views need from the
// store.
type viewStore interface {
	PublishView(ctx context.Context, name string, body []byte) error
	ReadView(ctx context.Context, name string, known int64) (store.LeaderView, error)
}

// publishWaits returns the leader's loop that publishes view() (the
// scheduler's PublishedView) every viewPoll when it changed. Its writes are
// fenced by the term ctx carries.
func publishWaits(st viewStore, view func() []byte, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		var last []byte // what this term published last
		t := time.NewTicker(viewPoll)
		defer t.Stop()
		for {
			if b := view(); b != nil && !bytes.Equal(b, last) {
				err := st.PublishView(ctx, waitsView, b)
				switch {
				case err == nil:
					last = b
				case ctx.Err() == nil && !errors.Is(err, store.ErrFenced):
					log.Warn("publishing why jobs wait failed", "error", err)
				}
			}
			select {
			case <-ctx.Done():
				return nil
			case <-t.C:
			}
		}
	}
}

// loadedWaits keeps the view the leader last published, for a server that
// does not lead. It reads the view's version every viewPoll, and its body
// only when the version changed.
type loadedWaits struct {
	store   viewStore
	leading func() bool
	// term returns the leader lease's term whose holder this server sees
	// alive, 0 for none (elector.liveTerm).
	term func() int64
	log  *slog.Logger

	version int64 // of the view loaded; Run's alone
	loaded  atomic.Pointer[loadedView]
}

// loadedView is a view as loaded, and the term that published it.
type loadedView struct {
	token int64
	view  *scheduler.View // nil when it could not be read
}

// Run loads the leader's new views, while this server does not lead,
// until ctx ends.
func (l *loadedWaits) Run(ctx context.Context) error {
	t := time.NewTicker(viewPoll)
	defer t.Stop()
	for {
		if !l.leading() {
			l.refresh(ctx)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// refresh loads the leader's view if its version changed.
func (l *loadedWaits) refresh(ctx context.Context) {
	pv, err := l.store.ReadView(ctx, waitsView, l.version)
	if err != nil {
		// What was loaded stays, for as long as its term is seen alive.
		if ctx.Err() == nil {
			l.log.Warn("reading why jobs wait failed", "error", err)
		}
		return
	}
	if pv.Version == l.version {
		return
	}
	l.version = pv.Version
	lv := &loadedView{token: pv.Token}
	if pv.Body != nil {
		if lv.view, err = scheduler.LoadView(pv.Body); err != nil {
			// A newer barge's, during an upgrade: no reason rather than a
			// wrong one.
			l.log.Warn("the leader's view of why jobs wait cannot be read", "error", err)
		}
	}
	l.loaded.Store(lv)
}

// current returns the view loaded, if the term that published it is the
// live leader's; nil otherwise.
func (l *loadedWaits) current() *scheduler.View {
	if l == nil {
		return nil
	}
	lv := l.loaded.Load()
	if lv == nil || lv.view == nil {
		return nil
	}
	if term := l.term(); term == 0 || term != lv.token {
		return nil
	}
	return lv.view
}
