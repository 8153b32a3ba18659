package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// forgery is one request that must not be accepted: built correctly signed,
// then changed the way an attacker (or a broken client) would change it.
type forgery struct {
	name     string
	req      func(t *testing.T) *http.Request
	wantType string // the AWS error type of the refusal
}

// signAs builds a request to the server and signs it with aws-sdk-go-v2's
// signer; header is set before signing, so that it is signed.
func signAs(t *testing.T, ts *testServer, method, path, service, region string, body []byte, header http.Header,
	creds aws.Credentials, payloadHash string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if payloadHash == "" {
		payloadHash = sha256Hex(body)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

// setBody replaces a request's body after signing.
func setBody(req *http.Request, body []byte) {
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
}

// presignURL returns a presigned GET URL for path (whose query, if any, is
// signed too), valid for expires from at.
func presignURL(t *testing.T, ts *testServer, path string, at time.Time, expires time.Duration) string {
	t.Helper()
	u, err := url.Parse(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires.Seconds())))
	u.RawQuery = q.Encode()
	req := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}, Host: u.Host}
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
		req, sha256Hex(nil), "batch", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// TestForgeryMatrix sends forged, altered, replayed and out-of-date
// requests to every protocol barge serves and checks that none is accepted:
// each is refused with the authentication error AWS gives, and changes
// nothing. The correctly signed originals succeed, so each refusal is the
// change's doing.
func TestForgeryMatrix(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	ctx := context.Background()
	good := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	if _, err := ts.logs().CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/forgery/kept")}); err != nil {
		t.Fatal(err)
	}
	c := ts.batch()
	if _, err := c.CreateComputeEnvironment(ctx, fargateCEInput("forgery-ce")); err != nil {
		t.Fatal(err)
	}
	waitCEStatus(t, c, "forgery-ce", "VALID")
	queueARN := createQueue(t, c, "forgery-kept", "forgery-ce")
	tagsPath := "/v1/tags/" + strings.ReplaceAll(url.PathEscape(queueARN), ":", "%3A")

	batchBody := []byte(`{}`)
	batchReq := func(t *testing.T, creds aws.Credentials, region, service string, at time.Time) *http.Request {
		return signAs(t, ts, http.MethodPost, "/v1/describejobqueues", service, region, batchBody,
			http.Header{"Content-Type": {"application/json"}}, creds, "", at)
	}
	logsHeader := func(op string) http.Header {
		return http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"Logs_20140328." + op}}
	}
	logsBody := []byte(`{"logGroupName":"/forgery/kept"}`)
	iamBody := []byte("Action=ListRoles&Version=2010-05-08")
	iamHeader := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	now := time.Now()

	originals := map[string]func(t *testing.T) *http.Request{
		"batch": func(t *testing.T) *http.Request { return batchReq(t, good, "us-east-1", "batch", now) },
		"logs": func(t *testing.T) *http.Request {
			return signAs(t, ts, http.MethodPost, "/", "logs", "us-east-1", logsBody, logsHeader("DescribeLogStreams"), good, "", now)
		},
		"iam": func(t *testing.T) *http.Request {
			return signAs(t, ts, http.MethodPost, "/", "iam", "us-east-1", iamBody, iamHeader, good, "", now)
		},
		"batch GET tags": func(t *testing.T) *http.Request {
			return signAs(t, ts, http.MethodGet, tagsPath, "batch", "us-east-1", nil, nil, good, "", now)
		},
		"presigned GET tags": func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, presignURL(t, ts, tagsPath, now, 5*time.Minute), nil)
			return req
		},
	}
	for name, req := range originals {
		if r := sendRaw(t, req(t)); r.Status != http.StatusOK {
			t.Fatalf("correctly signed %s request: status %d, body %s", name, r.Status, r.Body)
		}
	}

	forgeries := []forgery{
		{"no signature", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/describejobqueues", bytes.NewReader(batchBody))
			return req
		}, "MissingAuthenticationTokenException"},
		{"unknown access key", func(t *testing.T) *http.Request {
			return batchReq(t, aws.Credentials{AccessKeyID: "AKIDFORGED0000000000", SecretAccessKey: testSecret}, "us-east-1", "batch", now)
		}, "UnrecognizedClientException"},
		{"wrong secret", func(t *testing.T) *http.Request {
			return batchReq(t, aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret + "x"}, "us-east-1", "batch", now)
		}, "InvalidSignatureException"},
		{"body altered", func(t *testing.T) *http.Request {
			req := batchReq(t, good, "us-east-1", "batch", now)
			setBody(req, []byte(`{"maxResults":1}`))
			return req
		}, "InvalidSignatureException"},
		{"body altered, payload hash header kept", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodPost, "/v1/describejobqueues", "batch", "us-east-1", batchBody,
				http.Header{"Content-Type": {"application/json"}, "X-Amz-Content-Sha256": {sha256Hex(batchBody)}}, good, "", now)
			setBody(req, []byte(`{"maxResults":1}`))
			return req
		}, "InvalidSignatureException"},
		{"path altered", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodPost, "/v1/describejobqueues", "batch", "us-east-1", []byte(`{"jobQueue":"forgery-kept"}`),
				http.Header{"Content-Type": {"application/json"}}, good, "", now)
			req.URL.Path = "/v1/deletejobqueue"
			return req
		}, "InvalidSignatureException"},
		{"query altered", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodDelete, tagsPath+"?tagKeys=a", "batch", "us-east-1", nil, nil, good, "", now)
			req.URL.RawQuery = "tagKeys=b"
			return req
		}, "InvalidSignatureException"},
		{"query parameter added", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodDelete, tagsPath+"?tagKeys=a", "batch", "us-east-1", nil, nil, good, "", now)
			req.URL.RawQuery += "&tagKeys=b"
			return req
		}, "InvalidSignatureException"},
		{"method altered", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodGet, tagsPath+"?tagKeys=a", "batch", "us-east-1", nil, nil, good, "", now)
			req.Method = http.MethodDelete
			return req
		}, "InvalidSignatureException"},
		{"signed header altered", func(t *testing.T) *http.Request {
			req := batchReq(t, good, "us-east-1", "batch", now)
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
			return req
		}, "InvalidSignatureException"},
		{"host altered", func(t *testing.T) *http.Request {
			req := batchReq(t, good, "us-east-1", "batch", now)
			req.Host = "barge.example"
			return req
		}, "InvalidSignatureException"},
		{"date header altered", func(t *testing.T) *http.Request {
			req := batchReq(t, good, "us-east-1", "batch", now)
			req.Header.Set("X-Amz-Date", now.Add(time.Second).UTC().Format("20060102T150405Z"))
			return req
		}, "InvalidSignatureException"},
		{"signed 16 minutes ago", func(t *testing.T) *http.Request {
			return batchReq(t, good, "us-east-1", "batch", now.Add(-16*time.Minute))
		}, "InvalidSignatureException"},
		{"signed 16 minutes ahead", func(t *testing.T) *http.Request {
			return batchReq(t, good, "us-east-1", "batch", now.Add(16*time.Minute))
		}, "InvalidSignatureException"},
		{"another region", func(t *testing.T) *http.Request {
			return batchReq(t, good, "eu-west-1", "batch", now)
		}, "InvalidSignatureException"},
		{"another service", func(t *testing.T) *http.Request {
			return batchReq(t, good, "us-east-1", "logs", now)
		}, "InvalidSignatureException"},
		{"presigned URL expired", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, presignURL(t, ts, tagsPath, now.Add(-10*time.Minute), 5*time.Minute), nil)
			return req
		}, "InvalidSignatureException"},
		{"presigned URL with its path altered", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, strings.Replace(presignURL(t, ts, tagsPath, now, 5*time.Minute), "forgery-kept", "forgery-kepu", 1), nil)
			return req
		}, "InvalidSignatureException"},
		{"presigned URL with its lifetime extended", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, strings.Replace(presignURL(t, ts, tagsPath, now, 5*time.Minute), "X-Amz-Expires=300", "X-Amz-Expires=3000", 1), nil)
			return req
		}, "InvalidSignatureException"},
		{"presigned URL used with another method", func(t *testing.T) *http.Request {
			req, _ := http.NewRequest(http.MethodDelete, presignURL(t, ts, tagsPath, now, 5*time.Minute), nil)
			return req
		}, "InvalidSignatureException"},
		{"unsigned payload", func(t *testing.T) *http.Request {
			return signAs(t, ts, http.MethodPost, "/v1/describejobqueues", "batch", "us-east-1", batchBody,
				http.Header{"Content-Type": {"application/json"}, "X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}, good, "UNSIGNED-PAYLOAD", now)
		}, "InvalidSignatureException"},
		{"streaming payload", func(t *testing.T) *http.Request {
			const streaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
			return signAs(t, ts, http.MethodPost, "/v1/describejobqueues", "batch", "us-east-1", batchBody,
				http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"aws-chunked"},
					"X-Amz-Content-Sha256": {streaming}, "X-Amz-Decoded-Content-Length": {strconv.Itoa(len(batchBody))}}, good, streaming, now)
		}, "InvalidSignatureException"},
		{"logs: X-Amz-Target altered", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodPost, "/", "logs", "us-east-1", logsBody, logsHeader("DescribeLogStreams"), good, "", now)
			req.Header.Set("X-Amz-Target", "Logs_20140328.DeleteLogGroup")
			return req
		}, "InvalidSignatureException"},
		{"logs: X-Amz-Target not signed", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodPost, "/", "logs", "us-east-1", logsBody,
				http.Header{"Content-Type": {"application/x-amz-json-1.1"}}, good, "", now)
			req.Header.Set("X-Amz-Target", "Logs_20140328.DeleteLogGroup")
			return req
		}, "InvalidSignatureException"},
		{"logs: Content-Type not signed", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodPost, "/", "logs", "us-east-1", logsBody,
				http.Header{"X-Amz-Target": {"Logs_20140328.DescribeLogStreams"}}, good, "", now)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			return req
		}, "InvalidSignatureException"},
		{"iam: body altered", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodPost, "/", "iam", "us-east-1", iamBody, iamHeader, good, "", now)
			setBody(req, []byte("Action=DeleteRole&Version=2010-05-08&RoleName=x"))
			return req
		}, "SignatureDoesNotMatch"},
		{"iam: Content-Type not signed", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodPost, "/", "iam", "us-east-1", iamBody, nil, good, "", now)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			return req
		}, "SignatureDoesNotMatch"},
		{"iam signature sent to logs", func(t *testing.T) *http.Request {
			req := signAs(t, ts, http.MethodPost, "/", "iam", "us-east-1", logsBody, logsHeader("DeleteLogGroup"), good, "", now)
			return req
		}, "InvalidSignatureException"},
	}
	accepted := 0
	for _, f := range forgeries {
		t.Run(f.name, func(t *testing.T) {
			r := sendRaw(t, f.req(t))
			if r.Status < 400 {
				accepted++
				t.Fatalf("forged request accepted: status %d, body %s", r.Status, r.Body)
			}
			if r.Status >= 500 {
				t.Errorf("status %d, want a client error (body %s)", r.Status, r.Body)
			}
			if got := errorTypeOf(r); got != f.wantType {
				t.Errorf("error type = %q, want %q (body %s)", got, f.wantType, r.Body)
			}
		})
	}
	t.Logf("forgery matrix: %d requests, %d accepted", len(forgeries), accepted)

	// Nothing the forgeries asked for happened.
	groups, err := ts.logs().DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/forgery/")})
	if err != nil || len(groups.LogGroups) != 1 {
		t.Errorf("log groups after the forgeries: %v (%v), want /forgery/kept still there", groups, err)
	}
	if r := sendRaw(t, originals["batch GET tags"](t)); r.Status != http.StatusOK {
		t.Errorf("job queue after the forgeries: status %d, body %s, want it still there", r.Status, r.Body)
	}
}

