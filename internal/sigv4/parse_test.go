package sigv4

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseAuthorization(t *testing.T) {
	const sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	scope := Scope{Date: "20150830", Region: "us-east-1", Service: "service", Terminator: "aws4_request"}
	tests := []struct {
		name    string
		header  string
		want    Authorization
		wantErr string // the start of the message of an IncompleteSignatureException
	}{
		{
			name:   "as the SDKs send it",
			header: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + sig,
			want: Authorization{Algorithm: "AWS4-HMAC-SHA256", AccessKeyID: "AKIDEXAMPLE", Scope: scope,
				SignedHeaders: []string{"host", "x-amz-date"}, Signature: sig},
		},
		{
			name:   "without spaces, in another order, with an unknown parameter",
			header: "AWS4-HMAC-SHA256 Signature=" + sig + ",Foo=bar,SignedHeaders=host,Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
			want: Authorization{Algorithm: "AWS4-HMAC-SHA256", AccessKeyID: "AKIDEXAMPLE", Scope: scope,
				SignedHeaders: []string{"host"}, Signature: sig},
		},
		{
			name:   "empty SignedHeaders",
			header: "AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/service/aws4_request, SignedHeaders=, Signature=",
			want:   Authorization{Algorithm: "AWS4-HMAC-SHA256", AccessKeyID: "A", Scope: scope},
		},
		{
			name:    "empty",
			header:  "",
			wantErr: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=",
		},
		{
			name:    "basic auth",
			header:  "Basic QUtJRDpzZWNyZXQ=",
			wantErr: "Authorization header requires 'Credential' parameter.",
		},
		{
			name:    "space in the access key",
			header:  "AWS4-HMAC-SHA256 Credential=AKID /20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=" + sig,
			wantErr: "'/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKID /2015",
		},
		{
			name:    "credential with four elements",
			header:  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, SignedHeaders=host, Signature=" + sig,
			wantErr: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/aws4_request'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthorization(tt.header)
			if tt.wantErr != "" {
				var e *Error
				if !errors.As(err, &e) || e.Code != CodeIncompleteSignature || !strings.HasPrefix(e.Message, tt.wantErr) {
					t.Errorf("ParseAuthorization(%q) error = %v, want %s: %s...", tt.header, err, CodeIncompleteSignature, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAuthorization(%q) error = %v", tt.header, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseAuthorization(%q) = %+v, want %+v", tt.header, got, tt.want)
			}
		})
	}
}

func TestParsePresigned(t *testing.T) {
	const base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request" +
		"&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=abc"
	tests := []struct {
		name    string
		query   string
		wantErr string
	}{
		{"complete", base, ""},
		{"with X-Amz-Expires", base + "&X-Amz-Expires=604800", ""},
		{"X-Amz-Expires too long", base + "&X-Amz-Expires=604801", "X-Amz-Expires must be a whole number of seconds from 1 to 604800, not '604801'."},
		{"X-Amz-Expires not a number", base + "&X-Amz-Expires=1h", "X-Amz-Expires must be"},
		{"parameters missing", "X-Amz-Signature=abc",
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Date'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"Re-examine the query-string parameters."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parsePresigned(parseQuery(tt.query))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("parsePresigned(%q) error = %v", tt.query, err)
				}
				if c.AccessKeyID != "AKIDEXAMPLE" || c.Scope.Service != "service" || c.date != "20150830T123600Z" || !c.presigned {
					t.Errorf("parsePresigned(%q) = %+v, want AKIDEXAMPLE's presigned claim", tt.query, c)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeIncompleteSignature || !strings.HasPrefix(e.Message, tt.wantErr) {
				t.Errorf("parsePresigned(%q) error = %v, want %s: %s", tt.query, err, CodeIncompleteSignature, tt.wantErr)
			}
		})
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;, Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,= =,")
	f.Add("Basic QUtJRDpzZWNyZXQ=")
	f.Add("")
	f.Fuzz(func(t *testing.T, header string) {
		a, err := ParseAuthorization(header)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeIncompleteSignature {
				t.Fatalf("ParseAuthorization(%q) error = %v, want an *Error %s", header, err, CodeIncompleteSignature)
			}
			return
		}
		// Written back in the SDKs' layout, the header parses to the same value.
		again := a.Algorithm + " Credential=" + a.AccessKeyID + "/" + a.Scope.String() +
			", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
		b, err := ParseAuthorization(again)
		if err != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("ParseAuthorization(%q) = %+v, %v; want %+v as from %q", again, b, err, a, header)
		}
	})
}
