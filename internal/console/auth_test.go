package console

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
)

// emptyBackend answers every call with nothing: a server with no resources.
type emptyBackend struct{}

func (emptyBackend) SubmitJob(context.Context, *control.SubmitJobInput) (*barge.Job, error) {
	return nil, barge.Errorf(barge.ENotFound, "no queue")
}
func (emptyBackend) DescribeJobs(context.Context, *control.DescribeJobsInput) ([]control.JobDescription, error) {
	return nil, nil
}
func (emptyBackend) CancelJob(context.Context, *control.JobActionInput) error    { return nil }
func (emptyBackend) TerminateJob(context.Context, *control.JobActionInput) error { return nil }
func (emptyBackend) DescribeJobQueues(context.Context, *control.DescribeJobQueuesInput) (*control.Page[control.QueueDescription], error) {
	return &control.Page[control.QueueDescription]{}, nil
}
func (emptyBackend) UpdateJobQueue(context.Context, *control.UpdateJobQueueInput) (*barge.JobQueue, error) {
	return nil, barge.Errorf(barge.ENotFound, "no queue")
}
func (emptyBackend) DescribeComputeEnvironments(context.Context, *control.DescribeComputeEnvironmentsInput) (*control.Page[*barge.ComputeEnvironment], error) {
	return &control.Page[*barge.ComputeEnvironment]{}, nil
}
func (emptyBackend) UpdateComputeEnvironment(context.Context, *control.UpdateComputeEnvironmentInput) (*barge.ComputeEnvironment, error) {
	return nil, barge.Errorf(barge.ENotFound, "no compute environment")
}
func (emptyBackend) DescribeJobDefinitions(context.Context, *control.DescribeJobDefinitionsInput) (*control.Page[*barge.JobDefinition], error) {
	return &control.Page[*barge.JobDefinition]{}, nil
}
func (emptyBackend) ListJobs(ctx context.Context, q barge.JobQuery) ([]*barge.Job, error) {
	return nil, nil
}
func (emptyBackend) Dependents(ctx context.Context, id string) ([]string, error) { return nil, nil }
func (emptyBackend) LogEvents(ctx context.Context, r barge.LogEventRange) ([]barge.LogEvent, error) {
	return nil, nil
}
func (emptyBackend) Used(string) float64 { return 0 }

