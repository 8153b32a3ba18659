// Package awsproto is the wire plumbing shared by barge's AWS APIs: request
// IDs, the error funnel from barge.Error to each protocol's error format, and
// one generic adapter per protocol that turns a typed operation
// func(ctx, *In) (*Out, error) into an http.Handler.
//
// Three protocols are spoken: restJson1 (AWS Batch), awsJson1.1 (CloudWatch
// Logs) and awsQuery (IAM). Each has exactly one error writer here.
package awsproto

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/bargehq/barge"
)

// Log attribute keys used at the HTTP boundary.
const (
	LogRequestID = "request_id"
	LogOperation = "operation"
	LogStatus    = "status"
	LogError     = "error"
)

// ErrorType is how one API reports a class of errors: AWS's error type name
// and HTTP status.
type ErrorType struct {
	Name   string
	Status int
}

// ErrorTable maps barge error codes to one API's error types. Codes missing
// from the table are reported as the table's Internal type.
type ErrorTable struct {
	Codes    map[barge.ErrorCode]ErrorType
	Internal ErrorType
}

// Lookup returns the error type for err.
func (t *ErrorTable) Lookup(err error) ErrorType {
	code := barge.ErrorCodeOf(err)
	if et, ok := t.Codes[code]; ok {
		return et
	}
	if code == ESerialization {
		if et, ok := t.Codes[barge.EInvalid]; ok {
			return et
		}
	}
	return t.Internal
}

// ESerialization is the error of a request body that cannot be decoded into
// the operation's input: JSON that is not well formed, or a member of the
// wrong type. A service whose table does not name it reports it as
// barge.EInvalid.
const ESerialization barge.ErrorCode = "serialization"

type ctxKey int

const requestIDKey ctxKey = 0

// WithRequestID returns a context carrying the request ID id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request ID carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// NewRequestID returns a random request ID in AWS's UUID format.
func NewRequestID() string { return NewUUID() }

// NewUUID returns a random (version 4) UUID in its canonical text form.
func NewUUID() string {
	var b [16]byte
	randomBytes(b[:])
	return formatUUID(b, 4)
}

// randomBytes fills b from crypto/rand.
func randomBytes(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
}

// formatUUID sets b's version and RFC 9562 variant bits and returns it in
// the canonical text form.
func formatUUID(b [16]byte, version byte) string {
	b[6] = b[6]&0x0f | version<<4
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// NewUUIDv7 returns a time-ordered (version 7, RFC 9562) UUID for time t:
// its first 48 bits are t in Unix milliseconds, the rest random. IDs made
// one after another sort near each other, so the B-tree index that holds
// them grows at its end instead of in a random leaf per ID: a job's insert
// dirties (and writes to the WAL) one page fewer, and the jobs submitted
// together are read together.
func NewUUIDv7(t time.Time) string {
	var b [16]byte
	randomBytes(b[6:])
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	return formatUUID(b, 7)
}

// logError logs an operation's failure once: client errors at Debug, server
// errors at Error with the internal detail that the client does not see.
func logError(ctx context.Context, log *slog.Logger, op string, status int, err error) {
	if log == nil {
		return
	}
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	}
	log.Log(ctx, level, "request failed",
		LogRequestID, RequestID(ctx), LogOperation, op, LogStatus, status, LogError, err.Error())
}
