package iam_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bargehq/barge/internal/apitest"
	"github.com/bargehq/barge/internal/iam"
	"github.com/bargehq/barge/internal/iamservice"
	"github.com/bargehq/barge/internal/server"
	"github.com/bargehq/barge/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	testAccount = "123456789012"
	testKeyID   = "AKIAIOSFODNN7EXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var testKey = apitest.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}

// testServer is the IAM API as barge serves it: the real store on SQLite,
// the server's routing and SigV4 verification in front, on 127.0.0.1.
type testServer struct {
	t   *testing.T
	URL string
	IAM *iamservice.Service
}

// startServer starts a server whose clock reads the fixed time now and
// whose role IDs count up from AROA00000000000000001, so that responses are
// reproducible.
func startServer(t *testing.T) *testServer {
	t.Helper()
	st := apitest.OpenStore(t, store.Options{})
	var ids atomic.Int64
	svc := iamservice.New(iamservice.Config{
		Store:     st,
		Account:   testAccount,
		Now:       func() time.Time { return now },
		NewRoleID: func() string { return fmt.Sprintf("AROA%017d", ids.Add(1)) },
	})
	url := apitest.Serve(t, server.Config{
		Region: "eu-west-1", // IAM's scope is us-east-1 whatever the server's region
		IAM:    iam.New(svc, nil).Handler(),
	}, testKey)
	return &testServer{t: t, URL: url, IAM: svc}
}

var now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// client returns an IAM client of the AWS SDK for Go pointed at the server.
func (ts *testServer) client() *awsiam.Client {
	return apitest.IAM(apitest.Config("us-east-1", testKey), ts.URL)
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
	if err := apitest.Sign(req, []byte(body), "iam", "us-east-1", testKey, time.Now()); err != nil {
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
	code, _, status = apitest.APIError(err)
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
	_, msg, _ := apitest.APIError(err)
	for _, m := range msgs {
		if !strings.Contains(msg, m) {
			t.Errorf("%s: message %q, want it to contain %q", op, msg, m)
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
