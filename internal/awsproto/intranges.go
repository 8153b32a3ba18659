package awsproto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/bargehq/barge"
)

// IntRanges is what a service model says about the integer members of its
// operations' inputs: each one's type (an Integer is 32 bits, a Long 64) and
// the minimum and maximum the model gives it. An adapter checks a request's
// numbers against it before decoding, so that no number the model forbids
// reaches an operation: 9300000000 seconds would overflow a Go duration.
//
// The tables are generated from botocore's models by
// scripts/gen-int-ranges.py, one intranges.json per API package.
type IntRanges struct {
	ops map[string]*intNode // operation → tree of its integer members
	// coral is set for the protocols (awsJson, awsQuery) whose services
	// word a value out of its range as AWS's validation layer does: "1
	// validation error detected: Value '0' at 'limit' failed to satisfy
	// constraint: Member must have value greater than or equal to 1".
	coral bool
	// flat is set for EC2's query protocol, whose lists are flattened:
	// Name.N, where awsQuery has Name.member.N.
	flat bool
}

// intNode is one level of an input's shape: the members below it by name,
// the element of a list, the value of a map, or an integer member itself.
type intNode struct {
	members map[string]*intNode
	elem    *intNode // list element ("[]" in a path)
	value   *intNode // map value ("{}" in a path)
	leaf    *intMember
}

// member returns the member named name, matched as DecodeJSON matches a
// body's names to fields (encoding/json's rules): exactly, or else without
// regard to case, so that {"AttemptDurationSeconds":9300000000} is checked
// like the attemptDurationSeconds it decodes into. Nil when none matches.
func (n *intNode) member(name []byte) *intNode {
	if m, ok := n.members[string(name)]; ok {
		return m
	}
	for k, m := range n.members {
		if strings.EqualFold(k, string(name)) {
			return m
		}
	}
	return nil
}

type intMember struct {
	Path string `json:"path"`
	Type string `json:"type"` // "integer" or "long"
	Min  *int64 `json:"min"`
	Max  *int64 `json:"max"`
}

// ParseIntRanges reads a table written by scripts/gen-int-ranges.py.
func ParseIntRanges(b []byte) (*IntRanges, error) {
	var table struct {
		Protocol   string                 `json:"protocol"`
		Operations map[string][]intMember `json:"operations"`
	}
	if err := json.Unmarshal(b, &table); err != nil {
		return nil, fmt.Errorf("integer ranges: %w", err)
	}
	t := &IntRanges{ops: map[string]*intNode{}, coral: table.Protocol == "json" || table.Protocol == "query", flat: table.Protocol == "ec2"}
	for op, members := range table.Operations {
		root := &intNode{}
		for _, m := range members {
			if m.Type != "integer" && m.Type != "long" {
				return nil, fmt.Errorf("integer ranges: %s %s has type %q", op, m.Path, m.Type)
			}
			root.add(m.Path, &m)
		}
		t.ops[op] = root
	}
	return t, nil
}

// MustParseIntRanges is ParseIntRanges for tables embedded in the program.
func MustParseIntRanges(b []byte) *IntRanges {
	t, err := ParseIntRanges(b)
	if err != nil {
		panic(err)
	}
	return t
}

// add places the member at path, such as "a.b[].c" or "tags{}", in the tree.
func (n *intNode) add(path string, m *intMember) {
	for path != "" {
		switch {
		case strings.HasPrefix(path, "[]"):
			if n.elem == nil {
				n.elem = &intNode{}
			}
			n, path = n.elem, path[2:]
		case strings.HasPrefix(path, "{}"):
			if n.value == nil {
				n.value = &intNode{}
			}
			n, path = n.value, path[2:]
		default:
			path = strings.TrimPrefix(path, ".")
			end := strings.IndexAny(path, ".[{")
			if end < 0 {
				end = len(path)
			}
			name := path[:end]
			if n.members == nil {
				n.members = map[string]*intNode{}
			}
			if n.members[name] == nil {
				n.members[name] = &intNode{}
			}
			n, path = n.members[name], path[end:]
		}
	}
	n.leaf = m
}

