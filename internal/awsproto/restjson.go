package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/bargehq/barge"
)

// RestJSON adapts typed operations to restJson1 (AWS Batch's protocol).
type RestJSON struct {
	Errors *ErrorTable
	Log    *slog.Logger
	// Ints, when set, bounds the integer members of every operation's
	// input to their model's type and range.
	Ints *IntRanges
}

// Op is a typed API operation.
type Op[In, Out any] func(ctx context.Context, in *In) (*Out, error)

// RestJSONOp returns the handler of operation name: it enforces maxBody,
// decodes the JSON body into In (an empty body is {}), lets bind fill members
// bound to the path or query, calls op and encodes its output, or funnels
// its error to the restJson1 error format.
//
// The handler is also a server.BodyLimiter, so that a body over maxBody is
// refused before it is read.
func RestJSONOp[In, Out any](p *RestJSON, name string, maxBody int, bind func(*http.Request, *In), op Op[In, Out]) http.Handler {
	tooLarge := func(w http.ResponseWriter, r *http.Request, err error) { p.WriteError(w, r, name, err) }
	return &opHandler{name: name, maxBody: maxBody, tooLarge: tooLarge, serve: func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		callOf(ctx).Operation = name
		in := new(In)
		body, err := io.ReadAll(r.Body)
		if err == nil && maxBody > 0 && len(body) > maxBody {
			err = errBodyTooLarge(name, len(body), maxBody)
		}
		if err == nil {
			err = p.Ints.CheckJSON(name, body)
		}
		if err == nil {
			err = DecodeJSON(body, in)
		}
		if err == nil && bind != nil {
			bind(r, in)
		}
		var out *Out
		if err == nil {
			out, err = op(ctx, in)
		}
		if err != nil {
			p.WriteError(w, r, name, err)
			return
		}
		WriteJSON(w, http.StatusOK, "application/json", out)
	}}
}

// DecodeJSON decodes a JSON request body into v. Unknown members are ignored,
// as AWS does, so that newer SDKs keep working; malformed JSON and members of
// the wrong type are client errors that name the problem.
func DecodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	// encoding/json's API and rules, decoded by json/v2's faster decoder
	// (the module mirrors the standard library's encoding/json/v2).
	dec := jsonv1.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *jsonv1.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "the request body"
			}
			return barge.Errorf(barge.EInvalid, "Invalid type for %s: expected %s, got JSON %s.", field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return barge.Errorf(barge.EInvalid, "The request body is not valid JSON: %v.", err)
	}
	if dec.More() {
		return barge.Errorf(barge.EInvalid, "The request body must be a single JSON object.")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int32", "int64", "float64", "float32":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice":
		return "a list"
	case "map", "struct", "ptr":
		return "an object"
	}
	return goKind
}

// encodeBuffers hold answers while they are encoded: a DescribeJobs answer
// is over 100 KB, and encoding each into a new slice made most of a read's
// garbage.
var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for the next answer; a rare
// larger one is left to the collector.
const maxPooledBuffer = 1 << 20

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	buf := encodeBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			encodeBuffers.Put(buf)
		}
	}()
	buf.Reset()
	var b []byte
	var err error
	if a, ok := v.(JSONAppender); ok {
		b, err = a.AppendJSON(buf.AvailableBuffer())
		buf.Write(b) // so that the pooled buffer grows to fit the next answer as well
	} else {
		err = json.NewEncoder(buf).Encode(v) // as json.Marshal, plus a newline
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"message":"failed to encode the response"}`)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// WriteError writes err in restJson1's error format and logs it once.
func (p *RestJSON) WriteError(w http.ResponseWriter, r *http.Request, op string, err error) {
	et := p.Errors.Lookup(err)
	callOf(r.Context()).ErrorCode = et.Name
	logError(r.Context(), p.Log, op, et.Status, err)
	WriteRestJSONError(w, et.Name, et.Status, barge.ErrorMessage(err))
}

// WriteRestJSONError writes a restJson1 error: the X-Amzn-ErrorType header
// and a JSON body with __type and message, which every AWS SDK understands.
func WriteRestJSONError(w http.ResponseWriter, errType string, status int, message string) {
	w.Header().Set("X-Amzn-ErrorType", errType)
	WriteJSON(w, status, "application/json", struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{errType, message})
}
