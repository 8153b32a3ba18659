// Package server is barge's HTTP boundary: it tells the AWS protocols and
// services apart, gives every request an ID, reads and bounds the body, verifies the
// caller's signature and hands the request to the API it is for, writing any
// failure before that point in the protocol's own error format.
//
// A request's body is read only once everything that can be checked without
// it has passed: a well-formed signature claim by a known access key within
// the clock skew, for this server's region and the API's service, covering
// the headers that choose the operation. The body is then read up to the
// operation's own limit, within a deadline, and while it is unverified it
// counts against a budget shared by all requests, so that callers who know
// an access key but not its secret cannot hold more memory than the budget.
package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bargehq/barge/internal/awsproto"
)

// Defaults for the Config fields that bound request bodies.
const (
	// defaultBodyLimit bounds the body of a request whose handler names no
	// limit of its own (GET /events, paths that name no operation).
	defaultBodyLimit = 64 << 10
	// defaultUnverifiedBytes is the memory all bodies not yet verified may
	// hold together: enough for several of the largest requests at once
	// (PutLogEvents, 1 MiB of events), small beside the 100 MiB that a
	// thousand stalled uploads may cost in all.
	defaultUnverifiedBytes = 16 << 20
	// defaultBodyTimeout is how long a body may take to arrive once the
	// headers have; with the 10 s header timeout a slow request is cut off
	// within 30 s.
	defaultBodyTimeout = 20 * time.Second
)

// BodyLimiter is an API handler that knows, before a request's body is read,
// the largest body the request's operation takes. tooLarge answers a request
// over the limit in the API's own error format; limit is zero when the
// handler does not know the operation.
type BodyLimiter interface {
	BodyLimit(r *http.Request) (limit int64, tooLarge http.Handler)
}

// Identity is who signed a request, and for which region and service.
type Identity struct {
	AccessKeyID string
	Region      string
	Service     string
	// SignedHeaders are the lower-case names of the headers the signature
	// covers.
	SignedHeaders []string
}

// AuthError is a failed authentication, in AWS's terms.
type AuthError struct {
	Code    string
	Message string
	Status  int
}

func (e *AuthError) Error() string { return e.Code + ": " + e.Message }

// Authenticator verifies a request's signature; the error is an *AuthError
// for any failure the client caused. Check makes the checks that need no
// body (a well-formed claim, a known access key, the clock skew) and is
// called before the body is read; Authenticate then verifies the signature
// over the body.
type Authenticator interface {
	Check(r *http.Request) (Identity, error)
	Authenticate(r *http.Request, body []byte) (Identity, error)
}

// Config configures the server.
type Config struct {
	Log    *slog.Logger
	Auth   Authenticator
	Region string       // the region the server answers for
	Batch  http.Handler // AWS Batch, restJson1 under /v1/
	Logs   http.Handler // CloudWatch Logs, awsJson1.1; nil when not served
	IAM    http.Handler // IAM, awsQuery; nil when not served
	STS    http.Handler // STS, awsQuery; nil when not served
	EC2    http.Handler // EC2, its own query protocol; nil when not served
	ECS    http.Handler // ECS, awsJson1.1; nil when not served
	// Events serves GET /events, barge's stream of job state changes,
	// signed as an AWS Batch request; nil when not served.
	Events http.Handler

	// Metrics, when set, serves GET /metrics without authentication, as
	// /healthz is: Prometheus scrapers do not sign requests.
	Metrics http.Handler
	// OnRequest, when set, is told of every API request once it has been
	// answered (not of /healthz or /metrics).
	OnRequest func(Request)

	// UnverifiedBytes bounds the memory held by request bodies whose
	// signature is not verified yet, all requests together; a request that
	// cannot get its share within BodyTimeout is refused with a throttling
	// error, which SDKs retry. Zero means 16 MiB.
	UnverifiedBytes int64
	// BodyTimeout is how long a request's body may take to arrive after its
	// headers; a slower body is cut off. Zero means 20 s.
	BodyTimeout time.Duration
}

