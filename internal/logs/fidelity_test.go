package logs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// TestKMSKeyID checks that the kmsKeyId a group is created with is what
// DescribeLogGroups returns, and that a group created without one has none.
func TestKMSKeyID(t *testing.T) {
	e := newEnv(t)
	const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if _, err := e.logs.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/enc"), KmsKeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	e.createGroup("/plain")
	out, err := e.logs.DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, g := range out.LogGroups {
		got[aws.ToString(g.LogGroupName)] = aws.ToString(g.KmsKeyId)
	}
	if got["/enc"] != key || got["/plain"] != "" || len(got) != 2 {
		t.Errorf("DescribeLogGroups kmsKeyId = %q, want /enc: %s and /plain: none", got, key)
	}
	_, err = e.logs.CreateLogGroup(ctx0, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/long"), KmsKeyId: aws.String(strings.Repeat("k", 257))})
	wantAPIError(t, "CreateLogGroup with a 257-character kmsKeyId", err, "InvalidParameterException", "at 'kmsKeyId' failed to satisfy constraint: Member must have length less than or equal to 256")
}

// TestSerializationException sends bodies that do not decode, signed as
// the SDKs sign: AWS answers them with SerializationException, not
// InvalidParameterException, and nothing is created.
func TestSerializationException(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ name, body string }{
		{"not JSON", `{"logGroupName": "g"`},
		{"wrong type", `{"logGroupName": 7}`},
		{"two objects", `{"logGroupName": "g"} {}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", e.URL+"/", bytes.NewReader([]byte(tt.body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogGroup")
			sum := sha256.Sum256([]byte(tt.body))
			creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "logs", testRegion, time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var body struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(b, &body); err != nil || resp.StatusCode != 400 || body.Type != "SerializationException" || body.Message == "" {
				t.Errorf("CreateLogGroup %s = %d %s, want 400 SerializationException with a message", tt.body, resp.StatusCode, b)
			}
		})
	}
	out, err := e.logs.DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(out.LogGroups) != 0 {
		t.Errorf("after refused requests DescribeLogGroups = %d groups, %v; want none", len(out.LogGroups), err)
	}
}

// TestAuthenticationStatus checks that Logs, an awsJson1.1 service, refuses
// bad credentials with HTTP 400 and the JSON protocols' codes, as AWS does
// (IAM answers 403 with its own codes; Batch 403).
func TestAuthenticationStatus(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name, keyID, secret, code string
	}{
		{"wrong secret", testKeyID, "wrong-secret-0000000000000000000000000000", "InvalidSignatureException"},
		{"unknown access key", "AKIDNOBODY0000000000", testSecret, "UnrecognizedClientException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(`{}`)
			req, err := http.NewRequest("POST", e.URL+"/", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
			sum := sha256.Sum256(body)
			creds := aws.Credentials{AccessKeyID: tt.keyID, SecretAccessKey: tt.secret}
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "logs", testRegion, time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var got struct {
				Type string `json:"__type"`
			}
			if err := json.Unmarshal(b, &got); err != nil || resp.StatusCode != 400 || got.Type != tt.code {
				t.Errorf("DescribeLogGroups = %d %s, want 400 %s", resp.StatusCode, b, tt.code)
			}
		})
	}
	_, err := e.client("wrong-secret-0000000000000000000000000000").DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{})
	wantAPIError(t, "DescribeLogGroups through the SDK with a wrong secret", err, "InvalidSignatureException", "signature")
}