// CheckJSON checks the numbers of a JSON request body of operation op. Members
// the table does not name are not looked at; a malformed body is left to the
// decoder, except that what this walk cannot read is refused too, so that no
// number escapes the check.
func (t *IntRanges) CheckJSON(op string, body []byte) error {
	if t == nil || t.ops[op] == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	root := t.ops[op]
	w := walkers.Get().(*jsonWalker)
	defer func() {
		w.rd.Reset(nil) // the pool keeps no body alive
		walkers.Put(w)
	}()
	w.rd.Reset(body)
	// Duplicate names and invalid UTF-8 are allowed, as the decoder allows
	// them: {"a":1,"a":9300000000} must be checked, not skipped.
	w.dec.Reset(&w.rd, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	w.path, w.coral = w.path[:0], t.coral
	err := w.check(root)
	var rangeErr *barge.Error
	if err != nil && !errors.As(err, &rangeErr) {
		return barge.Errorf(barge.EInvalid, "The request body is not valid JSON: %v.", err)
	}
	return err
}

// jsonWalker walks one body; walkers are pooled, as every SubmitJob needs one.
type jsonWalker struct {
	rd    bytes.Reader
	dec   jsontext.Decoder
	path  []string // member names and list indices down to the value read
	coral bool
	name  []byte
}

var walkers = sync.Pool{New: func() any { return new(jsonWalker) }}

// pathString renders the path of the value being read, for an error.
func (w *jsonWalker) pathString() string {
	var b strings.Builder
	for i, p := range w.path {
		if strings.HasPrefix(p, "[") { // a list index; a map key may be ""
			if w.coral {
				n, _ := strconv.Atoi(p[1 : len(p)-1])
				b.WriteString("." + strconv.Itoa(n+1) + ".member") // as AWS names it
			} else {
				b.WriteString(p)
			}
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// check reads the next value against n.
func (w *jsonWalker) check(n *intNode) error {
	dec := &w.dec
	if n == nil {
		return dec.SkipValue()
	}
	switch dec.PeekKind() {
	case '{':
		if n.members == nil && n.value == nil {
			return dec.SkipValue()
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for dec.PeekKind() != '}' {
			raw, err := dec.ReadValue() // the name, quoted
			if err != nil {
				return err
			}
			name := raw[1 : len(raw)-1]
			if bytes.IndexByte(name, '\\') >= 0 {
				if w.name, err = jsontext.AppendUnquote(w.name[:0], raw); err != nil {
					return err
				}
				name = w.name
			}
			child := n.member(name)
			if child == nil {
				child = n.value // a map's values; nil for a structure's unknown member
			}
			if child == nil {
				if err := dec.SkipValue(); err != nil {
					return err
				}
				continue
			}
			w.path = append(w.path, string(name))
			if err := w.check(child); err != nil {
				return err
			}
			w.path = w.path[:len(w.path)-1]
		}
		_, err := dec.ReadToken()
		return err
	case '[':
		if n.elem == nil {
			return dec.SkipValue()
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		for i := 0; dec.PeekKind() != ']'; i++ {
			w.path = append(w.path, "["+strconv.Itoa(i)+"]")
			if err := w.check(n.elem); err != nil {
				return err
			}
			w.path = w.path[:len(w.path)-1]
		}
		_, err := dec.ReadToken()
		return err
	case '0':
		v, err := dec.ReadValue()
		if err != nil || n.leaf == nil {
			return err
		}
		if err := n.leaf.check("", string(v), w.coral); err != nil {
			return n.leaf.check(w.pathString(), string(v), w.coral)
		}
		return nil
	case 0:
		_, err := dec.ReadToken() // the decoder's error
		return err
	}
	return dec.SkipValue() // strings, booleans, null: the decoder judges their types
}

// CheckQuery checks the numbers among an awsQuery request's parameters
// (Name, Name.member.N, Name.entry.N.value), or an EC2 query request's
// (Name, Name.N), for operation op.
func (t *IntRanges) CheckQuery(op string, params url.Values) error {
	if t == nil || t.ops[op] == nil {
		return nil
	}
	root := t.ops[op]
	for key, values := range params {
		n := root
		for _, part := range strings.Split(key, ".") {
			switch {
			case n == nil:
			case part == "member" && n.elem != nil:
				n = n.elem
			case part == "entry" && n.value != nil:
				n = n.value
			case part == "key":
				n = nil // a map's key is a string
			case t.flat && isIndex(part):
				n = n.elem // nil unless a list holds integers below
			case isIndex(part) || part == "value":
			default:
				n = n.members[part]
			}
		}
		if n == nil || n.leaf == nil {
			continue
		}
		for _, v := range values {
			if err := n.leaf.check(key, v, t.coral); err != nil {
				return err
			}
		}
	}
	return nil
}

func isIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// check checks one number, as sent, against the member's type and range.
func (m *intMember) check(path, raw string, coral bool) error {
	bits, typ := 32, "an Integer"
	lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
	if m.Type == "long" {
		bits, typ = 64, "a Long"
		lo, hi = math.MinInt64, math.MaxInt64
	}
	if strings.ContainsAny(raw, ".eE") {
		return barge.Errorf(barge.EInvalid, "%s %s is not valid: it must be a whole number (%s), written without a fraction or exponent.", path, raw, typ)
	}
	n, err := strconv.ParseInt(raw, 10, bits)
	if err != nil {
		return barge.Errorf(barge.EInvalid, "%s %s is not valid: it must be %s from %d to %d.", path, raw, typ, lo, hi)
	}
	var bound string
	switch {
	case m.Min != nil && n < *m.Min:
		bound = "greater than or equal to " + strconv.FormatInt(*m.Min, 10)
	case m.Max != nil && n > *m.Max:
		bound = "less than or equal to " + strconv.FormatInt(*m.Max, 10)
	default:
		return nil
	}
	if coral {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have value %s", raw, coralPath(path), bound)
	}
	if m.Min != nil && m.Max != nil {
		bound = fmt.Sprintf("between %d and %d", *m.Min, *m.Max) // as Batch's own checks say it
	}
	return barge.Errorf(barge.EInvalid, "%s %s is not valid: it must be %s.", path, raw, bound)
}

// coralPath writes a member path the way AWS's validation messages do, each
// name starting in lower case: MaxItems is 'maxItems'.
func coralPath(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToLower(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, ".")
}
