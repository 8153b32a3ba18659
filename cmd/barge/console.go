package main

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/console"
	"github.com/bargehq/barge/internal/store"
)

// consoleBackend is what the console reads beside the control plane
// (which it calls directly): pages of jobs and logs from the store's indexed
// queries, capacity from the scheduler or, on a server that does not lead,
// from the leader's published view.
type consoleBackend struct {
	store *store.Store
	waits serverWaits
}

var _ console.Backend = consoleBackend{}

func (b consoleBackend) ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error) {
	return b.store.ListJobs(ctx, q)
}

func (b consoleBackend) Dependents(ctx context.Context, id string) ([]string, error) {
	return b.store.Dependents(ctx, id)
}

func (b consoleBackend) LogEvents(ctx context.Context, r barge.LogEventRange) ([]barge.LogEvent, error) {
	return b.store.GetLogEvents(ctx, r)
}

// Used returns the vCPUs in use on ce, 0 when this server does not know them
// (serverWaits.Used).
func (b consoleBackend) Used(ce string) float64 {
	used, _ := b.waits.Used(ce)
	return used
}

// withConsole serves the console under /console and the APIs elsewhere,
// and sends a browser that opens / to the console.
func withConsole(api, c http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/console" || strings.HasPrefix(r.URL.Path, "/console/") {
			c.ServeHTTP(w, r)
			return
		}
		if browserAtRoot(r) {
			w.Header().Set("Vary", "Accept")
			http.Redirect(w, r, "/console/", http.StatusFound)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// browserAtRoot reports whether r is a browser opening the server's root
// page: a plain GET or HEAD of / that accepts HTML. No AWS call looks like
// that: the Batch API lives under /v1/; Logs, ECS, IAM, STS and EC2 POST
// to /; an awsQuery GET or a presigned URL carries its query string; and
// every one is signed (an Authorization header) and never asks for HTML.
func browserAtRoot(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		r.URL.Path == "/" && r.URL.RawQuery == "" &&
		r.Header.Get("Authorization") == "" && r.Header.Get("X-Amz-Target") == "" &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// consoleSessions keeps the console's sessions in the shared database, so
// that every server on it accepts a browser signed in on any of them.
type consoleSessions struct{ store *store.Store }

var _ console.SessionStore = consoleSessions{}

func (c consoleSessions) CreateSession(ctx context.Context, s console.Session, now time.Time) error {
	return c.store.CreateConsoleSession(ctx, store.ConsoleSession(s), now)
}

func (c consoleSessions) Session(ctx context.Context, tokenHash string) (console.Session, bool, error) {
	s, ok, err := c.store.ConsoleSession(ctx, tokenHash)
	return console.Session(s), ok, err
}

func (c consoleSessions) DeleteSession(ctx context.Context, tokenHash string) error {
	return c.store.DeleteConsoleSession(ctx, tokenHash)
}
