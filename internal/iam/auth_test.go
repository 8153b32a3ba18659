package iam_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/bargehq/barge/internal/apitest"
)

// TestAuthenticationErrors checks that IAM refuses bad credentials with its
// own error codes (awsQuery's, not the JSON protocols'), in its XML error
// shape, as SDK users and raw HTTP clients see them.
func TestAuthenticationErrors(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	client := func(keyID, secret string) *awsiam.Client {
		return awsiam.NewFromConfig(aws.Config{
			Region:           "us-east-1",
			Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
			RetryMaxAttempts: 1,
			HTTPClient:       apitest.HTTPClient(),
		}, func(o *awsiam.Options) { o.BaseEndpoint = aws.String(ts.URL) })
	}
	for _, tt := range []struct {
		name   string
		c      *awsiam.Client
		code   string
		status int
		msg    string
	}{
		{"wrong secret", client(testKeyID, "wrong-secret-0000000000000000000000000000"), "SignatureDoesNotMatch", 403, "The request signature we calculated does not match"},
		{"unknown access key", client("AKIDNOBODY0000000000", testSecret), "InvalidClientTokenId", 403, "The security token included in the request is invalid."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.ListRoles(context.Background(), &awsiam.ListRolesInput{})
			wantAPIError(t, "ListRoles", err, tt.code, tt.status, tt.msg)
		})
	}

	const body = "Action=ListRoles&Version=2010-05-08"
	signed := func(service string, at time.Time) *http.Request {
		req, err := http.NewRequest("POST", ts.URL+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at); err != nil {
			t.Fatal(err)
		}
		return req
	}
	for _, tt := range []struct {
		name   string
		req    func() *http.Request
		status int
		want   []string
	}{
		{"unsigned", func() *http.Request {
			req, _ := http.NewRequest("POST", ts.URL+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return req
		}, 403, []string{`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error><RequestId>`}},
		{"malformed Authorization", func() *http.Request {
			req, _ := http.NewRequest("POST", ts.URL+"/", strings.NewReader(body))
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=nonsense")
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			return req
		}, 400, []string{"<Code>IncompleteSignature</Code>"}},
		{"signed 16 minutes ago", func() *http.Request { return signed("iam", time.Now().Add(-16*time.Minute)) },
			403, []string{"<Code>SignatureDoesNotMatch</Code>", "Signature expired"}},
		// One endpoint serves IAM, STS and EC2, told apart by the signed
		// service; a service barge does not serve there lands on IAM.
		{"signed for another service", func() *http.Request { return signed("sqs", time.Now()) },
			403, []string{"<Code>SignatureDoesNotMatch</Code>", "Credential should be scoped to correct service: &#39;iam&#39;"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d; body %s", resp.StatusCode, tt.status, b)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("body %s, want it to contain %s", b, w)
				}
			}
		})
	}
}
