package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"

	"github.com/bargehq/barge/internal/apitest"
)

// Test credentials for the in-process server.
const (
	testKeyID  = "AKIDBARGETEST0000001"
	testSecret = "barge-test-secret-key-0000000000000000000"
)

// testServer is a barge server running in-process on 127.0.0.1:0.
type testServer struct {
	t    *testing.T
	main *Main
	dir  string
	URL  string
}

// startServer runs barge on a fresh data directory, or on dir when given,
// with the scheduler held: jobs wait where they are, so that tests of the
// control plane see them waiting. startRunningServer runs them.
func startServer(t *testing.T, dir string) *testServer {
	t.Helper()
	return startServerWith(t, dir, func(c *Config) { c.Hold = true })
}

// startServerWith runs barge with the test configuration changed by edit.
func startServerWith(t *testing.T, dir string, edit func(*Config)) *testServer {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	cfg := DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.DataDir = dir
	cfg.DatabaseURL = testDatabaseURL(t, dir)
	cfg.AccessKeyID, cfg.SecretAccessKey = testKeyID, testSecret
	cfg.LogLevel = "error"
	edit(&cfg)
	m := NewMain(cfg, io.Discard, io.Discard)
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	ts := &testServer{t: t, main: m, dir: dir, URL: "http://" + m.Addr}
	t.Cleanup(func() { ts.close() })
	return ts
}

func (ts *testServer) close() {
	if ts.main != nil {
		if err := ts.main.Close(); err != nil {
			ts.t.Errorf("Close() = %v", err)
		}
		ts.main = nil
	}
}

// restart stops the server and starts a new one on the same data directory.
func (ts *testServer) restart() *testServer {
	ts.close()
	return startServer(ts.t, ts.dir)
}

// testKey is the test server's root access key.
var testKey = apitest.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}

// awsConfig returns the SDK configuration of a client of the server.
func (ts *testServer) awsConfig() aws.Config { return apitest.Config("us-east-1", testKey) }

// batch returns an AWS Batch client pointed at the server.
func (ts *testServer) batch() *batch.Client { return apitest.Batch(ts.awsConfig(), ts.URL) }

// signedRequest sends a request signed for service/region with the given
// credentials, for operations the SDK lacks and for raw wire checks.
func (ts *testServer) signedRequest(method, path, service, region string, body []byte, header http.Header) *http.Response {
	ts.t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if req.Header.Get("Content-Type") == "" && body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := apitest.Sign(req, body, service, region, testKey, time.Now()); err != nil {
		ts.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	return resp
}

// apiErrorCode returns the AWS error code of err, as SDK users see it.
func apiErrorCode(err error) string {
	code, _, _ := apitest.APIError(err)
	return code
}

// apiErrorMessage returns the AWS error message of err, as SDK users see it.
func apiErrorMessage(err error) string {
	_, msg, _ := apitest.APIError(err)
	return msg
}

// wantClientError fails unless err is a ClientException whose message
// contains every fragment.
func wantClientError(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if code := apiErrorCode(err); code != "ClientException" {
		t.Fatalf("error = %v, want a ClientException", err)
	}
	msg := apiErrorMessage(err)
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("error message = %q, want it to mention %q", msg, f)
		}
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
