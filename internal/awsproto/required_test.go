package awsproto

import (
	"errors"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

func TestJoinValidation(t *testing.T) {
	missing := NullMembers("logStreamName")
	rng := barge.Errorf(barge.EInvalid, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	other := barge.Errorf(barge.EInvalid, "The request body is not valid JSON: unexpected EOF.")
	typeErr := barge.Errorf(barge.EInvalid, "limit 2147483648 is not valid: it must be an Integer from -2147483648 to 2147483647.")
	for _, tc := range []struct {
		errs []error
		want string // "" for nil
	}{
		{nil, ""},
		{[]error{nil, nil}, ""},
		{[]error{missing, nil}, barge.ErrorMessage(missing)},
		{[]error{nil, rng}, barge.ErrorMessage(rng)},
		{[]error{missing, rng}, "2 validation errors detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null; " +
			"Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{[]error{NullMembers("a", "b"), rng}, "3 validation errors detected: Value null at 'a'"},
		{[]error{nil, other}, barge.ErrorMessage(other)},
		{[]error{missing, other}, barge.ErrorMessage(other)}, // deserialization comes before validation
		{[]error{missing, typeErr}, barge.ErrorMessage(typeErr)},
		{[]error{missing, errors.New("plain")}, "plain"},
	} {
		err := joinValidation(tc.errs...)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("joinValidation(%v) = %v, want nil", tc.errs, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("joinValidation(%v) = %v, want %q", tc.errs, err, tc.want)
		case err != nil && tc.want != "plain" && barge.ErrorCodeOf(err) != barge.EInvalid:
			t.Errorf("joinValidation(%v) has code %v, want EInvalid", tc.errs, barge.ErrorCodeOf(err))
		}
	}
}
