// Package apitest serves barge's AWS APIs to tests the way barge serves
// them, and gives the tests the AWS SDK for Go's clients of them: the real
// server package with SigV4 verification in front, over HTTP on 127.0.0.1,
// and the real store on SQLite in the test's temporary directory.
//
// Only tests import it (TestImportRules, in the root package, checks). It
// may import the adapters it puts together, but none of the API packages
// (batch, logs, iam): their own tests import it, and pass in their handler.
package apitest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/bargehq/barge/internal/server"
	"github.com/bargehq/barge/internal/sigv4"
	"github.com/bargehq/barge/internal/store"
)

// Credentials is an access key: one the server accepts, or one a client
// signs with.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

// OpenStore opens a store in a fresh temporary directory of tb, closed
// when the test ends (a failed Close fails the test).
func OpenStore(tb testing.TB, opts store.Options) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "barge.db"), opts)
	if err != nil {
		tb.Fatalf("store.Open = %v", err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("store.Close = %v", err)
		}
	})
	return st
}

// Serve serves cfg over HTTP on 127.0.0.1 until the test ends and returns
// its URL. Requests must be signed with one of keys (cfg.Auth is set to
// SigV4 verification of them, as cmd/barge does).
func Serve(tb testing.TB, cfg server.Config, keys ...Credentials) string {
	tb.Helper()
	secrets := make(map[string]string, len(keys))
	for _, k := range keys {
		secrets[k.AccessKeyID] = k.SecretAccessKey
	}
	cfg.Auth = server.SigV4{Verifier: &sigv4.Verifier{Lookup: func(id string) (string, bool) {
		s, ok := secrets[id]
		return s, ok
	}}}
	ts := httptest.NewServer(server.New(cfg))
	tb.Cleanup(ts.Close)
	return ts.URL
}

// Config returns the SDK configuration of a client that signs with key for
// region, does not retry (tests assert the first answer; retries would
// only hide it) and sends through HTTPClient.
func Config(region string, key Credentials) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(key.AccessKeyID, key.SecretAccessKey, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       HTTPClient(),
	}
}

// HTTPClient returns an HTTP client for SDK clients: a transport of its
// own, with HideWriterTo.
func HTTPClient() *http.Client {
	return &http.Client{Transport: HideWriterTo{http.DefaultTransport.(*http.Transport).Clone()}}
}

// Batch returns an AWS Batch client of the server at url.
func Batch(cfg aws.Config, url string) *batch.Client {
	return batch.NewFromConfig(cfg, func(o *batch.Options) { o.BaseEndpoint = aws.String(url) })
}

// Logs returns a CloudWatch Logs client of the server at url.
func Logs(cfg aws.Config, url string) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(url) })
}

// IAM returns an IAM client of the server at url.
func IAM(cfg aws.Config, url string) *iam.Client {
	return iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(url) })
}

// APIError returns the AWS error code, message and HTTP status of err, as
// SDK users see them: zero values for what err does not carry.
func APIError(err error) (code, message string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, message = ae.ErrorCode(), ae.ErrorMessage()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, message, status
}

// Sign signs req, whose body is body, for service in region with key at
// time at, as an SDK would: for the requests tests send by hand (wire
// checks, operations the SDK lacks).
func Sign(req *http.Request, body []byte, service, region string, key Credentials, at time.Time) error {
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
	return v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, at)
}

// HideWriterTo works around a race in smithy-go (v1.28.9): the SDK closes
// a request's body as soon as the response arrives, while net/http may
// still be finishing the body's write with a final io.Copy, and the body
// wrapper's WriteTo answers io.EOF once closed, which io.Copy passes on as
// an error. The transport then closes the connection, and the response
// body, if not yet read, fails with "use of closed network connection" (a
// few percent of the responses over 4 KiB against a local server; the
// SDK's default retries hide it from users, but tests run without
// retries). Hiding WriteTo makes io.Copy use Read, whose io.EOF ends the
// copy cleanly.
type HideWriterTo struct{ http.RoundTripper }

// RoundTrip sends r with its body's WriteTo hidden.
func (t HideWriterTo) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return t.RoundTripper.RoundTrip(r)
}
