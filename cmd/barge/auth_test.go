package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/bargehq/barge/internal/awscli"
)

// rawResponse is a response read in full, for wire-level assertions.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

func readResponse(t *testing.T, resp *http.Response) rawResponse {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response body: %v", err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// rawCall sends body, correctly signed, to the Batch operation at path
// (such as /v1/createjobqueue): for requests the SDK would refuse to send.
func rawCall(t *testing.T, ts *testServer, method, path, body string) rawResponse {
	t.Helper()
	var b []byte
	if body != "" || method == http.MethodPost {
		b = []byte(body)
	}
	return readResponse(t, ts.signedRequest(method, path, "batch", "us-east-1", b, nil))
}

// errorBody is the restJson1 error body.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// wantWireError fails unless r is an AWS restJson1 error of the given
// status and type, in the format every SDK parses (X-Amzn-ErrorType, a JSON
// body with __type and message, a request ID), whose message contains every
// fragment.
func wantWireError(t *testing.T, r rawResponse, status int, errType string, fragments ...string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status = %d, want %d (body %s)", r.Status, status, r.Body)
	}
	if got := r.Header.Get("X-Amzn-ErrorType"); got != errType {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, errType)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	if r.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("x-amzn-RequestId is missing")
	}
	var e errorBody
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("error body %q is not JSON: %v", r.Body, err)
	}
	if e.Type != errType {
		t.Errorf("__type = %q, want %q", e.Type, errType)
	}
	if e.Message == "" {
		t.Errorf("message is empty in %s", r.Body)
	}
	for _, f := range fragments {
		if !strings.Contains(e.Message, f) {
			t.Errorf("message = %q, want it to mention %q", e.Message, f)
		}
	}
}

// wantRawClientError is wantWireError for a 400 ClientException.
func wantRawClientError(t *testing.T, r rawResponse, fragments ...string) {
	t.Helper()
	wantWireError(t, r, http.StatusBadRequest, "ClientException", fragments...)
}

// signFor builds a request to the server signed with creds for region at
// the given time.
func signFor(t *testing.T, ts *testServer, method, path string, body []byte, creds aws.Credentials, region string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), "batch", region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

func sendRaw(t *testing.T, req *http.Request) rawResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return readResponse(t, resp)
}

