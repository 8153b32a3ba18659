package sigv4

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	terminator = "aws4_request"
	timeFormat = "20060102T150405Z" // ISO 8601 basic format, as in X-Amz-Date
)

// canonicalRequest joins the parts of a canonical request. headers is the
// output of canonicalHeaders, whose lines each end in a newline, which is
// why a blank line follows them.
func canonicalRequest(method, uri, query, headers string, signedHeaders []string, payloadHash string) string {
	return strings.Join([]string{method, uri, query, headers, strings.Join(signedHeaders, ";"), payloadHash}, "\n")
}

// requestPath returns the request's path exactly as the client sent it,
// still percent-encoded: that is what the client signed. A server request
// carries it in RequestURI; a request built in a program has only URL.
func requestPath(r *http.Request) string {
	if p, _, _ := strings.Cut(r.RequestURI, "?"); strings.HasPrefix(p, "/") {
		return p
	}
	return r.URL.EscapedPath()
}

// canonicalURI returns the canonical form of a path as sent. For every
// service but S3, AWS removes "." and ".." segments and empty segments, then
// percent-encodes every byte outside the unreserved set. The path is already
// percent-encoded, so an escape is encoded a second time: a Batch tag route
// /v1/tags/arn%3Aaws%3A... signs as /v1/tags/arn%253Aaws%253A..., which is
// what aws-sdk-go-v2 (EscapePath over URL.EscapedPath) and botocore (quote
// over the sent path) both compute.
func canonicalURI(path string) string {
	return uriEncode(normalizePath(path), false)
}

// normalizePath removes dot segments and repeated slashes the way botocore
// does; the AWS test suite's normalize-path cases pin the behaviour.
func normalizePath(path string) string {
	var segments []string
	for _, s := range strings.Split(path, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(segments) > 0 {
				segments = segments[:len(segments)-1]
			}
		default:
			segments = append(segments, s)
		}
	}
	out := "/" + strings.Join(segments, "/")
	if len(segments) > 0 && strings.HasSuffix(path, "/") {
		out += "/"
	}
	return out
}

// uriEncode percent-encodes every byte of s except the unreserved characters
// A-Z a-z 0-9 - . _ ~ and, unless encodeSlash is set, "/".
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && !encodeSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}

// canonicalQuery encodes every pair but those named skip, and sorts them by
// encoded key, then encoded value.
func canonicalQuery(q query, skip string) string {
	pairs := make([]param, 0, len(q))
	for _, p := range q {
		if p.key != skip {
			pairs = append(pairs, param{uriEncode(p.key, true), uriEncode(p.value, true)})
		}
	}
	// Sorting the joined "key=value" strings would be wrong: "-" sorts
	// below "=", which would put "Param-3" before "Param".
	slices.SortFunc(pairs, func(a, b param) int {
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.value, b.value))
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key + "=" + p.value)
	}
	return b.String()
}

// canonicalHeaders returns a "name:value\n" line for each signed header, in
// the order given. Repeated headers are joined with commas; each value is
// trimmed and its runs of spaces collapsed to one.
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range headerValues(r, name) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(trimAll(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// headerValues returns the values of a header. net/http moves Host out of
// Header, and a request built in a program keeps its length only in
// ContentLength, so those two are looked up where they live.
func headerValues(r *http.Request, name string) []string {
	switch {
	case name == "host" && r.Host != "":
		return []string{r.Host}
	case name == "host":
		return []string{r.URL.Host}
	}
	values := r.Header.Values(name)
	if len(values) == 0 && name == "content-length" && r.ContentLength > 0 {
		values = []string{strconv.FormatInt(r.ContentLength, 10)}
	}
	return values
}

// trimAll trims spaces from both ends of s and collapses each run of spaces
// inside it to one.
func trimAll(s string) string {
	s = strings.Trim(s, " ")
	if !strings.Contains(s, "  ") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && s[i-1] == ' ' { // s[0] is not a space, so i > 0 here
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// hashHex returns the hex SHA-256 of b, the form of the payload hash and of
// the canonical request's hash in the string to sign.
func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// stringToSign returns the string the signature is an HMAC of. date is the
// request time in ISO 8601 basic format.
func stringToSign(date string, scope Scope, canonicalRequest string) string {
	return algorithm + "\n" + date + "\n" + scope.String() + "\n" + hashHex([]byte(canonicalRequest))
}

// signingKey derives the key for one day, region and service from a secret.
func signingKey(secret string, scope Scope) []byte {
	key := hmacSHA256([]byte("AWS4"+secret), scope.Date)
	key = hmacSHA256(key, scope.Region)
	key = hmacSHA256(key, scope.Service)
	return hmacSHA256(key, terminator)
}

// signature returns the hex signature of a string to sign.
func signature(key []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
