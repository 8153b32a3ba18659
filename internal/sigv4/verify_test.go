package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/bargehq/barge/internal/sigv4"
)

const (
	keyID  = "AKIDEXAMPLE"
	secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

	// tagsPath is a Batch tag route: the ARN is one path segment, so its
	// colons and slash travel percent-encoded.
	tagsPath = "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq"

	mismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func lookup(id string) (string, bool) { return secret, id == keyID }

func verifier(at time.Time) *sigv4.Verifier {
	return &sigv4.Verifier{Lookup: lookup, Now: func() time.Time { return at }}
}

// receive sends req through its wire form, so the test sees what a server
// sees: Host moved out of Header, the path exactly as sent in RequestURI.
func receive(t *testing.T, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	return readRequest(t, wire.Bytes())
}

func readRequest(t *testing.T, wire []byte) (*http.Request, []byte) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}

func payloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// signed returns a request signed by aws-sdk-go-v2's signer for Batch, as the
// server receives it.
func signed(t *testing.T, method, target string, body []byte, creds aws.Credentials, at time.Time) (*http.Request, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://127.0.0.1:8420"+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash(body), "batch", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return receive(t, req)
}

// setTarget replaces the request target of a received request.
func setTarget(r *http.Request, target string) {
	r.RequestURI = target
	_, r.URL.RawQuery, _ = strings.Cut(target, "?")
}

// checkError reports whether err is an *sigv4.Error with the code and a
// message starting with msg.
func checkError(t *testing.T, err error, code, msg string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Errorf("Verify() = %v, want no error", err)
		}
		return
	}
	var e *sigv4.Error
	if !errors.As(err, &e) {
		t.Fatalf("Verify() = %v, want *sigv4.Error %s", err, code)
	}
	if e.Code != code || !strings.HasPrefix(e.Message, msg) {
		t.Errorf("Verify() = %s: %q, want %s: %q", e.Code, e.Message, code, msg)
	}
}

