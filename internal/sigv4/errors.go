package sigv4

import (
	"fmt"
	"net/http"
	"time"
)

// The AWS error codes a verification failure carries. They are the error
// types the JSON protocols put in X-Amzn-ErrorType or __type; an awsQuery
// service (IAM) answers with its own names for them, which
// awsproto.QueryAuthError gives.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeInvalidSignature           = "InvalidSignatureException"
)

// Error is a verification failure as AWS reports it. Message is safe to show
// the client: AWS's own texts, which say what is missing or wrong.
type Error struct {
	Code    string
	Message string

	// CanonicalRequest is the canonical request the server computed, set
	// when the signature did not match. It is for the server log, where it
	// shows why a client's signature differs; it is not part of Message.
	CanonicalRequest string
}

// Error returns the code and the message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// HTTPStatus returns the status AWS answers e with: 400 for an incomplete
// signature, which is a malformed request, and 403 for everything else.
func (e *Error) HTTPStatus() int {
	if e.Code == CodeIncompleteSignature {
		return http.StatusBadRequest
	}
	return http.StatusForbidden
}

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func errMissingToken() *Error {
	return &Error{Code: CodeMissingAuthenticationToken, Message: "Missing Authentication Token"}
}

func errUnknownKey() *Error {
	return &Error{Code: CodeUnrecognizedClient, Message: "The security token included in the request is invalid."}
}

// errExpired and errNotYetCurrent word a failed time check the way AWS does,
// e.g. "Signature expired: 20260101T000000Z is now earlier than
// 20260101T000500Z (20260101T001500Z - 15 min.)".
func errExpired(date, now time.Time, window time.Duration) *Error {
	return errorf(CodeInvalidSignature, "Signature expired: %s is now earlier than %s (%s - %s)",
		date.Format(timeFormat), now.Add(-window).Format(timeFormat), now.Format(timeFormat), describe(window))
}

func errNotYetCurrent(date, now time.Time, window time.Duration) *Error {
	return errorf(CodeInvalidSignature, "Signature not yet current: %s is still later than %s (%s + %s)",
		date.Format(timeFormat), now.Add(window).Format(timeFormat), now.Format(timeFormat), describe(window))
}

func describe(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", d/time.Minute)
	}
	return fmt.Sprintf("%d sec.", d/time.Second)
}
