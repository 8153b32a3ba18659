package console

import (
	"context"
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