func TestVerifySDKSigned(t *testing.T) {
	good := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	describeJobs := []byte(`{"jobs":["job-1"]}`)
	tests := []struct {
		name     string
		method   string
		target   string
		body     []byte
		creds    aws.Credentials
		signedAt time.Time
		change   func(r *http.Request, body []byte) []byte
		code     string
		message  string
	}{
		{name: "POST with JSON body", method: "POST", target: "/v1/describejobs", body: describeJobs},
		{name: "GET on an encoded ARN", method: "GET", target: tagsPath},
		{name: "DELETE with repeated query parameters", method: "DELETE", target: tagsPath + "?tagKeys=a&tagKeys=b"},
		{name: "query parameters reordered", method: "DELETE", target: tagsPath + "?tagKeys=a&tagKeys=b",
			change: func(r *http.Request, body []byte) []byte { setTarget(r, tagsPath+"?tagKeys=b&tagKeys=a"); return body }},
		{name: "unsigned header changed", method: "POST", target: "/v1/describejobs", body: describeJobs,
			change: func(r *http.Request, body []byte) []byte { r.Header.Set("User-Agent", "other"); return body }},
		{name: "signed 14 minutes ago", method: "GET", target: tagsPath, signedAt: now.Add(-14 * time.Minute)},
		{name: "signed 14 minutes ahead", method: "GET", target: tagsPath, signedAt: now.Add(14 * time.Minute)},

		{name: "unknown access key", method: "POST", target: "/v1/describejobs", body: describeJobs,
			creds: aws.Credentials{AccessKeyID: "AKIDUNKNOWN", SecretAccessKey: secret},
			code:  sigv4.CodeUnrecognizedClient, message: "The security token included in the request is invalid."},
		{name: "wrong secret", method: "POST", target: "/v1/describejobs", body: describeJobs,
			creds: aws.Credentials{AccessKeyID: keyID, SecretAccessKey: "not-the-secret"},
			code:  sigv4.CodeInvalidSignature, message: mismatch},
		{name: "body changed", method: "POST", target: "/v1/describejobs", body: describeJobs,
			change: func(r *http.Request, body []byte) []byte {
				return bytes.Replace(body, []byte("job-1"), []byte("job-2"), 1)
			},
			code: sigv4.CodeInvalidSignature, message: mismatch},
		{name: "signed header changed", method: "POST", target: "/v1/describejobs", body: describeJobs,
			change: func(r *http.Request, body []byte) []byte {
				r.Header.Set("Content-Type", "application/xml")
				return body
			},
			code: sigv4.CodeInvalidSignature, message: mismatch},
		{name: "path changed", method: "GET", target: tagsPath,
			change: func(r *http.Request, body []byte) []byte {
				setTarget(r, strings.Replace(tagsPath, "%2Fq", "%2Fr", 1))
				return body
			},
			code: sigv4.CodeInvalidSignature, message: mismatch},
		{name: "path decoded", method: "GET", target: tagsPath,
			change: func(r *http.Request, body []byte) []byte {
				setTarget(r, strings.ReplaceAll(tagsPath, "%3A", ":"))
				return body
			},
			code: sigv4.CodeInvalidSignature, message: mismatch},
		{name: "query changed", method: "DELETE", target: tagsPath + "?tagKeys=a&tagKeys=b",
			change: func(r *http.Request, body []byte) []byte { setTarget(r, tagsPath+"?tagKeys=a&tagKeys=c"); return body },
			code:   sigv4.CodeInvalidSignature, message: mismatch},
		{name: "no authentication", method: "GET", target: tagsPath,
			change: func(r *http.Request, body []byte) []byte { r.Header.Del("Authorization"); return body },
			code:   sigv4.CodeMissingAuthenticationToken, message: "Missing Authentication Token"},
		{name: "signed 16 minutes ago", method: "GET", target: tagsPath, signedAt: now.Add(-16 * time.Minute),
			code: sigv4.CodeInvalidSignature,
			message: "Signature expired: 20251231T234400Z is now earlier than 20251231T234500Z " +
				"(20260101T000000Z - 15 min.)"},
		{name: "signed 16 minutes ahead", method: "GET", target: tagsPath, signedAt: now.Add(16 * time.Minute),
			code: sigv4.CodeInvalidSignature,
			message: "Signature not yet current: 20260101T001600Z is still later than 20260101T001500Z " +
				"(20260101T000000Z + 15 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds, at := tt.creds, tt.signedAt
			if creds.AccessKeyID == "" {
				creds = good
			}
			if at.IsZero() {
				at = now
			}
			r, body := signed(t, tt.method, tt.target, tt.body, creds, at)
			if tt.change != nil {
				body = tt.change(r, body)
			}
			res, err := verifier(now).Verify(r, body)
			checkError(t, err, tt.code, tt.message)
			if err == nil && !slices.Contains(res.SignedHeaders, "x-amz-date") {
				t.Errorf("Verify().SignedHeaders = %q, want x-amz-date among them", res.SignedHeaders)
			}
			res.SignedHeaders = nil
			want := sigv4.Result{AccessKeyID: keyID, Date: at, Region: "us-east-1", Service: "batch"}
			if err == nil && !reflect.DeepEqual(res, want) {
				t.Errorf("Verify() = %+v, want %+v", res, want)
			}
		})
	}
}