// TestAuthenticationErrors sends requests that fail authentication and
// checks that each is refused the way AWS's front door refuses it.
func TestAuthenticationErrors(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	good := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	const path = "/v1/describecomputeenvironments"
	body := []byte(`{}`)

	tests := []struct {
		name       string
		req        func() *http.Request
		wantStatus int
		wantType   string
		wantMsg    []string
	}{
		{
			name: "unsigned",
			req: func() *http.Request {
				req, _ := http.NewRequest(http.MethodPost, ts.URL+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				return req
			},
			wantStatus: http.StatusForbidden, wantType: "MissingAuthenticationTokenException",
			wantMsg: []string{"Missing Authentication Token"},
		},
		{
			name: "unknown access key",
			req: func() *http.Request {
				return signFor(t, ts, http.MethodPost, path, body, aws.Credentials{AccessKeyID: "AKIDUNKNOWN000000000", SecretAccessKey: testSecret}, "us-east-1", time.Now())
			},
			wantStatus: http.StatusForbidden, wantType: "UnrecognizedClientException",
			wantMsg: []string{"security token"},
		},
		{
			name: "wrong secret",
			req: func() *http.Request {
				return signFor(t, ts, http.MethodPost, path, body, aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: "not-the-secret"}, "us-east-1", time.Now())
			},
			wantStatus: http.StatusForbidden, wantType: "InvalidSignatureException",
			wantMsg: []string{"signature we calculated does not match"},
		},
		{
			name: "body altered after signing",
			req: func() *http.Request {
				req := signFor(t, ts, http.MethodPost, path, body, good, "us-east-1", time.Now())
				altered := []byte(`{"maxResults":1}`)
				req.Body = io.NopCloser(bytes.NewReader(altered))
				req.ContentLength = int64(len(altered))
				return req
			},
			wantStatus: http.StatusForbidden, wantType: "InvalidSignatureException",
			wantMsg: []string{"signature we calculated does not match"},
		},
		{
			name: "signed 16 minutes ago",
			req: func() *http.Request {
				return signFor(t, ts, http.MethodPost, path, body, good, "us-east-1", time.Now().Add(-16*time.Minute))
			},
			wantStatus: http.StatusForbidden, wantType: "InvalidSignatureException",
			wantMsg: []string{"Signature expired", "15 min."},
		},
		{
			name: "signed 16 minutes ahead",
			req: func() *http.Request {
				return signFor(t, ts, http.MethodPost, path, body, good, "us-east-1", time.Now().Add(16*time.Minute))
			},
			wantStatus: http.StatusForbidden, wantType: "InvalidSignatureException",
			wantMsg: []string{"Signature not yet current"},
		},
		{
			name: "malformed Authorization",
			req: func() *http.Request {
				req, _ := http.NewRequest(http.MethodPost, ts.URL+path, bytes.NewReader(body))
				req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=nonsense")
				req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
				return req
			},
			wantStatus: http.StatusBadRequest, wantType: "IncompleteSignatureException",
		},
		{
			name: "another region",
			req: func() *http.Request {
				return signFor(t, ts, http.MethodPost, path, body, good, "eu-west-1", time.Now())
			},
			wantStatus: http.StatusForbidden, wantType: "InvalidSignatureException",
			wantMsg: []string{"eu-west-1", "us-east-1"},
		},
		{
			name: "another service",
			req: func() *http.Request {
				req, _ := http.NewRequest(http.MethodPost, ts.URL+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if err := v4.NewSigner().SignHTTP(context.Background(), good, req, sha256Hex(body), "ecs", "us-east-1", time.Now()); err != nil {
					t.Fatal(err)
				}
				return req
			},
			wantStatus: http.StatusForbidden, wantType: "InvalidSignatureException",
			wantMsg: []string{"'batch'", "'ecs'"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantWireError(t, sendRaw(t, tt.req()), tt.wantStatus, tt.wantType, tt.wantMsg...)
		})
	}

	// A correctly signed request succeeds, so the failures above are the
	// ones each case introduced.
	r := sendRaw(t, signFor(t, ts, http.MethodPost, path, body, good, "us-east-1", time.Now()))
	if r.Status != http.StatusOK {
		t.Fatalf("correctly signed request: status %d, body %s", r.Status, r.Body)
	}
}

// TestSDKAuthenticationErrors checks the authentication failures as SDK
// users see them.
func TestSDKAuthenticationErrors(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	client := func(keyID, secret, region string) *batch.Client {
		cfg := ts.awsConfig()
		cfg.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, "")
		cfg.Region = region
		return batch.NewFromConfig(cfg, func(o *batch.Options) { o.BaseEndpoint = aws.String(ts.URL) })
	}
	tests := []struct {
		name     string
		c        *batch.Client
		wantCode string
		wantMsg  string
	}{
		{"wrong secret", client(testKeyID, "wrong-secret-key-00000000000000000000000", "us-east-1"), "InvalidSignatureException", "signature"},
		{"unknown access key", client("AKIDNOBODY0000000000", testSecret, "us-east-1"), "UnrecognizedClientException", "security token"},
		{"region mismatch", client(testKeyID, testSecret, "eu-west-1"), "InvalidSignatureException", "answers for region 'us-east-1'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.c.DescribeComputeEnvironments(context.Background(), &batch.DescribeComputeEnvironmentsInput{})
			if got := apiErrorCode(err); got != tt.wantCode {
				t.Fatalf("DescribeComputeEnvironments error = %v, want %s", err, tt.wantCode)
			}
			if msg := apiErrorMessage(err); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message = %q, want it to mention %q", msg, tt.wantMsg)
			}
		})
	}
}

