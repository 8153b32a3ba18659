package awsproto

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// EC2Query adapts typed operations to EC2's own query protocol. Requests are
// awsQuery's (form-encoded, Action and Version), except that a list is
// flattened as Name.1, Name.2, ... without awsQuery's ".member". Responses
// differ more: the output's members sit directly in <XResponse>, after a
// <requestId>, with no <XResult> or <ResponseMetadata>, lists are
// <nameSet><item>...</item></nameSet>, and errors are
//
//	<Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors><RequestID>..</RequestID></Response>
type EC2Query struct {
	Query // the parameters, Action and Version are read as awsQuery's
}

// EC2Metadata is embedded first in every EC2 output: the response's
// requestId, which EC2Op fills in.
type EC2Metadata struct {
	RequestID string `xml:"requestId"`
}

func (m *EC2Metadata) setRequestID(id string) { m.RequestID = id }

// EC2Return is the output of EC2 operations that return only success, as
// EC2 writes it: <return>true</return>.
type EC2Return struct {
	EC2Metadata
	Return bool `xml:"return"`
}

// EC2List is a list as EC2 writes it: each element an <item> inside the
// member's element, which is written, empty, for an empty list (a field
// tagged omitempty leaves an empty list out instead).
type EC2List[T any] []T

// MarshalXML implements xml.Marshaler.
func (l EC2List[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for i := range l {
		if err := e.EncodeElement(l[i], xml.StartElement{Name: xml.Name{Local: "item"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// EC2Op returns the action of operation name: it decodes the parameters
// into In (see DecodeEC2Query), calls op and writes its output, whose type
// embeds EC2Metadata, as the response's members, or funnels its error to
// EC2's error format. A request with DryRun=true is answered
// DryRunOperation, as EC2 answers a caller allowed to make it, and op is
// not called.
func EC2Op[In, Out any](p *EC2Query, name string, op Op[In, Out]) QueryAction {
	return func(w http.ResponseWriter, r *http.Request, params url.Values) {
		callOf(r.Context()).Operation = name
		in := new(In)
		err := p.Ints.CheckQuery(name, params)
		if err == nil {
			err = DecodeEC2Query(params, in)
		}
		if err == nil && strings.EqualFold(params.Get("DryRun"), "true") {
			// Callers have every permission, so a dry run would succeed;
			// it changes nothing.
			callOf(r.Context()).ErrorCode = "DryRunOperation"
			WriteEC2Error(w, p.requestID(w, r), "DryRunOperation", http.StatusPreconditionFailed, "Request would have succeeded, but DryRun flag is set.")
			return
		}
		var out *Out
		if err == nil {
			out, err = op(r.Context(), in)
		}
		if err == nil {
			err = p.writeEC2Result(w, r, name, out)
		}
		if err != nil {
			p.WriteError(w, r, name, err)
		}
	}
}

func (p *EC2Query) writeEC2Result(w http.ResponseWriter, r *http.Request, name string, out any) error {
	m, ok := out.(interface{ setRequestID(string) })
	if !ok {
		return fmt.Errorf("awsproto: %s's output %T does not embed EC2Metadata", name, out)
	}
	m.setRequestID(p.requestID(w, r))
	var b bytes.Buffer
	b.WriteString(xml.Header)
	start := xml.StartElement{Name: xml.Name{Local: name + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: p.Namespace}}}
	if err := xml.NewEncoder(&b).EncodeElement(out, start); err != nil {
		return fmt.Errorf("encode %s response: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// WriteError writes err in EC2's error format and logs it once.
func (p *EC2Query) WriteError(w http.ResponseWriter, r *http.Request, op string, err error) {
	et := p.Errors.Lookup(err)
	callOf(r.Context()).ErrorCode = et.Name
	logError(r.Context(), p.Log, op, et.Status, err)
	WriteEC2Error(w, p.requestID(w, r), et.Name, et.Status, barge.ErrorMessage(err))
}

// Handler returns the handler of an EC2 API whose operations are actions,
// keyed by Action; see Query.Handler.
func (p *EC2Query) Handler(actions map[string]QueryAction) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		params, err := p.params(r)
		action := params.Get("Action")
		var a QueryAction
		if err == nil {
			a, err = p.action(actions, r.Method, action, params.Get("Version"))
		}
		if err != nil {
			if action == "" {
				action = "Unknown"
			}
			p.WriteError(w, r, action, err)
			return
		}
		a(w, r, params)
	})
}

// WriteEC2Error writes an error in EC2's format.
func WriteEC2Error(w http.ResponseWriter, requestID, code string, status int, message string) {
	type errorBody struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	resp := struct {
		XMLName   xml.Name    `xml:"Response"`
		Errors    []errorBody `xml:"Errors>Error"`
		RequestID string      `xml:"RequestID"`
	}{Errors: []errorBody{{Code: code, Message: message}}, RequestID: requestID}
	b, _ := xml.Marshal(resp)
	b = append([]byte(xml.Header), b...)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// DecodeEC2Query decodes EC2 query parameters into v, a pointer to a
// struct. It is DecodeQuery with EC2's flattened lists: a slice X takes
// X.1, X.2, ... (of structs: X.1.Key, ...). A field's parameter is its Go
// name or its `query:"..."` tag, which wire structs set to the name the
// model serializes (its locationName, capitalized).
func DecodeEC2Query(params url.Values, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("awsproto: DecodeEC2Query needs a pointer to a struct, not %T", v)
	}
	return queryLists{infix: "."}.decodeStruct(params, "", rv.Elem())
}

// ec2AuthErrors are EC2's names of the SigV4 errors that the JSON
// protocols name otherwise, with EC2's messages: an access key EC2 does
// not know is AuthFailure, "AWS was not able to validate the provided
// access credentials", a wrong signature SignatureDoesNotMatch.
var ec2AuthErrors = map[string]struct{ code, message string }{
	"MissingAuthenticationTokenException": {"MissingAuthenticationToken", "The request must contain either a valid (registered) AWS access key ID or X.509 certificate."},
	"IncompleteSignatureException":        {"IncompleteSignature", ""},
	"UnrecognizedClientException":         {"AuthFailure", "AWS was not able to validate the provided access credentials"},
	"InvalidSignatureException":           {"SignatureDoesNotMatch", ""},
}

// EC2AuthError returns the code and message EC2 answers a failed
// authentication with, given the JSON protocols' code and message. Other
// codes are returned unchanged.
func EC2AuthError(code, message string) (string, string) {
	e, ok := ec2AuthErrors[code]
	if !ok {
		return code, message
	}
	if e.message != "" {
		message = e.message
	}
	return e.code, message
}