func TestVerifyUnsignedPayload(t *testing.T) {
	req, err := http.NewRequest("POST", "http://127.0.0.1:8420/v1/describejobs", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "batch", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	r, body := receive(t, req)
	_, err = verifier(now).Verify(r, body)
	checkError(t, err, sigv4.CodeInvalidSignature, "The provided 'x-amz-content-sha256' header does not match")
}

func TestVerifySDKPresigned(t *testing.T) {
	tests := []struct {
		name    string
		target  string // X-Amz-Expires, if any, is added before signing
		at      time.Time
		change  func(r *http.Request)
		code    string
		message string
	}{
		{name: "within X-Amz-Expires", target: tagsPath + "?X-Amz-Expires=300", at: now.Add(4 * time.Minute)},
		{name: "X-Amz-Expires beyond the skew", target: tagsPath + "?X-Amz-Expires=3600", at: now.Add(50 * time.Minute)},
		{name: "no X-Amz-Expires, within the skew", target: tagsPath + "?tagKeys=a&tagKeys=b", at: now.Add(10 * time.Minute)},
		{name: "past X-Amz-Expires", target: tagsPath + "?X-Amz-Expires=300", at: now.Add(6 * time.Minute),
			code: sigv4.CodeInvalidSignature,
			message: "Signature expired: 20260101T000000Z is now earlier than 20260101T000100Z " +
				"(20260101T000600Z - 5 min.)"},
		{name: "no X-Amz-Expires, past the skew", target: tagsPath, at: now.Add(16 * time.Minute),
			code: sigv4.CodeInvalidSignature, message: "Signature expired: 20260101T000000Z is now earlier than"},
		{name: "X-Amz-Expires changed", target: tagsPath + "?X-Amz-Expires=300", at: now,
			change: func(r *http.Request) {
				setTarget(r, strings.Replace(r.RequestURI, "X-Amz-Expires=300", "X-Amz-Expires=900", 1))
			},
			code: sigv4.CodeInvalidSignature, message: mismatch},
		{name: "signature changed", target: tagsPath, at: now,
			change: func(r *http.Request) {
				i := strings.Index(r.RequestURI, "X-Amz-Signature=") + len("X-Amz-Signature=")
				setTarget(r, r.RequestURI[:i]+"0"+r.RequestURI[i+1:])
			},
			code: sigv4.CodeInvalidSignature, message: mismatch},
		{name: "X-Amz-Credential missing", target: tagsPath, at: now,
			change: func(r *http.Request) {
				q := r.URL.Query()
				q.Del("X-Amz-Credential")
				setTarget(r, tagsPath+"?"+q.Encode())
			},
			code: sigv4.CodeIncompleteSignature, message: "AWS query-string parameters must include 'X-Amz-Credential'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("GET", "http://127.0.0.1:8420"+tt.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
			uri, header, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash(nil), "batch", "us-east-1", now)
			if err != nil {
				t.Fatal(err)
			}
			if req, err = http.NewRequest("GET", uri, nil); err != nil {
				t.Fatal(err)
			}
			for k, vs := range header {
				if k != "Host" {
					req.Header[k] = vs
				}
			}
			r, body := receive(t, req)
			if tt.change != nil {
				tt.change(r)
			}
			_, err = verifier(tt.at).Verify(r, body)
			checkError(t, err, tt.code, tt.message)
		})
	}
}

