package iam_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/bargehq/barge/internal/iam"
	"github.com/bargehq/barge/internal/server"
	"github.com/bargehq/barge/internal/sigv4"
	"github.com/bargehq/barge/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	testAccount = "123456789012"
	testKeyID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

// testServer is the IAM API as barge serves it: the real store on SQLite,
// the server's routing and SigV4 verification in front, on 127.0.0.1.
type testServer struct {
	t   *testing.T
	URL string
	IAM *iam.Service
}

// startServer starts a server whose clock reads the fixed time now and
// whose role IDs count up from AROA00000000000000001, so that responses are
// reproducible.
func startServer(t *testing.T) *testServer {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		t.Fatalf("store.Open = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	var ids atomic.Int64
	svc := iam.New(iam.Config{
		Store:     st,
		Account:   testAccount,
		Now:       func() time.Time { return now },
		NewRoleID: func() string { return fmt.Sprintf("AROA%017d", ids.Add(1)) },
	})
	srv := server.New(server.Config{
		Region: "eu-west-1", // IAM's scope is us-east-1 whatever the server's region
		Auth: sigv4Auth{&sigv4.Verifier{Lookup: func(id string) (string, bool) {
			return testSecret, id == testKeyID
		}}},
		IAM: svc.Handler(),
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &testServer{t: t, URL: ts.URL, IAM: svc}
}

var now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// sigv4Auth adapts the SigV4 verifier to the server, as cmd/barge does.
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

// client returns an IAM client of the AWS SDK for Go pointed at the server.
func (ts *testServer) client() *awsiam.Client {
	cfg := aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(testKeyID, testSecret, ""),
		// Tests assert the first answer; SDK retries would only hide it.
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Transport: hideWriterTo{http.DefaultTransport.(*http.Transport).Clone()}},
	}
	return awsiam.NewFromConfig(cfg, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(ts.URL) })
}

// hideWriterTo works around a race in smithy-go (v1.28.9), as in
// cmd/barge's tests: the SDK closes a request's body when the response
// arrives, while net/http may still be copying it; hiding WriteTo makes the
// copy end cleanly.
type hideWriterTo struct{ http.RoundTripper }

func (t hideWriterTo) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return t.RoundTripper.RoundTrip(r)
}

// post sends a form-encoded awsQuery request signed for IAM, for the wire
// checks the SDK cannot make, and returns the status and body.
func (ts *testServer) post(body string) (int, []byte) {
	ts.t.Helper()
	req, err := http.NewRequest("POST", ts.URL+"/", strings.NewReader(body))
	if err != nil {
		ts.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		ts.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// apiError returns the AWS error code and HTTP status of err, as SDK users
// see them.
func apiError(err error) (code string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// wantAPIError fails the test unless err is the AWS error code with the
// HTTP status, and its message contains each of msgs.
func wantAPIError(t *testing.T, op string, err error, code string, status int, msgs ...string) {
	t.Helper()
	gotCode, gotStatus := apiError(err)
	if gotCode != code || gotStatus != status {
		t.Errorf("%s = %v, want %s (HTTP %d)", op, err, code, status)
		return
	}
	var ae smithy.APIError
	errors.As(err, &ae)
	for _, m := range msgs {
		if !strings.Contains(ae.ErrorMessage(), m) {
			t.Errorf("%s: message %q, want it to contain %q", op, ae.ErrorMessage(), m)
		}
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", name, got, want)
	}
}

// The trust policies of the seed's roles.
const (
	ecsTasksTrust = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Service": "ecs-tasks.amazonaws.com" },
      "Action": "sts:AssumeRole"
    }
  ]
}`
	batchTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"batch.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

	executionPolicyARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

	s3Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::my-bucket/*"}]}`
)

// createRole creates a role with a trust policy through the SDK.
func createRole(t *testing.T, c *awsiam.Client, name, trust string) {
	t.Helper()
	if _, err := c.CreateRole(context.Background(), &awsiam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trust),
	}); err != nil {
		t.Fatalf("CreateRole(%s) = %v", name, err)
	}
}