// Request is what the server tells Config.OnRequest about one API request.
// Its fields take few values, so that they can label metrics.
type Request struct {
	Service   string // "batch", "logs", "iam", "sts", "ec2", "ecs", or "" for a path that is none of them
	Operation string // from the API's routing table; "" when no operation was reached
	ErrorCode string // the AWS error type the client got; "" for success
	Duration  time.Duration
}

// Server routes and authenticates API requests.
type Server struct {
	cfg        Config
	log        *slog.Logger
	unverified *byteBudget
}

// New returns a server.
func New(cfg Config) *Server {
	if cfg.UnverifiedBytes <= 0 {
		cfg.UnverifiedBytes = defaultUnverifiedBytes
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = defaultBodyTimeout
	}
	s := &Server{cfg: cfg, log: cfg.Log, unverified: newByteBudget(cfg.UnverifiedBytes)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// protocol is one of the AWS wire protocols barge speaks.
type protocol struct {
	service string // SigV4 service name
	handler http.Handler
	// mustSign names the headers, besides Host, that the signature must
	// cover because they choose the operation or how its body is read: a
	// signature that leaves them out could be replayed as another call.
	mustSign []string
	// writeError writes an error in the protocol's format.
	writeError func(w http.ResponseWriter, reqID, code string, status int, msg string)
	// authError, when set, renames the errors of authentication, which
	// are the JSON protocols' (InvalidSignatureException, ...), as the
	// protocol names them.
	authError func(code, msg string) (string, string)
	// authStatus, when set, is the HTTP status of a refused credential
	// (403 otherwise): awsJson1.1 services such as CloudWatch Logs answer
	// them with 400.
	authStatus int
}

const (
	iamXMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"
	stsXMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
)

// ecsTargetPrefix starts the X-Amz-Target of every ECS operation.
const ecsTargetPrefix = "AmazonEC2ContainerServiceV20141113."

func (s *Server) route(r *http.Request) *protocol {
	switch {
	case r.URL.Path == "/events":
		return &protocol{service: "batch", handler: s.cfg.Events, writeError: func(w http.ResponseWriter, _, code string, status int, msg string) {
			awsproto.WriteRestJSONError(w, code, status, msg)
		}}
	case strings.HasPrefix(r.URL.Path, "/v1/"):
		return &protocol{service: "batch", handler: s.cfg.Batch, writeError: func(w http.ResponseWriter, _, code string, status int, msg string) {
			awsproto.WriteRestJSONError(w, code, status, msg)
		}}
	case r.URL.Path == "/" && strings.HasPrefix(r.Header.Get("X-Amz-Target"), ecsTargetPrefix):
		return &protocol{service: "ecs", handler: s.cfg.ECS, mustSign: []string{"x-amz-target", "content-type"}, writeError: func(w http.ResponseWriter, _, code string, status int, msg string) {
			awsproto.WriteAWSJSONError(w, code, status, msg)
		}}
	case r.URL.Path == "/" && r.Header.Get("X-Amz-Target") != "":
		return &protocol{service: "logs", handler: s.cfg.Logs, mustSign: []string{"x-amz-target", "content-type"}, writeError: func(w http.ResponseWriter, _, code string, status int, msg string) {
			awsproto.WriteAWSJSONError(w, code, status, msg)
		}, authStatus: http.StatusBadRequest}
	case r.URL.Path == "/":
		// IAM, STS and EC2 all take form posts at /; as one endpoint
		// serves them all, the service the request was signed for tells
		// them apart (AWS tells them apart by host name).
		switch signedService(r) {
		case "sts":
			return &protocol{service: "sts", handler: s.cfg.STS, mustSign: []string{"content-type"}, writeError: func(w http.ResponseWriter, reqID, code string, status int, msg string) {
				awsproto.WriteQueryError(w, stsXMLNS, reqID, code, status, msg)
			}, authError: awsproto.QueryAuthError}
		case "ec2":
			return &protocol{service: "ec2", handler: s.cfg.EC2, mustSign: []string{"content-type"}, writeError: func(w http.ResponseWriter, reqID, code string, status int, msg string) {
				awsproto.WriteEC2Error(w, reqID, code, status, msg)
			}, authError: awsproto.EC2AuthError}
		}
		return &protocol{service: "iam", handler: s.cfg.IAM, mustSign: []string{"content-type"}, writeError: func(w http.ResponseWriter, reqID, code string, status int, msg string) {
			awsproto.WriteQueryError(w, iamXMLNS, reqID, code, status, msg)
		}, authError: awsproto.QueryAuthError}
	}
	return nil
}

// signedService returns the service in the credential scope of r's SigV4
// signature (Authorization header or presigned X-Amz-Credential), lower-
// cased, or "" if r is not signed that way. The signature itself is checked
// later.
func signedService(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		_, rest, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return ""
		}
		cred, _, _ = strings.Cut(rest, ",")
	}
	// AKID/date/region/service/aws4_request
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return ""
	}
	return strings.ToLower(parts[3])
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
		return
	}
	if r.URL.Path == "/metrics" && s.cfg.Metrics != nil {
		s.cfg.Metrics.ServeHTTP(w, r)
		return
	}
	reqID := awsproto.NewRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	call := &awsproto.Call{}
	ctx := awsproto.WithCall(awsproto.WithRequestID(r.Context(), reqID), call)
	r = r.WithContext(ctx)

	p := s.route(r)
	if s.cfg.OnRequest != nil {
		start := time.Now()
		defer func() {
			req := Request{Operation: call.Operation, ErrorCode: call.ErrorCode, Duration: time.Since(start)}
			if p != nil {
				req.Service = p.service
			}
			s.cfg.OnRequest(req)
		}()
	}
	if p == nil {
		call.ErrorCode = "NotFound"
		http.Error(w, "barge serves the AWS Batch API under /v1/, CloudWatch Logs, IAM, STS, EC2 and ECS at /, job events at /events, and /healthz.", http.StatusNotFound)
		return
	}
	fail := func(code string, status int, msg string) {
		if p.authError != nil {
			code, msg = p.authError(code, msg)
		}
		if p.authStatus != 0 && status == http.StatusForbidden {
			status = p.authStatus
		}
		call.ErrorCode = code
		s.log.Debug("request rejected", awsproto.LogRequestID, reqID, "path", r.URL.Path, awsproto.LogStatus, status, awsproto.LogError, code+": "+msg)
		p.writeError(w, reqID, code, status, msg)
	}
	authFailed := func(err error) {
		var ae *AuthError
		if !errors.As(err, &ae) {
			s.log.Error("authentication failed", awsproto.LogRequestID, reqID, awsproto.LogError, err)
			ae = &AuthError{Code: "InternalFailure", Message: "The request could not be authenticated.", Status: http.StatusInternalServerError}
		}
		fail(ae.Code, ae.Status, ae.Message)
	}

	// Everything that needs no body first: a request nobody could have
	// signed is refused before its body is read.
	id, err := s.cfg.Auth.Check(r)
	if err != nil {
		authFailed(err)
		return
	}
	if id.Service != p.service {
		fail("InvalidSignatureException", http.StatusForbidden, "Credential should be scoped to correct service: '"+p.service+"', not '"+id.Service+"'.")
		return
	}
	if p.service != "iam" && id.Region != s.cfg.Region {
		fail("InvalidSignatureException", http.StatusForbidden, "Credential should be scoped to a valid region, not '"+id.Region+"'. This barge server answers for region '"+s.cfg.Region+"': set your client's region to "+s.cfg.Region+" (aws --region "+s.cfg.Region+"), or start barge with --region "+id.Region+".")
		return
	}
	for _, h := range p.mustSign {
		if r.Header.Get(h) != "" && !slices.Contains(id.SignedHeaders, h) {
			fail("InvalidSignatureException", http.StatusForbidden, "The '"+h+"' header must be a 'SignedHeader' in the AWS Authorization: it chooses the operation or how its body is read.")
			return
		}
	}
	if p.handler == nil {
		fail("UnknownOperationException", http.StatusBadRequest, "This barge server does not serve the "+p.service+" API yet.")
		return
	}

	body, done, ok := s.readBody(w, r, p, fail)
	if !ok {
		return
	}
	_, err = s.cfg.Auth.Authenticate(r, body)
	done.verified()
	defer done.served()
	if err != nil {
		authFailed(err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	p.handler.ServeHTTP(w, r)
}

// readBody reads r's body, bounded by the operation's limit, the body
// deadline and the budget of unverified bytes; on failure it has answered
// the request. The body holds its share of the budget until done.verified,
// and its buffer until done.served.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, p *protocol, fail func(code string, status int, msg string)) (body []byte, done bodyDone, ok bool) {
	limit, tooLarge := int64(defaultBodyLimit), http.Handler(nil)
	if l, ok := limiterFor(p.handler, r); ok {
		if n, h := l.BodyLimit(r); n > 0 {
			limit, tooLarge = n, h
		}
	}
	refuseTooLarge := func() {
		w.Header().Set("Connection", "close") // the rest of the body is not read
		if tooLarge != nil {
			tooLarge.ServeHTTP(w, r)
			return
		}
		fail("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body is larger than %d KiB, the limit of this path.", limit>>10))
	}
	if r.ContentLength > limit {
		refuseTooLarge()
		return nil, bodyDone{}, false
	}

	deadline := time.Now().Add(s.cfg.BodyTimeout)
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(deadline) // an error means a writer that cannot set one: the server's own timeouts apply
	defer rc.SetReadDeadline(time.Time{})

	hold := limit // a body of unknown length may be as long as the limit
	if r.ContentLength >= 0 {
		hold = r.ContentLength
	}
	if !s.unverified.acquire(r.Context(), hold, deadline) {
		w.Header().Set("Connection", "close")
		fail("ThrottlingException", http.StatusTooManyRequests, "The server is reading as many unverified request bodies as it holds at once. Retry the request.")
		return nil, bodyDone{}, false
	}
	buf := getBuffer(hold)
	body, err := readAtMost(r.Body, (*buf)[:0], r.ContentLength, limit)
	done = bodyDone{budget: s.unverified, hold: hold, buf: buf}
	if err != nil {
		done.verified()
		done.served()
	}
	switch {
	case errors.Is(err, errTooLarge):
		refuseTooLarge()
		return nil, bodyDone{}, false
	case errors.Is(err, os.ErrDeadlineExceeded):
		w.Header().Set("Connection", "close")
		fail("RequestTimeoutException", http.StatusRequestTimeout, fmt.Sprintf("The request body did not arrive within %s of its headers.", s.cfg.BodyTimeout))
		return nil, bodyDone{}, false
	case err != nil:
		fail("ClientException", http.StatusBadRequest, "The request body could not be read.")
		return nil, bodyDone{}, false
	}
	return body, done, true
}

