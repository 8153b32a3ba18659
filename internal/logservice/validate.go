package logservice

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bargehq/barge"
)

// Names: a log group's is 1 to 512 characters of [.-_/#A-Za-z0-9]; a log
// stream's is 1 to 512 characters, none of them ':' or '*'. The messages
// are AWS's model-validation messages, which name the rule broken. A name
// left out altogether is refused before it gets here, as AWS does, with
// "Value null at 'logGroupName' ...: Member must not be null".

func validGroupName(field, name string) error {
	if name == "" {
		// Both of the model's rules fail, and AWS reports both.
		return barge.Errorf(barge.EInvalid, "2 validation errors detected: Value '' at '%[1]s' failed to satisfy constraint: Member must have length greater than or equal to 1; "+
			"Value '' at '%[1]s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", field)
	}
	if len(name) > 512 {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 512", name, field)
	}
	for i := 0; i < len(name); i++ {
		if !groupNameByte(name[i]) {
			return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", name, field)
		}
	}
	return nil
}

func groupNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '.' || c == '-' || c == '_' || c == '/' || c == '#'
}

func validStreamName(field, name string) error {
	if name == "" {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 1", field)
	}
	if utf8.RuneCountInString(name) > 512 {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 512", name, field)
	}
	if strings.ContainsAny(name, ":*") {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", name, field)
	}
	return nil
}

// validTags checks tags as CreateLogGroup and TagResource take them: keys of
// 1 to 128 and values of up to 256 letters, digits, spaces and _.:/=+-@,
// keys not starting with the reserved "aws:". A key or value the model's
// rules refuse is reported as AWS's validation layer reports a map's, the
// whole map shown as Java shows one and every rule of the shape listed:
//
//	1 validation error detected: Value '{k=semi;colon}' at 'tags' failed to
//	satisfy constraint: Map value must satisfy constraint: [Member must have
//	length less than or equal to 256, ...]
func validTags(tags map[string]string) error {
	var badKey, badValue bool
	for k, v := range tags {
		switch {
		case k == "" || utf8.RuneCountInString(k) > 128 || !tagText(k):
			badKey = true
		case utf8.RuneCountInString(v) > 256 || !tagText(v):
			badValue = true
		}
	}
	var each []string
	if badKey {
		each = append(each, fmt.Sprintf("Value '%s' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, "+
			"Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]", javaMap(tags)))
	}
	if badValue {
		each = append(each, fmt.Sprintf("Value '%s' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, "+
			"Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$]", javaMap(tags)))
	}
	switch len(each) {
	case 1:
		return barge.Errorf(barge.EInvalid, "1 validation error detected: %s", each[0])
	case 2:
		return barge.Errorf(barge.EInvalid, "2 validation errors detected: %s; %s", each[0], each[1])
	}
	for k := range tags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return barge.Errorf(barge.EInvalid, "Tag key %q uses the prefix aws:, which is reserved for AWS.", k)
		}
	}
	return nil
}

// javaMap renders tags as AWS's validation messages show a map, as Java's
// Map.toString does ({k1=v1, k2=v2}), in key order.
func javaMap(tags map[string]string) string {
	keys := slices.Sorted(maps.Keys(tags))
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k + "=" + tags[k])
	}
	b.WriteByte('}')
	return b.String()
}

func tagText(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.In(r, unicode.Z) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// maxTags is the most tags a log group can have.
const maxTags = 50

// limit checks a request's limit against [1, max] and returns def when it is
// absent.
func limit(field string, v *int, def, max int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < 1 {
		return 0, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to 1", *v, field)
	}
	if *v > max {
		return 0, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", *v, field, max)
	}
	return *v, nil
}

// checkCount checks the number of members of a list or map against the
// model's bounds, in AWS's words: an empty one shows its value ('[]' or
// '{}'), a long one does not.
func checkCount(field string, n, min, max int, empty string) error {
	if n < min {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", empty, field, min)
	}
	if n > max {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", field, max)
	}
	return nil
}

// Listing tokens are opaque to clients: a kind tag and a position, base64
// encoded. A token of another operation or a damaged one is a client error.

func encodeToken(kind, pos string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + pos))
}

func decodeToken(kind, token string) (pos string, err error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err == nil {
		if pos, ok := strings.CutPrefix(string(b), kind+":"); ok && pos != "" {
			return pos, nil
		}
	}
	return "", errBadToken
}

var errBadToken = &barge.Error{Code: barge.EInvalid, Message: "The specified nextToken is invalid. Pass the nextToken of the previous response to the same request, or omit it to start from the beginning."}
