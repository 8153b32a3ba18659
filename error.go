package barge

import (
	"errors"
	"fmt"
)

// ErrorCode classifies a domain error. Each API maps codes to its own error
// types and HTTP statuses in one table.
type ErrorCode string

// The error codes. They are neutral: AWS Batch reports all client-side
// failures as ClientException, while IAM and CloudWatch Logs distinguish
// not-found from conflicts.
const (
	EInvalid     ErrorCode = "invalid"     // the request is malformed or breaks a rule
	ENotFound    ErrorCode = "not_found"   // a named resource does not exist
	EConflict    ErrorCode = "conflict"    // the resource exists or is in the wrong state
	ELimit       ErrorCode = "limit"       // a quota would be exceeded
	EUnsupported ErrorCode = "unsupported" // the operation is not implemented
	EInternal    ErrorCode = "internal"    // a fault of the server
)

// Error is a domain error whose Message is safe to show a client and says what
// to fix.
type Error struct {
	Code    ErrorCode
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCodeOf returns the code of err's *Error, or EInternal for any other
// non-nil error.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage returns the client-safe message of err: the message of its
// *Error, or a generic text for internal errors, whose details are logged,
// never returned.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "An internal error occurred. Try the request again; if it keeps failing, check the server log."
}
