// Package console is barge's web console at /console/: server-rendered
// pages (html/template) over the Batch control plane (internal/control,
// called directly), with a little vanilla JavaScript for what moves
// (capacity bars, the log tail). Every asset is embedded, so it works with
// the network cut. Sign-in takes the server's access key pair; actions are
// POSTs carrying a per-session CSRF token.
package console

import (
	"bytes"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/bargehq/barge"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config configures the console.
type Config struct {
	Batch   Batch
	Wire    Wire
	Backend Backend
	Scope   barge.Scope // the account and region of the ARNs shown
	// Lookup returns the secret access key of an access key ID the server
	// accepts: the same table the SigV4 verifier reads.
	Lookup func(accessKeyID string) (secret string, ok bool)
	// Sessions keeps the sign-ins; nil keeps them in this server's memory.
	Sessions SessionStore
	Feed     Feed  // nil until wired: counts and the chart show as unknown
	Costs    Costs // nil until wired: the cost section says so
	Log      *slog.Logger
	Now      func() time.Time
}

// Console serves the web console.
type Console struct {
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	sessions SessionStore
	pages    map[string]*pageTemplate
	mux      *http.ServeMux
}

// New returns the console; its handler expects paths under /console/.
func New(cfg Config) *Console {
	c := &Console{cfg: cfg, log: cfg.Log, now: cfg.Now, sessions: cfg.Sessions}
	if c.sessions == nil {
		c.sessions = &memSessions{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.pages = parsePages()
	static, _ := fs.Sub(staticFS, "static")

	m := http.NewServeMux()
	m.Handle("GET /console/static/", http.StripPrefix("/console/static/", cacheFor(http.FileServerFS(static))))
	m.HandleFunc("GET /console/signin", c.signInPage)
	m.HandleFunc("POST /console/signin", c.signIn)
	m.HandleFunc("POST /console/signout", c.authed(c.signOut))
	m.HandleFunc("GET /console/{$}", c.authed(c.dashboard))
	m.HandleFunc("GET /console/jobs", c.authed(c.jobs))
	m.HandleFunc("GET /console/jobs/{id}", c.authed(c.job))
	m.HandleFunc("GET /console/jobs/{id}/log", c.authed(c.jobLog))
	m.HandleFunc("POST /console/jobs/{id}/cancel", c.authed(c.cancelJob))
	m.HandleFunc("POST /console/jobs/{id}/terminate", c.authed(c.terminateJob))
	m.HandleFunc("GET /console/queues", c.authed(c.queues))
	m.HandleFunc("POST /console/queues/{name}/state", c.authed(c.setQueueState))
	m.HandleFunc("GET /console/ces", c.authed(c.computeEnvironments))
	m.HandleFunc("POST /console/ces/{name}/state", c.authed(c.setCEState))
	m.HandleFunc("GET /console/definitions", c.authed(c.definitions))
	m.HandleFunc("GET /console/submit", c.authed(c.submitPage))
	m.HandleFunc("POST /console/submit", c.authed(c.submit))
	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "No such console page.", http.StatusNotFound)
	})
	c.mux = m
	return c
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/console" {
		http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
		return
	}
	h := w.Header()
	// Everything is the console's own: no inline script, no other origin,
	// no framing.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !c.readForm(w, r) {
		return
	}
	c.mux.ServeHTTP(w, r)
}

func cacheFor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=300")
		h.ServeHTTP(w, r)
	})
}

// layoutData is what every page's frame shows.
type layoutData struct {
	Title   string
	Nav     string
	CSRF    string
	KeyID   string
	Flash   string
	Error   string
	Content any
}

// render writes page name with data inside the layout. It renders into a
// buffer first, so that a template error becomes a clean 500.
func (c *Console) render(w http.ResponseWriter, r *http.Request, s *session, name string, status int, data any) {
	p := c.pages[name]
	ld := layoutData{Title: p.title, Nav: p.nav, Content: data, Flash: r.URL.Query().Get("flash")}
	if s != nil {
		ld.CSRF, ld.KeyID = s.csrf, s.accessKeyID
	}
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, "layout", ld); err != nil {
		c.log.Error("console page failed", "page", name, "error", err)
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error in the page frame: a refusal of the API with its own
// words, anything else as an internal error.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	status := http.StatusInternalServerError
	msg := "Something went wrong; the server log has the details."
	var ae *APIError
	var be *barge.Error
	switch {
	case errors.As(err, &ae):
		status, msg = http.StatusBadRequest, ae.Message
	case errors.As(err, &be) && be.Code != barge.EInternal:
		status, msg = http.StatusBadRequest, be.Message
	default:
		c.log.Error("console request failed", "path", r.URL.Path, "error", err)
	}
	c.render(w, r, s, "error", status, msg)
}