// TestPresignedListTags reads a resource's tags through a presigned URL, as
// a browser or curl would, with no Authorization header.
func TestPresignedListTags(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	c := ts.batch()
	in := fargateCEInput("presigned")
	in.Tags = map[string]string{"team": "data"}
	out, err := c.CreateComputeEnvironment(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.ComputeEnvironmentArn)

	presign := func(at time.Time, expires time.Duration) string {
		// The ARN is one path label, percent-encoded the way the SDK does.
		u := ts.URL + "/v1/tags/" + strings.ReplaceAll(url.PathEscape(arn), ":", "%3A")
		u += "?X-Amz-Expires=" + strconv.Itoa(int(expires.Seconds()))
		req, err := http.NewRequest(http.MethodGet, ts.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.URL, err = url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
			req, sha256Hex(nil), "batch", "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}

	resp, err := http.Get(presign(time.Now(), 5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	r := readResponse(t, resp)
	if r.Status != http.StatusOK {
		t.Fatalf("presigned GET: status %d, body %s", r.Status, r.Body)
	}
	var tags struct{ Tags map[string]string }
	if err := json.Unmarshal(r.Body, &tags); err != nil || tags.Tags["team"] != "data" {
		t.Errorf("presigned GET body = %s (%v), want the tag team=data", r.Body, err)
	}

	// An expired presigned URL is refused.
	resp, err = http.Get(presign(time.Now().Add(-10*time.Minute), 5*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	wantWireError(t, readResponse(t, resp), http.StatusForbidden, "InvalidSignatureException")
}

// TestWireErrors sends malformed, unsupported and oversized requests and
// checks each gets a restJson1 client error that says what is wrong, never
// a server error.
func TestWireErrors(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantType   string
		wantMsg    []string
	}{
		{"malformed JSON", "POST", "/v1/createcomputeenvironment", `{"computeEnvironmentName": `, 400, "ClientException", []string{"not valid JSON"}},
		{"not an object", "POST", "/v1/describecomputeenvironments", `["x"]`, 400, "ClientException", []string{"Invalid type"}},
		{"two objects", "POST", "/v1/describecomputeenvironments", `{} {}`, 400, "ClientException", []string{"single JSON object"}},
		{"wrong member type", "POST", "/v1/createjobqueue", `{"jobQueueName":"q","priority":"high","computeEnvironmentOrder":[]}`, 400, "ClientException", []string{"priority", "a number"}},
		{"wrong nested member type", "POST", "/v1/createcomputeenvironment", `{"computeEnvironmentName":"ce","type":"MANAGED","computeResources":{"type":"FARGATE","maxvCpus":"lots"}}`, 400, "ClientException", []string{"computeResources.maxvCpus"}},
		{"list where a string is expected", "POST", "/v1/deletejobqueue", `{"jobQueue":["a","b"]}`, 400, "ClientException", []string{"jobQueue"}},
		{"unsupported Batch operation", "POST", "/v1/createquotashare", `{}`, 400, "ClientException", []string{"CreateQuotaShare", "not supported"}},
		{"unsupported service-environment operation", "POST", "/v1/describeserviceenvironments", `{}`, 400, "ClientException", []string{"DescribeServiceEnvironments"}},
		{"unknown path", "POST", "/v1/frobnicate", `{}`, 400, "ClientException", []string{"/v1/frobnicate"}},
		{"wrong method", "GET", "/v1/describecomputeenvironments", ``, 400, "ClientException", []string{"DescribeComputeEnvironments", "POST, not GET"}},
		{"wrong method on tags", "PUT", "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob%2Fx", `{}`, 400, "ClientException", []string{"DELETE", "not PUT"}},
		{"fractional number", "POST", "/v1/createjobqueue", `{"jobQueueName":"q","priority":1.5}`, 400, "ClientException", []string{"priority"}},
		{"number beyond int32", "POST", "/v1/createjobqueue", `{"jobQueueName":"q","priority":99999999999}`, 400, "ClientException", []string{"priority"}},
		{"tags path without an ARN", "GET", "/v1/tags/", ``, 400, "ClientException", []string{"resourceArn is required"}},
		{"over the operation's limit", "POST", "/v1/describecomputeenvironments", `{"nextToken":"` + strings.Repeat("x", 300*1024) + `"}`, 400, "ClientException", []string{"DescribeComputeEnvironments", "limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantWireError(t, rawCall(t, ts, tt.method, tt.path, tt.body), tt.wantStatus, tt.wantType, tt.wantMsg...)
		})
	}

	t.Run("body over the limit of a path with no operation", func(t *testing.T) {
		body := `{"nextToken":"` + strings.Repeat("x", 64<<10) + `"}`
		wantWireError(t, rawCall(t, ts, "POST", "/v1/frobnicate", body), http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "64 KiB")
	})

	t.Run("success", func(t *testing.T) {
		for _, body := range []string{`{}`, ``} {
			r := rawCall(t, ts, "POST", "/v1/describecomputeenvironments", body)
			if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("x-amzn-RequestId") == "" {
				t.Errorf("body %q: status %d, headers %v, want 200 JSON with a request ID", body, r.Status, r.Header)
			}
			if got := strings.TrimSpace(string(r.Body)); got != `{"computeEnvironments":[]}` {
				t.Errorf("body %q: response = %s, want an empty list", body, got)
			}
		}
	})

	t.Run("unknown members are ignored", func(t *testing.T) {
		// Newer SDKs send members this server does not know yet.
		r := rawCall(t, ts, "POST", "/v1/createcomputeenvironment",
			`{"computeEnvironmentName":"future","type":"MANAGED","someFutureMember":{"x":1},"computeResources":{"type":"FARGATE","maxvCpus":1,"subnets":["s"],"securityGroupIds":["sg"],"futureToo":true}}`)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"computeEnvironmentArn"`) {
			t.Errorf("create with unknown members: %d %s, want success", r.Status, r.Body)
		}
	})

	t.Run("unescaped ARN in the tags path", func(t *testing.T) {
		r := rawCall(t, ts, "GET", "/v1/tags/arn:aws:batch:us-east-1:123456789012:compute-environment/future", ``)
		if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != `{"tags":{}}` {
			t.Errorf("GET tags with a raw ARN: %d %s, want 200 {\"tags\":{}}", r.Status, r.Body)
		}
	})

	t.Run("request IDs differ", func(t *testing.T) {
		a := rawCall(t, ts, "POST", "/v1/describejobqueues", `{}`).Header.Get("x-amzn-RequestId")
		b := rawCall(t, ts, "POST", "/v1/describejobqueues", `{}`).Header.Get("x-amzn-RequestId")
		if a == "" || a == b {
			t.Errorf("request IDs %q and %q, want two different IDs", a, b)
		}
	})

	t.Run("healthz needs no signature", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		r := readResponse(t, resp)
		if r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != "ok" {
			t.Errorf("GET /healthz = %d %q, want 200 ok", r.Status, r.Body)
		}
	})
}

// TestAWSCLI runs the aws CLIs installed here against the server: the one
// on PATH (v1 with the machine's botocore) and Debian's v2 at /usr/bin/aws,
// the smoke test that their signing and parsing agree with barge's.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	clis := awscli.Installed()
	if len(clis) == 0 {
		t.Skip("no aws CLI installed")
	}
	for _, cli := range clis {
		t.Run(cli, func(t *testing.T) {
			t.Parallel()
			testAWSCLI(t, cli)
		})
	}
}

func testAWSCLI(t *testing.T, awsCLI string) {
	ts := startServer(t, "")
	in := fargateCEInput("cli-ce")
	in.Tags = map[string]string{"owner": "cli"}
	out, err := ts.batch().CreateComputeEnvironment(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}

	home := t.TempDir()
	run := func(args ...string) (stdout, stderr []byte, err error) {
		t.Helper()
		cmd := awscli.Client{CLI: awsCLI, Endpoint: ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
			Region: "us-east-1", Home: home}.Command(context.Background(), args...)
		var errBuf bytes.Buffer
		cmd.Stderr = &errBuf
		stdout, err = cmd.Output()
		return stdout, errBuf.Bytes(), err
	}
	cli := func(args ...string) []byte {
		t.Helper()
		stdout, stderr, err := run(args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return stdout
	}

	b := cli("batch", "describe-compute-environments")
	var ces struct {
		ComputeEnvironments []struct{ ComputeEnvironmentName, Status string }
	}
	if err := json.Unmarshal(b, &ces); err != nil || !bytes.Contains(b, []byte(`"computeEnvironments"`)) {
		t.Fatalf("describe-compute-environments printed %s (%v), want JSON with computeEnvironments", b, err)
	}
	if len(ces.ComputeEnvironments) != 1 || ces.ComputeEnvironments[0].ComputeEnvironmentName != "cli-ce" {
		t.Errorf("describe-compute-environments = %+v, want cli-ce", ces.ComputeEnvironments)
	}

	// botocore percent-encodes the ARN in the tag path its own way.
	b = cli("batch", "list-tags-for-resource", "--resource-arn", aws.ToString(out.ComputeEnvironmentArn))
	if !bytes.Contains(b, []byte(`"owner": "cli"`)) {
		t.Errorf("list-tags-for-resource printed %s, want the tag owner=cli", b)
	}

	// botocore parses barge's errors: the CLI fails and shows the code and
	// message.
	_, stderr, err := run("batch", "delete-compute-environment", "--compute-environment", "cli-ce")
	if err == nil || !bytes.Contains(stderr, []byte("(ClientException)")) || !bytes.Contains(stderr, []byte("is ENABLED")) {
		t.Errorf("delete-compute-environment of an ENABLED compute environment: %v, stderr %s, want a ClientException saying it is ENABLED", err, stderr)
	}
}