func TestSessionExpires(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := New(Config{Batch: emptyBackend{}, Backend: emptyBackend{}, Now: func() time.Time { return now },
		Lookup: func(id string) (string, bool) { return "secret", id == "AKID" }})

	form := url.Values{"accessKeyId": {"AKID"}, "secretAccessKey": {"secret"}}
	r := httptest.NewRequest(http.MethodPost, "/console/signin", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	c.ServeHTTP(w, r)
	cookies := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookies) != 1 {
		t.Fatalf("sign-in = %d with cookies %v, want 303 and a session cookie", w.Code, cookies)
	}
	get := func() int {
		r := httptest.NewRequest(http.MethodGet, "/console/", nil)
		r.AddCookie(cookies[0])
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		return w.Code
	}
	now = now.Add(sessionTTL - time.Second)
	if code := get(); code != http.StatusOK {
		t.Fatalf("GET /console/ a second before the session ends = %d, want 200", code)
	}
	now = now.Add(time.Second)
	if code := get(); code != http.StatusSeeOther {
		t.Fatalf("GET /console/ when the session has ended = %d, want 303 to sign in", code)
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		origin, fetchSite string
		want              bool
	}{
		{"http://barge.test:8420", "", true},
		{"http://barge.test:8420", "same-origin", true},
		{"https://barge.test:8420", "", false}, // another scheme is another origin
		{"http://evil.test", "", false},
		{"null", "", false},
		{"", "cross-site", false},
		{"", "same-site", false},
		{"", "same-origin", true},
		{"", "none", false},
		{"http://barge.test:8420", "cross-site", false},
		{"", "", false}, // no telling where it came from
	} {
		r := httptest.NewRequest(http.MethodPost, "http://barge.test:8420/console/signout", nil)
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		if tc.fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", tc.fetchSite)
		}
		if got := sameOrigin(r); got != tc.want {
			t.Errorf("sameOrigin(Origin %q, Sec-Fetch-Site %q) = %v, want %v", tc.origin, tc.fetchSite, got, tc.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/jobs?queue=q": "/console/jobs?queue=q",
		"":                      "/console/",
		"//evil.test/console/":  "/console/",
		"https://evil.test/":    "/console/",
		"/v1/listjobs":          "/console/",
		"/\\evil.test":          "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// failingSessions is a SessionStore that cannot answer.
type failingSessions struct{}

func (failingSessions) CreateSession(context.Context, Session, time.Time) error {
	return errors.New("database down")
}
func (failingSessions) Session(context.Context, string) (Session, bool, error) {
	return Session{}, false, errors.New("database down")
}
func (failingSessions) DeleteSession(context.Context, string) error {
	return errors.New("database down")
}

// TestSessionStore: two consoles on one SessionStore (two servers on one
// database) take each other's sessions, until they expire; the store holds
// the token's hash, never the token; a store that cannot answer refuses,
// rather than signing anyone in or pretending a sign-out.
func TestSessionStore(t *testing.T) {
	store := &memSessions{}
	lookup := func(id string) (string, bool) { return "secret", id == "AKID" }
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	later := now.Add(sessionTTL) // the clock of a third console
	a := New(Config{Batch: emptyBackend{}, Backend: emptyBackend{}, Lookup: lookup, Sessions: store, Now: func() time.Time { return now }})
	b := New(Config{Batch: emptyBackend{}, Backend: emptyBackend{}, Lookup: lookup, Sessions: store, Now: func() time.Time { return now }})
	c := New(Config{Batch: emptyBackend{}, Backend: emptyBackend{}, Lookup: lookup, Sessions: store, Now: func() time.Time { return later }})

	serve := func(c *Console, method, path string, ck *http.Cookie, form url.Values) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		if form != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		if ck != nil {
			r.AddCookie(ck)
		}
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		return w
	}
	w := serve(a, http.MethodPost, "/console/signin", nil, url.Values{"accessKeyId": {"AKID"}, "secretAccessKey": {"secret"}})
	cookies := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookies) != 1 {
		t.Fatalf("sign-in = %d with cookies %v, want 303 and a session cookie", w.Code, cookies)
	}
	ck := cookies[0]
	if w := serve(b, http.MethodGet, "/console/", ck, nil); w.Code != http.StatusOK {
		t.Fatalf("GET /console/ on the other console = %d, want 200", w.Code)
	}
	if w := serve(c, http.MethodGet, "/console/", ck, nil); w.Code != http.StatusSeeOther {
		t.Fatalf("GET /console/ on a console whose clock is past the session's end = %d, want 303 to sign in", w.Code)
	}
	if _, ok, _ := store.Session(context.Background(), ck.Value); ok {
		t.Error("the store holds the cookie's token itself")
	}
	sess, ok, _ := store.Session(context.Background(), tokenHash(ck.Value))
	if !ok {
		t.Fatal("the store holds no session under the token's hash")
	}
	if w := serve(b, http.MethodPost, "/console/signout", ck, url.Values{"csrf": {sess.CSRF}}); w.Code != http.StatusSeeOther {
		t.Fatalf("sign-out on the other console = %d, want 303", w.Code)
	}
	if w := serve(a, http.MethodGet, "/console/", ck, nil); w.Code != http.StatusSeeOther {
		t.Fatalf("GET /console/ after a sign-out on the other console = %d, want 303 to sign in", w.Code)
	}

	down := New(Config{Batch: emptyBackend{}, Backend: emptyBackend{}, Lookup: lookup, Sessions: failingSessions{}})
	for _, tc := range []struct {
		method, path string
		form         url.Values
	}{
		{http.MethodPost, "/console/signin", url.Values{"accessKeyId": {"AKID"}, "secretAccessKey": {"secret"}}},
		{http.MethodGet, "/console/", nil},
		{http.MethodPost, "/console/signout", url.Values{"csrf": {sess.CSRF}}},
	} {
		w := serve(down, tc.method, tc.path, ck, tc.form)
		if w.Code != http.StatusServiceUnavailable || len(w.Result().Cookies()) != 0 {
			t.Errorf("%s %s with the session store down = %d with cookies %v, want 503 and none", tc.method, tc.path, w.Code, w.Result().Cookies())
		}
	}
}