// errorTypeOf returns the AWS error type of a response in any of barge's
// protocols: restJson1's header, awsJson1.1's __type, awsQuery's <Code>.
func errorTypeOf(r rawResponse) string {
	if t := r.Header.Get("X-Amzn-ErrorType"); t != "" {
		return t
	}
	if _, rest, ok := strings.Cut(string(r.Body), "<Code>"); ok {
		code, _, _ := strings.Cut(rest, "</Code>")
		return code
	}
	if _, rest, ok := strings.Cut(string(r.Body), `"__type":"`); ok {
		typ, _, _ := strings.Cut(rest, `"`)
		return typ
	}
	return ""
}

// TestRefusedBeforeBody sends the headers of requests that announce a large
// body and then send none of it: each that nobody could have signed is
// answered at once, so a caller without credentials makes the server hold
// no memory for a body.
func TestRefusedBeforeBody(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	addr := strings.TrimPrefix(ts.URL, "http://")
	now := time.Now().UTC()
	date := now.Format("20060102T150405Z")
	authz := func(keyID, region, service string) string {
		return fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=host;x-amz-date, Signature=%s",
			keyID, now.Format("20060102"), region, service, strings.Repeat("0", 64))
	}
	tests := []struct {
		name     string
		header   string
		wantType string
	}{
		{"no Authorization", "", "MissingAuthenticationTokenException"},
		{"malformed Authorization", "Authorization: AWS4-HMAC-SHA256 Credential=x\r\nX-Amz-Date: " + date + "\r\n", "IncompleteSignatureException"},
		{"unknown access key", "Authorization: " + authz("AKIDFORGED0000000000", "us-east-1", "logs") + "\r\nX-Amz-Date: " + date + "\r\n", "UnrecognizedClientException"},
		{"outside the clock skew", "Authorization: " + authz(testKeyID, "us-east-1", "logs") + "\r\nX-Amz-Date: " + now.Add(-time.Hour).Format("20060102T150405Z") + "\r\n", "InvalidSignatureException"},
		{"another region", "Authorization: " + authz(testKeyID, "eu-west-1", "logs") + "\r\nX-Amz-Date: " + date + "\r\n", "InvalidSignatureException"},
		{"another service", "Authorization: " + authz(testKeyID, "us-east-1", "batch") + "\r\nX-Amz-Date: " + date + "\r\n", "InvalidSignatureException"},
		{"X-Amz-Target not signed", "Authorization: " + authz(testKeyID, "us-east-1", "logs") + "\r\nX-Amz-Date: " + date + "\r\n", "InvalidSignatureException"},
		{"unsigned payload", "Authorization: " + authz(testKeyID, "us-east-1", "logs") + "\r\nX-Amz-Date: " + date + "\r\nX-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\n", "InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// A client that never sends its body: the answer must come
			// without it. The deadline only stops a broken server from
			// hanging the test.
			conn.SetDeadline(time.Now().Add(time.Minute))
			fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Logs_20140328.PutLogEvents\r\n%sContent-Length: %d\r\n\r\n",
				addr, tt.header, 2<<20)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("reading the answer before sending the body: %v", err)
			}
			r := readResponse(t, resp)
			if got := errorTypeOf(r); got != tt.wantType || r.Status < 400 {
				t.Errorf("answer = %d %s, want %s", r.Status, r.Body, tt.wantType)
			}
		})
	}
}
