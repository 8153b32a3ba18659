// Package sigv4 verifies AWS Signature Version 4 on incoming requests, the
// way AWS's JSON and query services do: from the Authorization header or from
// the query parameters of a presigned URL.
//
// Verification is a chain of small pure steps, each tested on its own
// against AWS's published test suite: parse the authorization, build the
// canonical request, the string to sign and the signing key, compare the
// signatures in constant time, and check the request time. Secrets come from
// a lookup function, so the package holds no credentials.
//
// A request whose X-Amz-Content-Sha256 header is UNSIGNED-PAYLOAD is
// rejected: the services barge emulates always sign the payload, and the
// body is always hashed here rather than taken on the client's word.
package sigv4

import (
	"crypto/hmac"
	"net/http"
	"slices"
	"sync"
	"time"
)

// SecretLookup returns the secret access key for an access key id; ok is
// false if the key is unknown.
type SecretLookup func(accessKeyID string) (secret string, ok bool)

// Result describes a verified request.
type Result struct {
	AccessKeyID string
	Date        time.Time // the signing time the client claimed, in UTC
	Region      string    // from the credential scope
	Service     string    // from the credential scope
	// SignedHeaders are the lower-case names of the headers the signature
	// covers, as the client listed them.
	SignedHeaders []string
}

// Verifier verifies requests. Its zero Now is time.Now, and its zero MaxSkew
// is 15 minutes, the clock skew AWS allows.
type Verifier struct {
	Lookup  SecretLookup
	Now     func() time.Time
	MaxSkew time.Duration

	keys keyCache
}

// keyCache keeps the signing keys derived lately: a key serves every request
// of one secret, day, region and service, and deriving it takes four HMACs,
// a few percent of a SubmitJob's server time. It is emptied when it grows past
// maxCachedKeys, so a flood of scopes cannot make it grow.
type keyCache struct {
	mu   sync.Mutex
	keys map[string][]byte // secret, NUL, scope → key
}

const maxCachedKeys = 256

func (c *keyCache) get(secret string, scope Scope) []byte {
	id := secret + "\x00" + scope.String()
	c.mu.Lock()
	key, ok := c.keys[id]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = signingKey(secret, scope)
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = make(map[string][]byte)
	}
	c.keys[id] = key
	c.mu.Unlock()
	return key
}

// Check verifies everything about r that does not need its body: a
// well-formed Authorization header or presigned query, a known access key,
// the request time within the clock skew (or the presigned URL's lifetime),
// and a payload hash that is a SHA-256 rather than UNSIGNED-PAYLOAD or a
// streaming mode. A server calls it before reading the body, so that a
// request nobody could have signed holds no memory for its body. The error
// is always an *Error.
//
// The Result's SignedHeaders say which headers the signature will cover if
// Verify then succeeds: a server that routes by a header checks it is among
// them.
func (v *Verifier) Check(r *http.Request) (Result, error) {
	c, _, t, err := v.check(r, parseQuery(r.URL.RawQuery))
	if err != nil {
		return Result{}, err
	}
	return c.result(t), nil
}

// Verify checks the signature of r, in its Authorization header or in the
// query of a presigned URL. The caller has already read the body into body;
// Verify does not touch r.Body. Verify makes every check Check makes. The
// error is always an *Error.
//
// The region and service of the scope are returned, not checked: which ones
// to accept is the server's decision.
func (v *Verifier) Verify(r *http.Request, body []byte) (Result, error) {
	q := parseQuery(r.URL.RawQuery)
	c, secret, t, err := v.check(r, q)
	if err != nil {
		return Result{}, err
	}
	a := c.Authorization
	payloadHash := hashHex(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return Result{}, errorf(CodeInvalidSignature,
			"The provided 'x-amz-content-sha256' header does not match what was computed. Sign the payload; UNSIGNED-PAYLOAD is not accepted.")
	}

	skip := "" // the parameter left out of the canonical query
	if c.presigned {
		skip = "X-Amz-Signature"
	}
	creq := canonicalRequest(r.Method, canonicalURI(requestPath(r)), canonicalQuery(q, skip),
		canonicalHeaders(r, a.SignedHeaders), a.SignedHeaders, payloadHash)
	want := signature(v.keys.get(secret, a.Scope), stringToSign(c.date, a.Scope, creq))
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return Result{}, &Error{Code: CodeInvalidSignature, Message: msgSignatureMismatch, CanonicalRequest: creq}
	}
	return c.result(t), nil
}

