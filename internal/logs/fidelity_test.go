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
			status, body := e.raw(t, "CreateLogGroup", tt.body)
			if status != 400 || body.Type != "SerializationException" || body.Message == "" {
				t.Errorf("CreateLogGroup %s = %d %+v, want 400 SerializationException with a message", tt.body, status, body)
			}
		})
	}
	out, err := e.logs.DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(out.LogGroups) != 0 {
		t.Errorf("after refused requests DescribeLogGroups = %d groups, %v; want none", len(out.LogGroups), err)
	}
}

// raw sends body to operation op signed as the SDKs sign, for bodies the
// SDKs would not send, and returns the answer's status and error.
func (e *env) raw(t *testing.T, op, body string) (int, rawError) {
	t.Helper()
	req, err := http.NewRequest("POST", e.URL+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Logs_20140328."+op)
	sum := sha256.Sum256([]byte(body))
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
	var out rawError
	if resp.StatusCode != 200 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s: error body %s: %v", op, b, err)
		}
	}
	return resp.StatusCode, out
}

// rawError is an awsJson1.1 error body.
type rawError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// TestValidationWording sends requests that break the model's rules, as
// clients that do not validate before sending (the JS SDK v3, curl) can:
// barge refuses them in AWS's own words, every broken rule counted, and
// creates nothing.
func TestValidationWording(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	for _, tt := range []struct{ op, body, want string }{
		{"CreateLogGroup", `{}`, "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"},
		{"CreateLogGroup", `{"logGroupName": null}`, "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"},
		{"CreateLogGroup", `{"logGroupName": ""}`, "2 validation errors detected: Value '' at 'logGroupName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
			"Value '' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"},
		{"CreateLogStream", `{}`, "2 validation errors detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'logStreamName' failed to satisfy constraint: Member must not be null"},
		{"CreateLogStream", `{"logGroupName": "g", "logStreamName": ""}`, "1 validation error detected: Value '' at 'logStreamName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"PutRetentionPolicy", `{"logGroupName": "g"}`, "1 validation error detected: Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null"},
		{"PutLogEvents", `{"logGroupName": "g", "logStreamName": "s"}`, "1 validation error detected: Value null at 'logEvents' failed to satisfy constraint: Member must not be null"},
		{"PutLogEvents", `{"logGroupName": "g", "logStreamName": "s", "logEvents": [{"message": "a"}, {"timestamp": 1}]}`,
			"2 validation errors detected: Value null at 'logEvents.1.member.timestamp' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'logEvents.2.member.message' failed to satisfy constraint: Member must not be null"},
		{"PutLogEvents", `{"logGroupName": "g", "logStreamName": "s", "logEvents": []}`, "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"GetLogEvents", `{"logGroupName": "g"}`, "1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null"},
		{"TagResource", `{"tags": {"a": "b"}}`, "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null"},
		{"TagLogGroup", `{"logGroupName": "g", "tags": {}}`, "1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"UntagLogGroup", `{"logGroupName": "g", "tags": []}`, "1 validation error detected: Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
	} {
		status, got := e.raw(t, tt.op, tt.body)
		if status != 400 || got.Type != "InvalidParameterException" || got.Message != tt.want {
			t.Errorf("%s %s = %d %s %q,\nwant 400 InvalidParameterException %q", tt.op, tt.body, status, got.Type, got.Message, tt.want)
		}
	}
	out, err := e.logs.DescribeLogGroups(ctx0, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil || len(out.LogGroups) != 1 {
		t.Errorf("after refused requests DescribeLogGroups = %d groups, %v; want g only", len(out.LogGroups), err)
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
