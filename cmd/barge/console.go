package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/console"
	"github.com/bargehq/barge/internal/scheduler"
	"github.com/bargehq/barge/internal/store"
)

// consoleBackend is the console's view of the server: Batch operations go
// through the Batch API's own handler in-process (the same validation,
// defaults and errors an aws CLI call meets, without a signature: the
// console checked the caller's keys at sign-in), reads of job pages and logs
// go to the store's indexed queries, capacity to the scheduler.
type consoleBackend struct {
	batch http.Handler
	store *store.Store
	sched *scheduler.Scheduler
}

var _ console.Backend = consoleBackend{}

func (b consoleBackend) Call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	ctx = awsproto.WithRequestID(ctx, awsproto.NewRequestID())
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "/v1/"+strings.ToLower(op), bytes.NewReader(body))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/json")
	var w bufferedResponse
	b.batch.ServeHTTP(&w, r)
	if w.status >= 300 {
		var e struct {
			Message string `json:"message"`
		}
		json.Unmarshal(w.body.Bytes(), &e)
		code := w.header.Get("X-Amzn-ErrorType")
		if w.status >= 500 {
			return fmt.Errorf("%s: %s: %s", op, code, e.Message)
		}
		return &console.APIError{Code: code, Message: e.Message}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(w.body.Bytes(), out)
}

func (b consoleBackend) ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error) {
	return b.store.ListJobs(ctx, q)
}

func (b consoleBackend) Dependents(ctx context.Context, id string) ([]string, error) {
	return b.store.Dependents(ctx, id)
}

func (b consoleBackend) LogEvents(ctx context.Context, r barge.LogEventRange) ([]barge.LogEvent, error) {
	return b.store.GetLogEvents(ctx, r)
}

func (b consoleBackend) Used(ce string) float64 { return b.sched.Used(ce) }

// bufferedResponse is the http.ResponseWriter of an in-process call.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferedResponse) Header() http.Header {
	if w.header == nil {
		w.header = http.Header{}
	}
	return w.header
}

func (w *bufferedResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *bufferedResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}

// withConsole serves the console under /console and the APIs elsewhere.
func withConsole(api, c http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/console" || strings.HasPrefix(r.URL.Path, "/console/") {
			c.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
