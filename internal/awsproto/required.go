package awsproto

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/bargehq/barge"
)

// Required names, by operation, the members of its input that its model
// requires at the top level, in the model's order. An awsJson1.1 adapter
// checks a request against it before decoding, so that a member left out,
// or sent as null, is refused in the words of AWS's validation layer,
// whatever the operation then makes of an empty value:
//
//	1 validation error detected: Value null at 'logGroupName' failed to
//	satisfy constraint: Member must not be null
type Required map[string][]string

// CheckJSON checks the top-level members of a JSON body of operation op. A
// body that cannot be read is left to the decoder, which words its error.
func (r Required) CheckJSON(op string, body []byte) error {
	want := r[op]
	if len(want) == 0 {
		return nil
	}
	present := make(map[string]bool, len(want))
	if len(bytes.TrimSpace(body)) > 0 {
		dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
		if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
			return nil
		}
		for dec.PeekKind() != '}' {
			tok, err := dec.ReadToken()
			if err != nil {
				return nil
			}
			name := tok.String()       // before the next call voids tok
			if dec.PeekKind() == 'n' { // null is as if absent
				present[name] = false
			} else {
				present[name] = true
			}
			if err := dec.SkipValue(); err != nil {
				return nil
			}
		}
	}
	var missing []string
	for _, m := range want {
		if !present[m] {
			missing = append(missing, m)
		}
	}
	return NullMembers(missing...)
}

// NullMembers returns AWS's validation error for the required members at
// paths ("logGroupName", "logEvents.1.member.timestamp") that a request
// left out, or nil if it names none.
func NullMembers(paths ...string) error {
	if len(paths) == 0 {
		return nil
	}
	each := make([]string, len(paths))
	for i, p := range paths {
		each[i] = fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", p)
	}
	return barge.Errorf(barge.EInvalid, "%s", ValidationErrors(each...))
}

// ValidationErrors words violations of a model's constraints as AWS's
// validation layer does: "1 validation error detected: ..." or "2
// validation errors detected: ...; ...".
func ValidationErrors(each ...string) string {
	noun := "errors"
	if len(each) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(each), noun, strings.Join(each, "; "))
}

// joinValidation returns the errors that are not nil as one. An error that
// is no validation message (a number that is not an Integer, a body that is
// not JSON) is the body's deserialization failing, which AWS reports before
// it validates anything: it is returned alone. Validation messages, "N
// validation errors detected: a; b", become one, as AWS reports every
// failed constraint of a request together: the counts added, the
// constraints joined.
func joinValidation(errs ...error) error {
	var first error
	total := 0
	var parts []string
	for _, err := range errs {
		if err == nil {
			continue
		}
		head, rest, ok := strings.Cut(barge.ErrorMessage(err), " detected: ")
		n, convErr := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(head, " validation errors"), " validation error"))
		if !ok || convErr != nil || barge.ErrorCodeOf(err) != barge.EInvalid {
			return err
		}
		if first == nil {
			first = err
		}
		total += n
		parts = append(parts, rest)
	}
	if len(parts) < 2 {
		return first
	}
	return barge.Errorf(barge.EInvalid, "%d validation errors detected: %s", total, strings.Join(parts, "; "))
}
