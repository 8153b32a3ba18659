package jobfeed

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// heartbeat is how often an idle event stream gets a comment, so that
// proxies and load balancers do not close it for want of traffic.
const heartbeat = 15 * time.Second

// Handler serves GET /events: job state change events as Server-Sent
// Events, from the moment of the request on, until the client goes or stop
// is closed (the server shutting down). Authentication is the server's.
//
// Each event's data is the EventBridge event JSON and its id the event ID.
// Query parameters narrow the stream: jobQueue (a name or ARN; repeatable)
// and status (a job status; repeatable) keep only the events of those queues
// and of jobs reaching those statuses. A client that falls behind gets an
// event named "gap" whose data is {"lost": n}, the number of events it
// missed.
func (f *Feed) Handler(stop <-chan struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", "GET")
			http.Error(w, "GET /events streams job state change events.", http.StatusMethodNotAllowed)
			return
		}
		match, err := f.filter(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc := http.NewResponseController(w)
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
		w.WriteHeader(http.StatusOK)
		events := f.Subscribe(r.Context())
		if _, err := fmt.Fprint(w, ": barge job state change events\n\n"); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-r.Context().Done():
				return
			case <-tick.C:
				_, err = fmt.Fprint(w, ": keep-alive\n\n")
			case e, ok := <-events:
				if !ok {
					return
				}
				switch {
				case e.Lost > 0:
					_, err = fmt.Fprintf(w, "event: gap\ndata: {\"lost\":%d}\n\n", e.Lost)
				case e.Detail == nil || !match(e):
					continue
				default:
					_, err = fmt.Fprintf(w, "id: %s\ndata: %s\n\n", e.ID, e.Detail)
				}
			}
			if err == nil {
				err = rc.Flush()
			}
			if err != nil {
				return
			}
		}
	})
}

// filter returns the test an event must pass for the stream r asks for.
func (f *Feed) filter(r *http.Request) (func(Event) bool, error) {
	q := r.URL.Query()
	queues := map[string]bool{}
	for _, v := range q["jobQueue"] {
		name, ok := f.opts.Scope.NameFromRef(barge.KindJobQueue, v)
		if !ok {
			return nil, fmt.Errorf("jobQueue %q is neither a job queue name nor its ARN", v)
		}
		queues[name] = true
	}
	statuses := map[barge.JobStatus]bool{}
	for _, v := range q["status"] {
		st := barge.JobStatus(strings.ToUpper(v))
		if !st.Valid() {
			return nil, fmt.Errorf("status %q must be one of SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED", v)
		}
		statuses[st] = true
	}
	return func(e Event) bool {
		return (len(queues) == 0 || queues[e.Job.Queue]) && (len(statuses) == 0 || statuses[e.To])
	}, nil
}
