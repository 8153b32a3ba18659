package iamservice

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bargehq/barge"
)

// Checks of the model's constraints on input members. IAM reports a broken
// constraint as ValidationError (barge.EInvalid here), naming the member in
// lower camel case, in one of two phrasings that the checks below copy: the
// generic "1 validation error detected: ..." and, for names and paths, "The
// specified value for X is invalid. ...".

// missing is the error for a required member that is absent or empty.
func missing(member string) error {
	return barge.Errorf(barge.EInvalid, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

func tooLong(member, value string, max int) error {
	return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", value, member, max)
}

var namePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)

// checkName checks a role, policy or service name: required, at most max
// characters of letters, digits and +=,.@_-.
func checkName(member, value string, max int) error {
	switch {
	case value == "":
		return missing(member)
	case utf8.RuneCountInString(value) > max:
		return tooLong(member, value, max)
	case !namePattern.MatchString(value):
		return barge.Errorf(barge.EInvalid, "The specified value for %s is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-", member)
	}
	return nil
}

// checkRoleName checks the RoleName member of a request.
func checkRoleName(name string) error { return checkName("roleName", name, 64) }

// checkPath checks a role path: "/" or "/a/b/", at most 512 printable ASCII
// characters without spaces.
func checkPath(path string) error {
	if len(path) > 512 {
		return tooLong("path", path, 512)
	}
	ok := path == "/" || len(path) >= 3 && path[0] == '/' && path[len(path)-1] == '/'
	for i := 0; ok && i < len(path); i++ {
		ok = path[i] >= 0x21 && path[i] <= 0x7e
	}
	if !ok {
		return barge.Errorf(barge.EInvalid, "The specified value for path is invalid. It must begin and end with / and contain only printable ASCII characters other than spaces between them, such as / or /service-role/.")
	}
	return nil
}

// checkPathPrefix checks ListRoles' PathPrefix: a / followed by up to 511
// printable ASCII characters.
func checkPathPrefix(member, prefix string) error {
	if len(prefix) > 512 {
		return tooLong(member, prefix, 512)
	}
	ok := strings.HasPrefix(prefix, "/")
	for i := 0; ok && i < len(prefix); i++ {
		ok = prefix[i] >= 0x21 && prefix[i] <= 0x7f
	}
	if !ok {
		return barge.Errorf(barge.EInvalid, "The specified value for %s is invalid. It must begin with / and contain only printable ASCII characters other than spaces, such as /service-role/.", member)
	}
	return nil
}

// checkDocument checks a policy document's size and characters; its
// content is checked by parsePolicy.
func checkDocument(member, doc string) error {
	if doc == "" {
		return missing(member)
	}
	if n := utf8.RuneCountInString(doc); n > 131072 {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 131072 (it has %d characters)", member, n)
	}
	for _, r := range doc {
		if r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xff) {
			return barge.Errorf(barge.EInvalid, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+ (the document contains %q; IAM policies take only Latin-1 characters)", member, r)
		}
	}
	return nil
}

// checkDescription checks a role description: at most 1000 characters,
// printable Latin-1 and tab, newline and carriage return.
func checkDescription(d string) error {
	if utf8.RuneCountInString(d) > 1000 {
		return tooLong("description", d, 1000)
	}
	for _, r := range d {
		if r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0x7e && r < 0xa1 || r > 0xff) {
			return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'description' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*", d)
		}
	}
	return nil
}

// maxSession returns the MaxSessionDuration of a request, def if absent,
// checked against IAM's range of one to twelve hours.
func maxSession(v *int, def int) (int, error) {
	if v == nil {
		return def, nil
	}
	switch {
	case *v < 3600:
		return 0, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600", *v)
	case *v > 43200:
		return 0, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%d' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200", *v)
	}
	return *v, nil
}

// checkPolicyARNLength checks the length constraint of a policy ARN member;
// parsePolicyARN checks its form.
func checkPolicyARNLength(member, arn string) error {
	switch {
	case arn == "":
		return missing(member)
	case len(arn) < 20:
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 20", arn, member)
	case len(arn) > 2048:
		return tooLong(member, arn, 2048)
	}
	return nil
}

var (
	tagKeyPattern   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValuePattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// checkTagKey checks one tag key.
func checkTagKey(key string) error {
	switch {
	case key == "":
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '' at 'tags.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1")
	case utf8.RuneCountInString(key) > 128:
		return tooLong("tags.member.key", key, 128)
	case !tagKeyPattern.MatchString(key):
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", key)
	case len(key) >= 4 && strings.EqualFold(key[:4], "aws:"):
		return barge.Errorf(EInvalidInput, "User-defined tag keys can't start with 'aws:', which is reserved for AWS: %s.", key)
	}
	return nil
}

// checkTags checks the tags of a request: at most 50, keys and values in
// IAM's bounds, no key twice regardless of case.
func checkTags(tags []barge.RoleTag) error {
	if len(tags) > maxTagsPerRole {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d (the request has %d tags)", maxTagsPerRole, len(tags))
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if err := checkTagKey(t.Key); err != nil {
			return err
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return tooLong("tags.member.value", t.Value, 256)
		}
		if !tagValuePattern.MatchString(t.Value) {
			return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", t.Value)
		}
		k := strings.ToLower(t.Key)
		if seen[k] {
			return barge.Errorf(EInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive: %s appears twice.", t.Key)
		}
		seen[k] = true
	}
	return nil
}
