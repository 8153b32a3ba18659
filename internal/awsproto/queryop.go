package awsproto

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// Query adapts typed operations to awsQuery (IAM's protocol): parameters
// form-encoded in a POST body or in a GET query, the operation named by
// Action, the API version by Version, and XML responses of the form
//
//	<XResponse xmlns="..."><XResult>...</XResult><ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></XResponse>
type Query struct {
	Namespace string // the xmlns of every response, e.g. https://iam.amazonaws.com/doc/2010-05-08/
	Version   string // the API version requests must name, e.g. 2010-05-08
	MaxBody   int    // bytes; zero leaves the bound to the server
	Errors    *ErrorTable
	Log       *slog.Logger
	// Ints, when set, bounds the integer parameters of every operation to
	// their model's type and range.
	Ints *IntRanges
}

// QueryAction serves one awsQuery operation, given the request's decoded
// parameters.
type QueryAction func(w http.ResponseWriter, r *http.Request, params url.Values)

// NoResult is the output of an operation whose response has no result
// element (IAM's DeleteRole, AttachRolePolicy, ...): the response holds only
// ResponseMetadata.
type NoResult struct{}

// Handler returns the handler of an awsQuery API whose operations are
// actions, keyed by Action. It reads the parameters, checks the version,
// and dispatches; an unknown Action is an EUnsupported error.
//
// The handler is also a server.BodyLimiter: the Action is in the body, so
// MaxBody bounds every operation's.
func (p *Query) Handler(actions map[string]QueryAction) http.Handler {
	return &opHandler{name: "Unknown", maxBody: p.MaxBody, tooLarge: func(w http.ResponseWriter, r *http.Request, _ error) {
		p.WriteError(w, r, "Unknown", barge.Errorf(barge.EInvalid, "The request body is larger than %d bytes. Make the request smaller.", p.MaxBody))
	}, serve: func(w http.ResponseWriter, r *http.Request) {
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
	}}
}

func (p *Query) action(actions map[string]QueryAction, method, action, version string) (QueryAction, error) {
	if method != http.MethodPost && method != http.MethodGet {
		return nil, barge.Errorf(barge.EUnsupported, "The %s method is not supported: send awsQuery requests as POST with a form-encoded body (or GET with a query string).", method)
	}
	if action == "" {
		return nil, barge.Errorf(barge.EUnsupported, "The request has no Action parameter. Send Action=<operation>&Version=%s with the operation's parameters.", p.Version)
	}
	if version == "" {
		return nil, barge.Errorf(barge.EUnsupported, "The request has no Version parameter. Send Version=%s.", p.Version)
	}
	a, ok := actions[action]
	if !ok {
		return nil, barge.Errorf(barge.EUnsupported, "Could not find operation %s for version %s.", action, version)
	}
	if version != p.Version {
		return nil, barge.Errorf(barge.EUnsupported, "Could not find operation %s for version %s: this server speaks version %s.", action, version, p.Version)
	}
	return a, nil
}

// params returns the request's parameters: a POST's form body and the URL
// query together, the body's first. The body is form-encoded whatever the
// Content-Type says, as AWS reads it.
func (p *Query) params(r *http.Request) (url.Values, error) {
	var body []byte
	if r.Method == http.MethodPost && r.Body != nil {
		var err error
		rd := io.Reader(r.Body)
		if p.MaxBody > 0 {
			rd = io.LimitReader(r.Body, int64(p.MaxBody)+1)
		}
		if body, err = io.ReadAll(rd); err != nil {
			return url.Values{}, barge.Errorf(barge.EInvalid, "The request body could not be read.")
		}
		if p.MaxBody > 0 && len(body) > p.MaxBody {
			return url.Values{}, barge.Errorf(barge.EInvalid, "The request body is larger than %d bytes. Make the request smaller.", p.MaxBody)
		}
	}
	return ParseQuery(string(body), r.URL.RawQuery)
}

// ParseQuery parses an awsQuery request's parameters from its form body and
// its URL query; a parameter in both keeps the body's value first. The
// values are returned even with an error, so that the caller can still name
// the Action.
func ParseQuery(body, rawQuery string) (url.Values, error) {
	params, err := url.ParseQuery(body)
	if err != nil {
		return params, barge.Errorf(barge.EInvalid, "The request body is not a valid form-encoded parameter list (%v). Encode it as application/x-www-form-urlencoded: Action=...&Version=...&Name=value.", err)
	}
	q, err := url.ParseQuery(rawQuery)
	for k, vs := range q {
		params[k] = append(params[k], vs...)
	}
	if err != nil {
		return params, barge.Errorf(barge.EInvalid, "The URL query is not a valid parameter list (%v). Percent-encode the parameter values.", err)
	}
	return params, nil
}

// QueryOp returns the action of operation name: it decodes the parameters
// into In (see DecodeQuery), calls op, and writes its output as the
// response's <nameResult>, or funnels its error to the awsQuery error
// format. Out's fields are encoded with encoding/xml, so they carry xml tags
// and appear in the order they are declared; an Out of NoResult writes no
// result element.
func QueryOp[In, Out any](p *Query, name string, op Op[In, Out]) QueryAction {
	return func(w http.ResponseWriter, r *http.Request, params url.Values) {
		callOf(r.Context()).Operation = name
		in := new(In)
		err := p.Ints.CheckQuery(name, params)
		if err == nil {
			err = DecodeQuery(params, in)
		}
		var out *Out
		if err == nil {
			out, err = op(r.Context(), in)
		}
		if err == nil {
			err = p.writeResult(w, r, name, out)
		}
		if err != nil {
			p.WriteError(w, r, name, err)
		}
	}
}

