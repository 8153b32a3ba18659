package awsproto

import (
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/bargehq/barge"
)

// awsJSONContentType is the media type of awsJson1.1 requests and responses.
const awsJSONContentType = "application/x-amz-json-1.1"

// AWSJSON adapts typed operations to awsJson1.1 (CloudWatch Logs): every
// call is POST / with a JSON body, the operation named only by the
// X-Amz-Target header, "<targetPrefix>.<Operation>".
type AWSJSON struct {
	Errors *ErrorTable
	Log    *slog.Logger
	// Ints, when set, bounds the integer members of every operation's
	// input to their model's type and range.
	Ints *IntRanges
	// Required, when set, names the members each operation requires.
	Required Required

	prefix string                  // e.g. "Logs_20140328"
	ops    map[string]http.Handler // operation name → handler
}

// NewAWSJSON returns an awsJson1.1 router for the operations of the API whose
// X-Amz-Target values start with targetPrefix and a dot.
func NewAWSJSON(targetPrefix string, errors *ErrorTable, log *slog.Logger) *AWSJSON {
	return &AWSJSON{Errors: errors, Log: log, prefix: targetPrefix, ops: map[string]http.Handler{}}
}

// Handle routes the operation called name to h.
func (p *AWSJSON) Handle(name string, h http.Handler) {
	if p.ops == nil {
		p.ops = map[string]http.Handler{}
	}
	p.ops[name] = h
}

// ServeHTTP dispatches a request by its X-Amz-Target header. A target that
// names no operation of this API is an EUnsupported error naming it, so the
// API's error table decides how clients see it.
func (p *AWSJSON) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, p.prefix+".")
	h := p.ops[name]
	switch {
	case r.Method != http.MethodPost:
		p.WriteError(w, r, name, barge.Errorf(barge.EInvalid, "%s is called with POST, not %s. Send POST / with the X-Amz-Target header and a JSON body.", target, r.Method))
	case !ok || h == nil:
		p.WriteError(w, r, "Unknown", barge.Errorf(barge.EUnsupported, "The operation %q is not supported by barge. The X-Amz-Target header must be %s.<Operation>, naming one of the operations barge implements.", target, p.prefix))
	default:
		h.ServeHTTP(w, r)
	}
}

// AWSJSONOp returns the handler of operation name: it enforces maxBody,
// decodes the JSON body into In (an empty body is {}), calls op and encodes
// its output, or funnels its error to the awsJson1.1 error format.
//
// The handler is also a server.BodyLimiter, so that a body over maxBody is
// refused before it is read.
func AWSJSONOp[In, Out any](p *AWSJSON, name string, maxBody int, op Op[In, Out]) http.Handler {
	tooLarge := func(w http.ResponseWriter, r *http.Request, err error) { p.WriteError(w, r, name, err) }
	return &opHandler{name: name, maxBody: maxBody, tooLarge: tooLarge, serve: func(w http.ResponseWriter, r *http.Request) {
		callOf(r.Context()).Operation = name
		in := new(In)
		body, err := io.ReadAll(r.Body)
		if err == nil && maxBody > 0 && len(body) > maxBody {
			err = errBodyTooLarge(name, len(body), maxBody)
		}
		if err == nil {
			// AWS reports every failed constraint of a request in one
			// message: the members missing and the numbers out of range.
			err = joinValidation(p.Required.CheckJSON(name, body), p.Ints.CheckJSON(name, body))
		}
		if err == nil {
			if err = DecodeJSON(body, in); err != nil {
				err = barge.Errorf(ESerialization, "%s", barge.ErrorMessage(err))
			}
		}
		var out *Out
		if err == nil {
			out, err = op(r.Context(), in)
		}
		if err != nil {
			p.WriteError(w, r, name, err)
			return
		}
		if out == nil {
			out = new(Out)
		}
		WriteJSON(w, http.StatusOK, awsJSONContentType, out)
	}}
}

// BodyLimit returns the body limit of the operation r's X-Amz-Target names,
// or zero if it names none of this API's.
func (p *AWSJSON) BodyLimit(r *http.Request) (int64, http.Handler) {
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), p.prefix+".")
	if h, found := p.ops[name].(interface {
		BodyLimit(*http.Request) (int64, http.Handler)
	}); ok && found {
		return h.BodyLimit(r)
	}
	return 0, nil
}

// WriteError writes err in awsJson1.1's error format and logs it once.
func (p *AWSJSON) WriteError(w http.ResponseWriter, r *http.Request, op string, err error) {
	et := p.Errors.Lookup(err)
	callOf(r.Context()).ErrorCode = et.Name
	logError(r.Context(), p.Log, op, et.Status, err)
	WriteAWSJSONError(w, et.Name, et.Status, barge.ErrorMessage(err))
}

// WriteAWSJSONError writes an awsJson1.1 error (CloudWatch Logs): the error
// type in the body's __type member.
func WriteAWSJSONError(w http.ResponseWriter, errType string, status int, message string) {
	WriteJSON(w, status, awsJSONContentType, struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{errType, message})
}
