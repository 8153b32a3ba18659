package logs

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/apitest"
	"github.com/bargehq/barge/internal/logservice"
	"github.com/bargehq/barge/internal/server"
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
	svc   *logservice.Service
	URL   string
	logs  *cloudwatchlogs.Client

	mu  sync.Mutex
	now time.Time // the service's clock; zero follows the real clock
}

// newEnv starts a Logs server; configure may change its Config.
func newEnv(t *testing.T, configure ...func(*logservice.Config)) *env {
	t.Helper()
	st := apitest.OpenStore(t, store.Options{})
	e := &env{t: t, store: st}
	cfg := logservice.Config{Store: st, Scope: barge.Scope{Region: testRegion, Account: testAccount}, Now: e.clock}
	for _, f := range configure {
		f(&cfg)
	}
	e.svc = logservice.New(cfg)
	e.URL = apitest.Serve(t, server.Config{Region: testRegion, Logs: New(e.svc, nil).Handler()},
		apitest.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret})
	e.logs = e.client(testSecret)
	return e
}

// client returns a CloudWatch Logs client of the server that signs with
// the test's access key and secret.
func (e *env) client(secret string) *cloudwatchlogs.Client {
	return apitest.Logs(apitest.Config(testRegion, apitest.Credentials{AccessKeyID: testKeyID, SecretAccessKey: secret}), e.URL)
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
	got, gotMsg, _ := apitest.APIError(err)
	if got == "" {
		t.Errorf("%s = %v, want %s", op, err, code)
		return
	}
	if got != code || !strings.Contains(gotMsg, msg) {
		t.Errorf("%s = %s: %q, want %s containing %q", op, got, gotMsg, code, msg)
	}
}