// limiterFor returns the handler of r's operation as a BodyLimiter, looking
// through a ServeMux to the handler it would call.
func limiterFor(h http.Handler, r *http.Request) (BodyLimiter, bool) {
	if mux, ok := h.(*http.ServeMux); ok {
		h, _ = mux.Handler(r)
	}
	l, ok := h.(BodyLimiter)
	return l, ok
}

var errTooLarge = errors.New("request body over the limit")

// readAtMost reads a body of the given length (-1 if unknown) that must not
// exceed limit bytes into buf, which has room for it.
func readAtMost(rd io.Reader, buf []byte, length, limit int64) ([]byte, error) {
	if length >= 0 {
		b := buf[:length]
		if _, err := io.ReadFull(rd, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(rd, limit+1)) // rare: SDKs send a Content-Length
	if err == nil && int64(len(b)) > limit {
		err = errTooLarge
	}
	return b, err
}

// bodyDone gives back what an unverified body holds: its share of the
// budget once its signature is checked, its buffer once the request is
// served (handlers copy what they read from it).
type bodyDone struct {
	budget *byteBudget
	hold   int64
	buf    *[]byte
}

func (d *bodyDone) verified() {
	if d.budget != nil {
		d.budget.release(d.hold)
		d.budget = nil
	}
}

func (d *bodyDone) served() {
	if d.buf != nil {
		putBuffer(d.buf)
		d.buf = nil
	}
}