func (c claim) result(t time.Time) Result {
	return Result{AccessKeyID: c.AccessKeyID, Date: t, Region: c.Scope.Region, Service: c.Scope.Service,
		SignedHeaders: c.SignedHeaders}
}

// check makes the checks that need no body and returns the claim, the
// secret of its access key and its signing time.
func (v *Verifier) check(r *http.Request, q query) (claim, string, time.Time, error) {
	c, err := authorization(r, q)
	if err != nil {
		return claim{}, "", time.Time{}, err
	}
	a, date := c.Authorization, c.date

	t, err := time.Parse(timeFormat, date)
	if err != nil || len(date) != len(timeFormat) {
		return claim{}, "", time.Time{}, errorf(CodeIncompleteSignature,
			"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", date)
	}
	if err := v.checkTime(t, c.expires); err != nil {
		return claim{}, "", time.Time{}, err
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		return claim{}, "", time.Time{}, errorf(CodeInvalidSignature, "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if a.Algorithm != algorithm {
		return claim{}, "", time.Time{}, errorf(CodeIncompleteSignature, "Unsupported AWS 'algorithm': '%s'.", a.Algorithm)
	}
	if a.Scope.Terminator != terminator {
		return claim{}, "", time.Time{}, errorf(CodeInvalidSignature,
			"Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", a.Scope.Terminator)
	}
	if a.Scope.Date != date[:8] {
		return claim{}, "", time.Time{}, errorf(CodeInvalidSignature,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Scope.Date, date[:8], date)
	}
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && !isHexSHA256(h) {
		// UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD and the
		// like: the services barge emulates take neither.
		return claim{}, "", time.Time{}, errorf(CodeInvalidSignature,
			"The provided 'x-amz-content-sha256' header does not match what was computed: '%s' is not a SHA-256 of the payload. Sign the payload; UNSIGNED-PAYLOAD and streaming payloads are not accepted.", h)
	}

	if v.Lookup == nil {
		return claim{}, "", time.Time{}, errUnknownKey()
	}
	secret, ok := v.Lookup(a.AccessKeyID)
	if !ok {
		return claim{}, "", time.Time{}, errUnknownKey()
	}
	return c, secret, t, nil
}

// isHexSHA256 reports whether s is 64 lower-case hex digits.
func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// authorization finds the signature a request claims: in its Authorization
// header, or else in the query of a presigned URL.
func authorization(r *http.Request, q query) (claim, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		_, hasAlgorithm := q.get("X-Amz-Algorithm")
		_, hasCredential := q.get("X-Amz-Credential")
		_, hasSignature := q.get("X-Amz-Signature")
		if !hasAlgorithm && !hasCredential && !hasSignature {
			return claim{}, errMissingToken()
		}
		return parsePresigned(q)
	}
	date := r.Header.Get("X-Amz-Date")
	if d := r.Header.Get("Date"); date == "" && d != "" {
		// SigV4 allows an HTTP Date header instead; the string to sign
		// then carries the same instant in ISO 8601 basic format. Botocore
		// writes the zone as "-0000", which http.ParseTime does not take.
		t, err := http.ParseTime(d)
		if err != nil {
			t, err = time.Parse(time.RFC1123Z, d)
		}
		date = d
		if err == nil {
			date = t.UTC().Format(timeFormat)
		}
	}
	a, err := parseAuthorization(header, date != "")
	return claim{Authorization: a, date: date}, err
}

// checkTime rejects a request signed more than MaxSkew from now, or a
// presigned URL used after its lifetime.
func (v *Verifier) checkTime(t time.Time, expires time.Duration) error {
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	now = now.UTC()
	skew := v.MaxSkew
	if skew == 0 {
		skew = 15 * time.Minute
	}
	if expires > 0 {
		if t.Before(now.Add(-expires)) {
			return errExpired(t, now, expires)
		}
	} else if t.Before(now.Add(-skew)) {
		return errExpired(t, now, skew)
	}
	if t.After(now.Add(skew)) {
		return errNotYetCurrent(t, now, skew)
	}
	return nil
}
