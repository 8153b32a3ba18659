package sigv4

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCanonicalURI(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"", "/"},
		{"/", "/"},
		{"/v1/describejobs", "/v1/describejobs"},
		// An escape in the path as sent is encoded again, as the SDKs do.
		{"/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq",
			"/v1/tags/arn%253Aaws%253Abatch%253Aus-east-1%253A123456789012%253Ajob-queue%252Fq"},
		{"/a%20b", "/a%2520b"},
		{"/a b", "/a%20b"},
		{"/$delete", "/%24delete"},
		{"/\u1234", "/%E1%88%B4"},
		{"/-._~AZaz09", "/-._~AZaz09"},
		// Dot segments and empty segments go; an encoded dot is not a dot segment.
		{"//example//", "/example/"},
		{"/./", "/"},
		{"/a/./b/../c", "/a/c"},
		{"/a/b/../..", "/"},
		{"/../..", "/"},
		{"/a/%2E%2E", "/a/%252E%252E"},
		{"/a/.", "/a"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := canonicalURI(tt.path); got != tt.want {
				t.Errorf("canonicalURI(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestRequestPath(t *testing.T) {
	tests := []struct {
		name string
		r    *http.Request
		want string
	}{
		{"server request", &http.Request{RequestURI: "/a%3Ab?x=1"}, "/a%3Ab"},
		{"absolute-form target", httptest.NewRequest("GET", "http://h/a%3Ab?x=1", nil), "/a%3Ab"},
		{"built in a program", mustRequest(t, "GET", "http://h/a%3Ab?x=1"), "/a%3Ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := requestPath(tt.r); got != tt.want {
				t.Errorf("requestPath(%q) = %q, want %q", tt.r.RequestURI, got, tt.want)
			}
		})
	}
}

func mustRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, target, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		raw  string
		skip string
		want string
	}{
		{"", "", ""},
		{"tagKeys=b&tagKeys=a", "", "tagKeys=a&tagKeys=b"},
		{"Param=Value2&Param-3=Value3&%E1%88%B4=Value1", "", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3"},
		{"b=1&B=2&a=3", "", "B=2&a=3&b=1"},
		{"k=a%2Fb%3Ac", "", "k=a%2Fb%3Ac"},
		{"k=a/b:c", "", "k=a%2Fb%3Ac"},
		{"k=a+b", "", "k=a%20b"},
		{"k=%7e", "", "k=~"},
		{"flag", "", "flag="},
		{"a=1&&b=2&", "", "a=1&b=2"},
		{"k=%zz", "", "k=%25zz"},
		{"a=1;b=2", "", "a=1%3Bb%3D2"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", "X-Amz-Signature", "X-Amz-Date=1"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			if got := canonicalQuery(parseQuery(tt.raw), tt.skip); got != tt.want {
				t.Errorf("canonicalQuery(%q, %q) = %q, want %q", tt.raw, tt.skip, got, tt.want)
			}
		})
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r := mustRequest(t, "POST", "http://127.0.0.1:8420/")
	r.Header.Add("My-Header", "  a   b  ")
	r.Header.Add("My-Header", "c")
	r.Header.Set("X-Amz-Date", "20150830T123600Z")
	signed := []string{"content-length", "host", "my-header", "missing", "x-amz-date"}
	want := "content-length:2\nhost:127.0.0.1:8420\nmy-header:a b,c\nmissing:\nx-amz-date:20150830T123600Z\n"
	if got := canonicalHeaders(r, signed); got != want {
		t.Errorf("canonicalHeaders(%q) = %q, want %q", signed, got, want)
	}
}

func TestTrimAll(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"a", "a"},
		{"  a  ", "a"},
		{`"a   b   c"`, `"a b c"`},
		{" a  b ", "a b"},
		{"a\tb", "a\tb"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := trimAll(tt.in); got != tt.want {
				t.Errorf("trimAll(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestSigningKey uses the example in AWS's documentation of the key
// derivation ("Examples of how to derive a signing key for Signature
// Version 4").
func TestSigningKey(t *testing.T) {
	scope := Scope{Date: "20120215", Region: "us-east-1", Service: "iam", Terminator: "aws4_request"}
	const want = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
	if got := hex.EncodeToString(signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", scope)); got != want {
		t.Errorf("signingKey(%v) = %s, want %s", scope, got, want)
	}
}
