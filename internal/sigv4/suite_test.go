package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The credentials, scope and time of AWS's SigV4 test suite.
const (
	suiteKeyID  = "AKIDEXAMPLE"
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	suiteDate   = "20150830T123600Z"
)

// suiteVector is one case of the suite: a request and the canonical request,
// string to sign and Authorization header AWS computes for it.
type suiteVector struct {
	name                  string
	req, creq, sts, authz string
}

// suiteDir is where AWS's published suite is read from: BARGE_SIGV4_SUITE,
// or shared/reference/aws-sig-v4-test-suite beside the checkout. The suite
// is AWS's data, so the project does not carry a copy of it.
func suiteDir() string {
	if d := os.Getenv("BARGE_SIGV4_SUITE"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "reference", "aws-sig-v4-test-suite")
}

func loadSuite(t *testing.T) []suiteVector {
	t.Helper()
	root := suiteDir()
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) && os.Getenv("BARGE_SIGV4_SUITE") == "" {
		t.Skipf("AWS's SigV4 test suite is not at %s; set BARGE_SIGV4_SUITE to its folder to run these vectors (the SDK-signed and captured requests in verify_test.go still run)", root)
	}
	if err != nil {
		t.Fatal(err)
	}
	read := func(dir, ext string) string {
		b, err := os.ReadFile(filepath.Join(dir, filepath.Base(dir)+ext))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var vs []suiteVector
	for _, e := range entries {
		if !e.IsDir() {
			continue // LICENSE, NOTICE
		}
		dir := filepath.Join(root, e.Name())
		vs = append(vs, suiteVector{
			name:  e.Name(),
			req:   read(dir, ".req"),
			creq:  read(dir, ".creq"),
			sts:   read(dir, ".sts"),
			authz: strings.TrimSpace(read(dir, ".authz")),
		})
	}
	return vs
}

// parseSuiteRequest turns a suite .req file into the request a server would
// hand to Verify. The files are not quite HTTP (bare LF line ends, spaces and
// raw UTF-8 in the request target, folded header lines), so they are read by
// hand rather than with http.ReadRequest, which rejects some of them.
func parseSuiteRequest(t *testing.T, raw string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	lines := strings.Split(head, "\n")
	method, rest, _ := strings.Cut(lines[0], " ")
	target := rest[:strings.LastIndex(rest, " ")]
	_, rawQuery, _ := strings.Cut(target, "?")
	r := &http.Request{
		Method:     method,
		RequestURI: target,
		URL:        &url.URL{RawQuery: rawQuery},
		Header:     http.Header{},
	}
	var last string
	for _, line := range lines[1:] {
		if line == "" {
			continue // a file without a body may end in a newline
		}
		if strings.HasPrefix(line, " ") { // an obsolete folded line continues the last value
			vs := r.Header[last]
			vs[len(vs)-1] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("bad header line %q", line)
		}
		last = http.CanonicalHeaderKey(name)
		r.Header.Add(last, strings.TrimSpace(value))
	}
	// net/http moves Host out of Header.
	r.Host = r.Header.Get("Host")
	r.Header.Del("Host")
	return r, []byte(body)
}

func TestSuiteSteps(t *testing.T) {
	for _, v := range loadSuite(t) {
		t.Run(v.name, func(t *testing.T) {
			r, body := parseSuiteRequest(t, v.req)
			a, err := ParseAuthorization(v.authz)
			if err != nil {
				t.Fatalf("ParseAuthorization(%q) error: %v", v.authz, err)
			}
			creq := canonicalRequest(r.Method, canonicalURI(requestPath(r)), canonicalQuery(parseQuery(r.URL.RawQuery), ""),
				canonicalHeaders(r, a.SignedHeaders), a.SignedHeaders, hashHex(body))
			if creq != v.creq {
				t.Errorf("canonical request = \n%s\nwant\n%s", creq, v.creq)
			}
			sts := stringToSign(suiteDate, a.Scope, creq)
			if sts != v.sts {
				t.Errorf("stringToSign() = \n%s\nwant\n%s", sts, v.sts)
			}
			if sig := signature(signingKey(suiteSecret, a.Scope), v.sts); sig != a.Signature {
				t.Errorf("signature() = %s, want %s", sig, a.Signature)
			}
		})
	}
}

func TestSuiteVerify(t *testing.T) {
	now, _ := time.Parse(timeFormat, suiteDate)
	v := &Verifier{
		Lookup: func(id string) (string, bool) { return suiteSecret, id == suiteKeyID },
		Now:    func() time.Time { return now },
	}
	// Each change alters one byte of the signed request.
	changes := []struct {
		name   string
		change func(r *http.Request, body []byte) []byte
	}{
		{"body", func(r *http.Request, body []byte) []byte { return append(body, 'x') }},
		{"host header", func(r *http.Request, body []byte) []byte {
			r.Host = r.Host[:len(r.Host)-1] + "n"
			return body
		}},
		{"signature", func(r *http.Request, body []byte) []byte {
			auth := r.Header.Get("Authorization")
			r.Header.Set("Authorization", auth[:len(auth)-1]+string(auth[len(auth)-1]^1))
			return body
		}},
		{"method", func(r *http.Request, body []byte) []byte {
			r.Method = strings.Replace(r.Method, "T", "U", 1)
			return body
		}},
	}
	for _, vec := range loadSuite(t) {
		t.Run(vec.name, func(t *testing.T) {
			r, body := parseSuiteRequest(t, vec.req)
			r.Header.Set("Authorization", vec.authz)
			res, err := v.Verify(r, body)
			if err != nil {
				t.Fatalf("Verify() error: %v", err)
			}
			want := Result{AccessKeyID: suiteKeyID, Date: now, Region: "us-east-1", Service: "service",
				SignedHeaders: strings.Split(signedHeadersOf(vec.authz), ";")}
			if !reflect.DeepEqual(res, want) {
				t.Errorf("Verify() = %+v, want %+v", res, want)
			}
			for _, c := range changes {
				r, body := parseSuiteRequest(t, vec.req)
				r.Header.Set("Authorization", vec.authz)
				body = c.change(r, body)
				_, err := v.Verify(r, body)
				var e *Error
				if !errors.As(err, &e) || e.Code != CodeInvalidSignature || e.Message != msgSignatureMismatch {
					t.Errorf("Verify() with changed %s = %v, want %s: %s", c.name, err, CodeInvalidSignature, msgSignatureMismatch)
				}
			}
		})
	}
}

// signedHeadersOf returns the SignedHeaders parameter of an Authorization
// header.
func signedHeadersOf(authz string) string {
	_, rest, _ := strings.Cut(authz, "SignedHeaders=")
	v, _, _ := strings.Cut(rest, ",")
	return v
}
