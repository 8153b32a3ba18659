package logs

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/server"
	"github.com/bargehq/barge/internal/sigv4"
	"github.com/bargehq/barge/internal/store"
)

// The test server's credentials, region and account.
const (
	testKeyID   = "AKIDBARGELOGSTEST001"
	testSecret  = "barge-logs-test-secret-000000000000000000"
	testRegion  = "us-east-1"
	testAccount = "123456789012"
)

var ctx0 = context.Background()

// env is the Logs API served as barge serves it: the real store, the
// server's routing and SigV4 verification, over HTTP on 127.0.0.1.
type env struct {
	t     *testing.T
	store *store.Store
	svc   *Service
	URL   string
	logs  *cloudwatchlogs.Client

	mu  sync.Mutex
	now time.Time // the service's clock; zero follows the real clock
}

// newEnv starts a Logs server; configure may change its Config.
func newEnv(t *testing.T, configure ...func(*Config)) *env {
	t.Helper()
	st, err := store.Open(ctx0, filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatalf("store.Open = %v", err)
	}
	e := &env{t: t, store: st}
	cfg := Config{Store: st, Scope: barge.Scope{Region: testRegion, Account: testAccount}, Now: e.clock}
	for _, f := range configure {
		f(&cfg)
	}
	e.svc = New(cfg)
	srv := server.New(server.Config{
		Region: testRegion,
		Auth: sigv4Auth{&sigv4.Verifier{Lookup: func(id string) (string, bool) {
			return testSecret, id == testKeyID
		}}},
		Logs: e.svc.Handler(),
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		if err := st.Close(); err != nil {
			t.Errorf("store.Close = %v", err)
		}
	})
	e.URL = ts.URL
	e.logs = e.client(testSecret)
	return e
}

// client returns a CloudWatch Logs client of the server that signs with
// the test's access key and secret.
func (e *env) client(secret string) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(aws.Config{
		Region:      testRegion,
		Credentials: credentials.NewStaticCredentialsProvider(testKeyID, secret, ""),
		// Tests assert the first answer; SDK retries would only hide it.
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: hideWriterTo{http.DefaultTransport.(*http.Transport).Clone()}},
	}, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(e.URL) })
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.now.IsZero() {
		return time.Now()
	}
	return e.now
}

// setNow sets the service's clock; the zero time makes it follow the real
// clock again.
func (e *env) setNow(t time.Time) {
	e.mu.Lock()
	e.now = t
	e.mu.Unlock()
}

func (e *env) createGroup(name string) {
	e.t.Helper()
	if _, err := e.logs.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		e.t.Fatalf("CreateLogGroup(%s) = %v", name, err)
	}
}

func (e *env) createStream(group, stream string) {
	e.t.Helper()
	if _, err := e.logs.CreateLogStream(ctx0, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		e.t.Fatalf("CreateLogStream(%s, %s) = %v", group, stream, err)
	}
}

// put stores events with PutLogEvents and fails the test on an error.
func (e *env) put(group, stream string, events ...types.InputLogEvent) *cloudwatchlogs.PutLogEventsOutput {
	e.t.Helper()
	out, err := e.logs.PutLogEvents(ctx0, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events,
	})
	if err != nil {
		e.t.Fatalf("PutLogEvents(%s, %s, %d events) = %v", group, stream, len(events), err)
	}
	return out
}

func event(ts int64, msg string) types.InputLogEvent {
	return types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(msg)}
}

// wantAPIError fails the test unless err is the AWS error code whose
// message contains msg, as SDK users see it.
func wantAPIError(t *testing.T, op string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Errorf("%s = %v, want %s", op, err, code)
		return
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Errorf("%s = %s: %q, want %s containing %q", op, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// sigv4Auth adapts the SigV4 verifier to the server's Authenticator, as
// cmd/barge does.
type sigv4Auth struct{ v *sigv4.Verifier }

func (a sigv4Auth) Check(r *http.Request) (server.Identity, error) {
	return identity(a.v.Check(r))
}

func (a sigv4Auth) Authenticate(r *http.Request, body []byte) (server.Identity, error) {
	return identity(a.v.Verify(r, body))
}

func identity(res sigv4.Result, err error) (server.Identity, error) {
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return server.Identity{}, &server.AuthError{Code: se.Code, Message: se.Message, Status: se.HTTPStatus()}
		}
		return server.Identity{}, err
	}
	return server.Identity{AccessKeyID: res.AccessKeyID, Region: res.Region, Service: strings.ToLower(res.Service),
		SignedHeaders: res.SignedHeaders}, nil
}

// hideWriterTo works around a race in smithy-go (v1.28.9), as in
// cmd/barge's tests: the SDK may close a request body while net/http is
// still copying it, which can fail the response. Hiding WriteTo makes the
// copy use Read, which ends cleanly.
type hideWriterTo struct{ http.RoundTripper }

func (t hideWriterTo) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return t.RoundTripper.RoundTrip(r)
}
