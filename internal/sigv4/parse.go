package sigv4

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Authorization is what a request claims about its signature: the
// Authorization header, or the X-Amz-* query parameters of a presigned URL.
type Authorization struct {
	Algorithm     string
	AccessKeyID   string
	Scope         Scope
	SignedHeaders []string // lower-case names, in the order the client listed them
	Signature     string   // hex
}

// Scope is a credential scope: the day, region and service a signature is
// valid for, and the terminator "aws4_request".
type Scope struct {
	Date       string // YYYYMMDD
	Region     string
	Service    string
	Terminator string
}

// String returns the scope as it appears in the string to sign,
// date/region/service/aws4_request.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + s.Terminator
}

// ParseAuthorization parses an Authorization header of the form
//
//	AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa0...
//
// It checks only the syntax; Verify checks the algorithm, the scope and the
// signature. A syntax error is an *Error with code IncompleteSignatureException.
func ParseAuthorization(header string) (Authorization, error) {
	return parseAuthorization(header, true)
}

// parseAuthorization is ParseAuthorization for a request that may lack a date
// header. AWS reports a missing date in the same message as missing
// parameters, so both are checked here.
func parseAuthorization(header string, hasDate bool) (Authorization, error) {
	var a Authorization
	var params string
	a.Algorithm, params, _ = strings.Cut(strings.TrimSpace(header), " ")

	var credential, signedHeaders string
	var haveCredential, haveSignedHeaders, haveSignature bool
	// AWS splits the parameters at commas and spaces alike, so that a stray
	// space inside a value shows up as a pair without an equal sign.
	for _, p := range strings.FieldsFunc(params, func(r rune) bool { return r == ',' || r == ' ' }) {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return a, errorf(CodeIncompleteSignature,
				"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", p, header)
		}
		switch k {
		case "Credential":
			credential, haveCredential = v, true
		case "SignedHeaders":
			signedHeaders, haveSignedHeaders = v, true
		case "Signature":
			a.Signature, haveSignature = v, true
		}
	}

	var missing []string
	if !haveCredential {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSignature {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSignedHeaders {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	if !hasDate {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return a, errorf(CodeIncompleteSignature, "%s Authorization=%s", strings.Join(missing, " "), header)
	}

	a.SignedHeaders = splitSignedHeaders(signedHeaders)
	var err error
	a.AccessKeyID, a.Scope, err = parseCredential(credential)
	return a, err
}

// claim is what a request says about its signature and its time.
type claim struct {
	Authorization
	date      string        // X-Amz-Date (or Date) as sent
	presigned bool          // whether the claim came in the query
	expires   time.Duration // X-Amz-Expires of a presigned URL, or zero
}

// parsePresigned reads the X-Amz-* parameters of a presigned URL.
func parsePresigned(q query) (claim, error) {
	p := claim{presigned: true}
	var missing []string
	param := func(name string) string {
		v, ok := q.get(name)
		if !ok {
			missing = append(missing, "AWS query-string parameters must include '"+name+"'.")
		}
		return v
	}
	p.Algorithm = param("X-Amz-Algorithm")
	credential := param("X-Amz-Credential")
	p.date = param("X-Amz-Date")
	signedHeaders := param("X-Amz-SignedHeaders")
	p.Signature = param("X-Amz-Signature")
	if len(missing) > 0 {
		return p, errorf(CodeIncompleteSignature, "%s Re-examine the query-string parameters.", strings.Join(missing, " "))
	}

	if v, ok := q.get("X-Amz-Expires"); ok {
		// One week is the limit AWS sets for presigned URLs.
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 604800 {
			return p, errorf(CodeIncompleteSignature,
				"X-Amz-Expires must be a whole number of seconds from 1 to 604800, not '%s'.", v)
		}
		p.expires = time.Duration(n) * time.Second
	}

	p.SignedHeaders = splitSignedHeaders(signedHeaders)
	var err error
	p.AccessKeyID, p.Scope, err = parseCredential(credential)
	return p, err
}

func splitSignedHeaders(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// parseCredential splits AKID/20150830/us-east-1/service/aws4_request.
func parseCredential(s string) (string, Scope, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 {
		return "", Scope{}, errorf(CodeIncompleteSignature,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", s)
	}
	return parts[0], Scope{Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}, nil
}

// query is a request's query string as decoded key-value pairs, in the order
// sent. Unlike url.Values it keeps the pairs url.ParseQuery would reject,
// because the client signed those too.
type query []param

type param struct{ key, value string }

func parseQuery(raw string) query {
	var q query
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		q = append(q, param{unescape(k), unescape(v)})
	}
	return q
}

// unescape decodes a query component, reading "+" as a space the way the Go
// SDK does; a component that is not valid percent-encoding is kept as sent.
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func (q query) get(key string) (string, bool) {
	for _, p := range q {
		if p.key == key {
			return p.value, true
		}
	}
	return "", false
}