// writeResult writes an operation's successful response. It writes nothing
// if the output cannot be encoded, and returns why.
func (p *Query) writeResult(w http.ResponseWriter, r *http.Request, name string, out any) error {
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	start := xml.StartElement{Name: xml.Name{Local: name + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: p.Namespace}}}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if _, none := out.(*NoResult); !none && !reflect.ValueOf(out).IsNil() {
		if err := enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: name + "Result"}}); err != nil {
			return fmt.Errorf("encode %s result: %w", name, err)
		}
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{p.requestID(w, r)}
	if err := enc.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return err
	}
	if err := enc.Flush(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// requestID returns the request's ID, making one (and announcing it in
// x-amzn-RequestId) if the server in front gave it none.
func (p *Query) requestID(w http.ResponseWriter, r *http.Request) string {
	if id := RequestID(r.Context()); id != "" {
		return id
	}
	if id := w.Header().Get("x-amzn-RequestId"); id != "" {
		return id
	}
	id := NewRequestID()
	w.Header().Set("x-amzn-RequestId", id)
	return id
}

// WriteError writes err in awsQuery's error format and logs it once.
func (p *Query) WriteError(w http.ResponseWriter, r *http.Request, op string, err error) {
	et := p.Errors.Lookup(err)
	callOf(r.Context()).ErrorCode = et.Name
	logError(r.Context(), p.Log, op, et.Status, err)
	WriteQueryError(w, p.Namespace, p.requestID(w, r), et.Name, et.Status, barge.ErrorMessage(err))
}

// DecodeQuery decodes awsQuery parameters into v, a pointer to a struct.
//
// A field's parameter is its Go name, which wire structs make the model's
// member name, or the name in its `query:"..."` tag ("-" skips it). Strings,
// integers, booleans and floats (or pointers to them, left nil when the
// parameter is absent) take the parameter's value; a struct field X takes
// X.Member parameters; a slice X takes the list X.member.1, X.member.2, ...
// (of structs: X.member.1.Key, ...), in index order, with an empty X=
// meaning an empty list. Parameters that match no field are ignored, as AWS
// does, so newer clients keep working. A value of the wrong type is an
// EInvalid error that names the parameter.
func DecodeQuery(params url.Values, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("awsproto: DecodeQuery needs a pointer to a struct, not %T", v)
	}
	return queryLists{infix: ".member."}.decodeStruct(params, "", rv.Elem())
}

// queryLists is how a query protocol spells a list's members: awsQuery's
// X.member.1, X.member.2 (infix ".member."), EC2's flattened X.1, X.2
// (infix ".").
type queryLists struct{ infix string }

func (d queryLists) decodeStruct(params url.Values, prefix string, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("query"); tag == "-" {
			continue
		} else if tag != "" {
			name = tag
		}
		if err := d.decodeValue(params, prefix+name, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func (d queryLists) decodeValue(params url.Values, key string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		et := v.Type().Elem()
		if _, ok := params[key]; !ok && (et.Kind() != reflect.Struct && et.Kind() != reflect.Slice || !hasPrefix(params, key+".")) {
			return nil
		}
		p := reflect.New(et)
		if err := d.decodeValue(params, key, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		return d.decodeStruct(params, key+".", v)
	case reflect.Slice:
		return d.decodeList(params, key, v)
	}
	vs, ok := params[key]
	if !ok {
		return nil
	}
	return setScalar(key, vs[0], v)
}

// hasPrefix reports whether a parameter name starts with prefix.
func hasPrefix(params url.Values, prefix string) bool {
	for k := range params {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// decodeList decodes the list key<infix>N into the slice v.
func (d queryLists) decodeList(params url.Values, key string, v reflect.Value) error {
	prefix := key + d.infix
	var indexes []int
	for k := range params {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || strconv.Itoa(n) != num {
			return barge.Errorf(barge.EInvalid, "The parameter %s has no valid list index: a list is sent as %s1, %s2, ... counting from 1.", k, prefix, prefix)
		}
		indexes = append(indexes, n)
	}
	if len(indexes) == 0 {
		if _, ok := params[key]; ok {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // "Key=": the empty list
		}
		return nil
	}
	slices.Sort(indexes)
	indexes = slices.Compact(indexes)
	list := reflect.MakeSlice(v.Type(), len(indexes), len(indexes))
	for i, n := range indexes {
		if err := d.decodeValue(params, prefix+strconv.Itoa(n), list.Index(i)); err != nil {
			return err
		}
	}
	v.Set(list)
	return nil
}

func setScalar(key, s string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return barge.Errorf(barge.EInvalid, "Invalid value %q for parameter %s: expected an integer of at most %d bits.", s, key, v.Type().Bits())
		}
		v.SetInt(n)
	case reflect.Bool:
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return barge.Errorf(barge.EInvalid, "Invalid value %q for parameter %s: expected true or false.", s, key)
		}
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return barge.Errorf(barge.EInvalid, "Invalid value %q for parameter %s: expected a number.", s, key)
		}
		v.SetFloat(f)
	default:
		return fmt.Errorf("awsproto: cannot decode parameter %s into a %s", key, v.Type())
	}
	return nil
}