// TestVerifyMalformed covers the checks that come before the signature.
func TestVerifyMalformed(t *testing.T) {
	const (
		credential = "Credential=AKIDEXAMPLE/20260101/us-east-1/batch/aws4_request"
		rest       = ", SignedHeaders=host;x-amz-date, Signature=0000"
	)
	tests := []struct {
		name    string
		auth    string
		date    string
		code    string
		message string
	}{
		{"parameters and date missing", "AWS4-HMAC-SHA256 Credential=x", "", sigv4.CodeIncompleteSignature,
			"Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-HMAC-SHA256 Credential=x"},
		{"not SigV4", "Bearer abc", "20260101T000000Z", sigv4.CodeIncompleteSignature,
			"'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'."},
		{"date not ISO 8601 basic", "AWS4-HMAC-SHA256 " + credential + rest, "2026-01-01T00:00:00Z", sigv4.CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'."},
		{"host not signed", "AWS4-HMAC-SHA256 " + credential + ", SignedHeaders=x-amz-date, Signature=0000",
			"20260101T000000Z", sigv4.CodeInvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{"other algorithm", "AWS4-HMAC-SHA512 " + credential + rest, "20260101T000000Z", sigv4.CodeIncompleteSignature,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
		{"short credential", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1" + rest, "20260101T000000Z",
			sigv4.CodeIncompleteSignature, "Credential must have exactly 5 slash-delimited elements"},
		{"wrong terminator", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/batch/aws5_request" + rest,
			"20260101T000000Z", sigv4.CodeInvalidSignature,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."},
		{"scope of another day", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251231/us-east-1/batch/aws4_request" + rest,
			"20260101T000000Z", sigv4.CodeInvalidSignature,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
				"'20251231' != '20260101', from '20260101T000000Z'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := readRequest(t, []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
			r.Header.Set("Authorization", tt.auth)
			if tt.date != "" {
				r.Header.Set("X-Amz-Date", tt.date)
			}
			_, err := verifier(now).Verify(r, body)
			checkError(t, err, tt.code, tt.message)
		})
	}
}

// TestVerifyCaptured verifies requests exactly as the AWS CLI v1 (botocore)
// and the aws-sdk-go-v2 service clients put them on the wire; see
// testdata/README.md for how they were captured.
func TestVerifyCaptured(t *testing.T) {
	files, err := filepath.Glob("testdata/*/*.http")
	if err != nil || len(files) == 0 {
		t.Fatalf("no captured requests: %v", err)
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			wire, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			r, body := readRequest(t, wire)
			at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
			if r.Header.Get("X-Amz-Date") == "" {
				at, err = time.Parse(time.RFC1123Z, r.Header.Get("Date"))
			}
			if err != nil {
				t.Fatal(err)
			}
			at = at.UTC()
			res, err := verifier(at).Verify(r, body)
			if err != nil {
				var e *sigv4.Error
				errors.As(err, &e)
				t.Fatalf("Verify() = %v\ncanonical request:\n%s", err, e.CanonicalRequest)
			}
			service, _, _ := strings.Cut(filepath.Base(file), "-")
			res.SignedHeaders = nil
			want := sigv4.Result{AccessKeyID: keyID, Date: at, Region: "us-east-1", Service: service}
			if !reflect.DeepEqual(res, want) {
				t.Errorf("Verify() = %+v, want %+v", res, want)
			}

			r, body = readRequest(t, wire)
			if strings.Contains(r.RequestURI, "?") {
				setTarget(r, r.RequestURI+"&x=1")
			} else {
				setTarget(r, r.RequestURI+"?x=1")
			}
			_, err = verifier(at).Verify(r, body)
			checkError(t, err, sigv4.CodeInvalidSignature, mismatch)
		})
	}
}

func TestErrorHTTPStatus(t *testing.T) {
	tests := []struct {
		code string
		want int
	}{
		{sigv4.CodeMissingAuthenticationToken, http.StatusForbidden},
		{sigv4.CodeIncompleteSignature, http.StatusBadRequest},
		{sigv4.CodeUnrecognizedClient, http.StatusForbidden},
		{sigv4.CodeInvalidSignature, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := (&sigv4.Error{Code: tt.code}).HTTPStatus(); got != tt.want {
				t.Errorf("HTTPStatus() = %d, want %d", got, tt.want)
			}
		})
	}
}

// A verifier keeps the signing keys it derived, but a request is checked
// against the secret its key has now: after a secret changes, a request
// signed with the old one fails, and one signed with the new one passes,
// though the old key for the same scope was used a moment before.
func TestVerifySecretChanges(t *testing.T) {
	current := secret
	v := &sigv4.Verifier{
		Lookup: func(id string) (string, bool) { return current, id == keyID },
		Now:    func() time.Time { return now },
	}
	old := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	for range 2 {
		r, body := signed(t, "POST", "/v1/describejobs", []byte(`{"jobs":["a"]}`), old, now)
		if _, err := v.Verify(r, body); err != nil {
			t.Fatalf("Verify = %v, want success", err)
		}
	}
	current = "rotated/K7MDENG+bPxRfiCYEXAMPLEKEY"
	r, body := signed(t, "POST", "/v1/describejobs", []byte(`{"jobs":["a"]}`), old, now)
	var e *sigv4.Error
	if _, err := v.Verify(r, body); !errors.As(err, &e) || e.Code != sigv4.CodeInvalidSignature {
		t.Fatalf("Verify with the old secret = %v, want %s", err, sigv4.CodeInvalidSignature)
	}
	r, body = signed(t, "POST", "/v1/describejobs", []byte(`{"jobs":["a"]}`), aws.Credentials{AccessKeyID: keyID, SecretAccessKey: current}, now)
	if _, err := v.Verify(r, body); err != nil {
		t.Fatalf("Verify with the new secret = %v, want success", err)
	}
}
