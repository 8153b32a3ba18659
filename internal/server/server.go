// Package server is barge's HTTP boundary: it tells the AWS protocols and
// services apart, gives every request an ID, reads and bounds the body, verifies the
// caller's signature and hands the request to the API it is for, writing any
// failure before that point in the protocol's own error format.
package server

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bargehq/barge/internal/awsproto"
)

// maxRequestBody bounds every request body (CloudWatch Logs' PutLogEvents
// takes up to 1 MiB of events; JSON adds overhead).
const maxRequestBody = 2 << 20

// Identity is who signed a request, and for which region and service.
type Identity struct {
	AccessKeyID string
	Region      string
	Service     string
}

// AuthError is a failed authentication, in AWS's terms.
type AuthError struct {
	Code    string
	Message string
	Status  int
}

func (e *AuthError) Error() string { return e.Code + ": " + e.Message }

// Authenticator verifies a request's signature; the error is an *AuthError
// for any failure the client caused.
type Authenticator interface {
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
	cfg Config
	log *slog.Logger
}

// New returns a server.
func New(cfg Config) *Server {
	s := &Server{cfg: cfg, log: cfg.Log}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// protocol is one of the AWS wire protocols barge speaks.
type protocol struct {
	service string // SigV4 service name
	handler http.Handler
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
		return &protocol{service: "ecs", handler: s.cfg.ECS, writeError: func(w http.ResponseWriter, _, code string, status int, msg string) {
			awsproto.WriteAWSJSONError(w, code, status, msg)
		}}
	case r.URL.Path == "/" && r.Header.Get("X-Amz-Target") != "":
		return &protocol{service: "logs", handler: s.cfg.Logs, writeError: func(w http.ResponseWriter, _, code string, status int, msg string) {
			awsproto.WriteAWSJSONError(w, code, status, msg)
		}, authStatus: http.StatusBadRequest}
	case r.URL.Path == "/":
		// IAM, STS and EC2 all take form posts at /; as one endpoint
		// serves them all, the service the request was signed for tells
		// them apart (AWS tells them apart by host name).
		switch signedService(r) {
		case "sts":
			return &protocol{service: "sts", handler: s.cfg.STS, writeError: func(w http.ResponseWriter, reqID, code string, status int, msg string) {
				awsproto.WriteQueryError(w, stsXMLNS, reqID, code, status, msg)
			}, authError: awsproto.QueryAuthError}
		case "ec2":
			return &protocol{service: "ec2", handler: s.cfg.EC2, writeError: func(w http.ResponseWriter, reqID, code string, status int, msg string) {
				awsproto.WriteEC2Error(w, reqID, code, status, msg)
			}}
		}
		return &protocol{service: "iam", handler: s.cfg.IAM, writeError: func(w http.ResponseWriter, reqID, code string, status int, msg string) {
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
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, "The request body is larger than 2 MiB.")
			return
		}
		fail("ClientException", http.StatusBadRequest, "The request body could not be read.")
		return
	}
	id, err := s.cfg.Auth.Authenticate(r, body)
	if err != nil {
		var ae *AuthError
		if !errors.As(err, &ae) {
			s.log.Error("authentication failed", awsproto.LogRequestID, reqID, awsproto.LogError, err)
			ae = &AuthError{Code: "InternalFailure", Message: "The request could not be authenticated.", Status: http.StatusInternalServerError}
		}
		fail(ae.Code, ae.Status, ae.Message)
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
	if p.handler == nil {
		fail("UnknownOperationException", http.StatusBadRequest, "This barge server does not serve the "+p.service+" API yet.")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	p.handler.ServeHTTP(w, r)
}
