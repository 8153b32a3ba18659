package apitest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Call is one request a Recorder sent and the answer it got.
type Call struct {
	// Service is the service the request was signed for (batch, logs,
	// iam, ...), from its credential scope.
	Service string
	// Operation is the X-Amz-Target's or the Action's operation; empty
	// for restJson1 requests, which Model.OperationFor names.
	Operation string
	Method    string
	Path      string
	Status    int
	Body      []byte
}

// Recorder is an http.RoundTripper that keeps every request's answer, for
// checking answers the SDKs have already decoded against AWS's models.
type Recorder struct {
	Next  http.RoundTripper
	mu    sync.Mutex
	calls []Call
}

// Calls returns the calls so far.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// RoundTrip sends req and records it with its answer.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	c := Call{Method: req.Method, Path: req.URL.EscapedPath()}
	if m := credentialScope.FindStringSubmatch(req.Header.Get("Authorization")); m != nil {
		c.Service = m[1]
	}
	if t := req.Header.Get("X-Amz-Target"); t != "" {
		_, c.Operation, _ = strings.Cut(t, ".")
	} else if strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && req.Body != nil {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		if form, err := url.ParseQuery(string(body)); err == nil {
			c.Operation = form.Get("Action")
		}
	}
	resp, err := r.Next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	c.Status = resp.StatusCode
	c.Body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(c.Body))
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
	return resp, nil
}

// OperationFor returns the operation of a restJson1 model that method and
// path call, or "" if none does.
func (m *Model) OperationFor(method, path string) string {
	for name, op := range m.Operations {
		if op.HTTP.Method != method {
			continue
		}
		uri, _, _ := strings.Cut(op.HTTP.RequestURI, "?")
		if matchURI(uri, path) {
			return name
		}
	}
	return ""
}

// matchURI reports whether path matches the model's URI template, whose
// {label} matches one path segment and {label+} the rest.
func matchURI(template, path string) bool {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "+}") {
			return i < len(ps)
		}
		if i >= len(ps) {
			return false
		}
		if strings.HasPrefix(t, "{") {
			if ps[i] == "" {
				return false
			}
			continue
		}
		if t != ps[i] {
			return false
		}
	}
	return len(ts) == len(ps)
}
