package apitest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Model is an AWS service model as botocore ships it (service-2.json): the
// operations of one API and the shapes of their outputs, for checking that
// what barge answers is what AWS's clients expect, member by member.
type Model struct {
	Metadata struct {
		Protocol string `json:"protocol"`
	} `json:"metadata"`
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]Shape     `json:"shapes"`
}

// Operation is one operation of a Model.
type Operation struct {
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"requestUri"`
	} `json:"http"`
	Output *ShapeRef `json:"output"`
}

// ShapeRef names a shape where it is used: an operation's output, a
// structure's member, a list's element, a map's key or value.
type ShapeRef struct {
	Shape         string `json:"shape"`
	ResultWrapper string `json:"resultWrapper"`
	LocationName  string `json:"locationName"`
	Location      string `json:"location"`
	Flattened     bool   `json:"flattened"`
}

// Shape is one shape of a Model.
type Shape struct {
	Type      string              `json:"type"`
	Members   map[string]ShapeRef `json:"members"`
	Required  []string            `json:"required"`
	Member    *ShapeRef           `json:"member"`
	Key       *ShapeRef           `json:"key"`
	Value     *ShapeRef           `json:"value"`
	Enum      []string            `json:"enum"`
	Flattened bool                `json:"flattened"`
}

// BotocoreData returns the data directory of the botocore installed for
// python3 (its service models), or skips tb with the reason when there is
// none.
func BotocoreData(tb testing.TB) string {
	tb.Helper()
	out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		tb.Skipf("no botocore to read AWS's service models from (python3 -c 'import botocore': %v)", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "data")
}

// LoadModel reads the newest model of service (botocore's directory name:
// batch, logs, iam, ...) under botocore's data directory.
func LoadModel(data, service string) (*Model, error) {
	versions, err := filepath.Glob(filepath.Join(data, service, "*", "service-2.json*"))
	if err != nil || len(versions) == 0 {
		return nil, fmt.Errorf("no model of %s under %s", service, data)
	}
	sort.Strings(versions) // directories are API versions, dates: the last is the newest
	f, err := os.Open(versions[len(versions)-1])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(f.Name(), ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		r = gz
	}
	var m Model
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name(), err)
	}
	return &m, nil
}

// Rules are what a check of responses against a Model allows and demands
// beyond the model itself. Members are named "Shape.member".
type Rules struct {
	// Extensions are members barge adds to AWS's shapes, each documented.
	Extensions []string
	// Always are members AWS returns in every instance of their shape,
	// though the model does not mark them required.
	Always []string
	// Sometimes are members the model marks required that AWS itself
	// leaves out at times (JobDetail.startedAt before a job starts).
	Sometimes []string
	// Values are values AWS sends for a shape of strings that its model's
	// enum spells otherwise, by shape (EC2's VpcEndpoint State:
	// "available", where the enum says "Available").
	Values map[string][]string
}

// Check returns how body, the response of a successful call of op, differs
// from the operation's output shape: members the model does not define
// (other than rules' extensions), values of the wrong type or outside the
// shape's enum, required and always-returned members that are missing. A
// nil result means none.
func (m *Model) Check(op string, body []byte, rules Rules) []string {
	o, ok := m.Operations[op]
	if !ok {
		return []string{fmt.Sprintf("%s is not an operation of the model", op)}
	}
	c := &checker{m: m, rules: rules}
	switch m.Metadata.Protocol {
	case "json", "rest-json":
		c.checkJSON(op, o.Output, body)
	case "query", "ec2":
		c.checkXML(op, o.Output, body)
	default:
		c.errorf(op, "protocol %q is not checked", m.Metadata.Protocol)
	}
	return c.diffs
}

type checker struct {
	m     *Model
	rules Rules
	diffs []string
}

func (c *checker) errorf(path, format string, args ...any) {
	c.diffs = append(c.diffs, path+": "+fmt.Sprintf(format, args...))
}

// members returns the names a structure's instance must have: its required
// members and those AWS always returns, less those AWS leaves out at times.
func (c *checker) members(name string, s Shape) []string {
	var want []string
	for _, r := range s.Required {
		if !slices.Contains(c.rules.Sometimes, name+"."+r) {
			want = append(want, r)
		}
	}
	for _, a := range c.rules.Always {
		if shape, member, _ := strings.Cut(a, "."); shape == name {
			want = append(want, member)
		}
	}
	return want
}

// checkJSON checks a restJson1 or awsJson1.1 body against output.
func (c *checker) checkJSON(op string, output *ShapeRef, body []byte) {
	if output == nil {
		if t := strings.TrimSpace(string(body)); t != "" && t != "{}" {
			c.errorf(op, "the operation has no output, the body is %.100s", t)
		}
		return
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		c.errorf(op, "the body is not JSON: %v", err)
		return
	}
	shape := c.m.Shapes[output.Shape]
	if obj, ok := v.(map[string]any); ok {
		// Members bound to headers or the status code are not in the body.
		for name, ref := range shape.Members {
			if ref.Location != "" {
				if _, in := obj[name]; in {
					c.errorf(op+"."+name, "is in the body, the model sends it in the %s", ref.Location)
				}
			}
		}
	}
	c.json(op, output.Shape, v)
}

func (c *checker) json(path, name string, v any) {
	s, ok := c.m.Shapes[name]
	if !ok {
		c.errorf(path, "shape %s is not in the model", name)
		return
	}
	if v == nil {
		c.errorf(path, "is null; AWS leaves out a member it has no value for")
		return
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			c.errorf(path, "is %T, want an object (%s)", v, name)
			return
		}
		for k, mv := range obj {
			ref, ok := s.Members[k]
			if !ok {
				if !slices.Contains(c.rules.Extensions, name+"."+k) {
					c.errorf(path+"."+k, "is not a member of %s", name)
				}
				continue
			}
			if ref.Location == "" {
				c.json(path+"."+k, ref.Shape, mv)
			}
		}
		for _, r := range c.members(name, s) {
			if _, ok := obj[r]; !ok && s.Members[r].Location == "" {
				c.errorf(path+"."+r, "is missing (%s always has it)", name)
			}
		}
	case "list":
		arr, ok := v.([]any)
		if !ok {
			c.errorf(path, "is %T, want an array (%s)", v, name)
			return
		}
		for i, e := range arr {
			c.json(fmt.Sprintf("%s[%d]", path, i), s.Member.Shape, e)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			c.errorf(path, "is %T, want an object (%s)", v, name)
			return
		}
		for k, mv := range obj {
			c.scalar(path+"{"+k+"}", s.Key.Shape, k)
			c.json(path+"."+k, s.Value.Shape, mv)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			c.errorf(path, "is %T, want a string (%s)", v, name)
			return
		}
		c.scalar(path, name, str)
	case "integer", "long", "double", "float":
		n, ok := v.(json.Number)
		if !ok {
			c.errorf(path, "is %T, want a number (%s)", v, name)
			return
		}
		c.scalar(path, name, n.String())
	case "timestamp":
		// The JSON protocols send timestamps as epoch seconds.
		n, ok := v.(json.Number)
		if !ok {
			c.errorf(path, "is %T, want epoch seconds (%s)", v, name)
			return
		}
		if f, err := n.Float64(); err != nil || f < 0 || f > 1e11 {
			c.errorf(path, "is %s, want epoch seconds (%s)", n, name)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			c.errorf(path, "is %T, want a boolean (%s)", v, name)
		}
	case "blob":
		if _, ok := v.(string); !ok {
			c.errorf(path, "is %T, want base64 (%s)", v, name)
		}
	default:
		c.errorf(path, "shape type %q is not checked", s.Type)
	}
}

// scalar checks the text of a scalar value of shape name: a member of its
// enum, a number in its type's range.
func (c *checker) scalar(path, name, text string) {
	s := c.m.Shapes[name]
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, text) && !slices.Contains(c.rules.Values[name], text) {
			c.errorf(path, "is %q, not one of %s's values %q", text, name, s.Enum)
		}
	case "integer":
		if _, err := strconv.ParseInt(text, 10, 32); err != nil {
			c.errorf(path, "is %q, want a 32-bit integer (%s)", text, name)
		}
	case "long":
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			c.errorf(path, "is %q, want a 64-bit integer (%s)", text, name)
		}
	case "double", "float":
		if f, err := strconv.ParseFloat(text, 64); err != nil || math.IsNaN(f) {
			c.errorf(path, "is %q, want a number (%s)", text, name)
		}
	case "boolean":
		if text != "true" && text != "false" {
			c.errorf(path, "is %q, want true or false (%s)", text, name)
		}
	case "timestamp":
		// The query protocols send ISO 8601.
		if _, err := time.Parse(time.RFC3339Nano, text); err != nil {
			c.errorf(path, "is %q, want an ISO 8601 time (%s)", text, name)
		}
	default:
		c.errorf(path, "is text, want a %s (%s)", s.Type, name)
	}
}

// node is an XML element.
type node struct {
	name     string
	text     string
	children []*node
}

func parseXML(body []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

// checkXML checks an awsQuery (IAM, STS) or EC2 query body against output.
func (c *checker) checkXML(op string, output *ShapeRef, body []byte) {
	root, err := parseXML(body)
	if err != nil {
		c.errorf(op, "the body is not XML: %v", err)
		return
	}
	if root.name != op+"Response" {
		c.errorf(op, "the root element is <%s>, want <%sResponse>", root.name, op)
		return
	}
	result := root
	if c.m.Metadata.Protocol == "ec2" {
		// EC2: the members sit in the root, after a requestId.
		rest := root.children[:0:0]
		seen := false
		for _, n := range root.children {
			if n.name == "requestId" {
				seen = true
				continue
			}
			rest = append(rest, n)
		}
		if !seen {
			c.errorf(op, "has no <requestId>")
		}
		result = &node{name: root.name, children: rest}
	} else {
		// awsQuery: <OpResult> (the model's resultWrapper) and
		// <ResponseMetadata><RequestId>.
		result = nil
		var meta bool
		for _, n := range root.children {
			switch {
			case n.name == "ResponseMetadata" && len(n.children) == 1 && n.children[0].name == "RequestId":
				meta = true
			case output != nil && n.name == output.ResultWrapper:
				result = n
			default:
				c.errorf(op+"."+n.name, "is not an element of <%s>", root.name)
			}
		}
		if !meta {
			c.errorf(op, "has no <ResponseMetadata><RequestId>")
		}
		if output != nil && result == nil {
			c.errorf(op, "has no <%s>", output.ResultWrapper)
			return
		}
	}
	if output == nil {
		// EC2 answers the actions its model gives no output with
		// <return>true</return>, as its API reference says of each.
		if c.m.Metadata.Protocol == "ec2" {
			for _, n := range result.children {
				if n.name != "return" || n.text != "true" {
					c.errorf(op, "the operation has no output, the body has <%s>", n.name)
				}
			}
		}
		return
	}
	c.xmlStruct(op, output.Shape, result)
}

// xmlName is the element name of a member on the wire.
func xmlName(member string, ref ShapeRef) string {
	if ref.LocationName != "" {
		return ref.LocationName
	}
	return member
}

func (c *checker) xmlStruct(path, name string, n *node) {
	s := c.m.Shapes[name]
	byElement := map[string]string{}
	for member, ref := range s.Members {
		byElement[xmlName(member, ref)] = member
	}
	seen := map[string]bool{}
	flat := map[string][]*node{}
	for _, child := range n.children {
		member, ok := byElement[child.name]
		if !ok {
			if !slices.Contains(c.rules.Extensions, name+"."+child.name) {
				c.errorf(path+"."+child.name, "is not a member of %s", name)
			}
			continue
		}
		ref := s.Members[member]
		if t := c.m.Shapes[ref.Shape]; t.Type == "list" && (t.Flattened || ref.Flattened) {
			flat[member] = append(flat[member], child)
			seen[member] = true
			continue
		}
		if seen[member] {
			c.errorf(path+"."+child.name, "appears more than once")
		}
		seen[member] = true
		c.xml(path+"."+child.name, ref.Shape, child)
	}
	for member, items := range flat {
		for i, item := range items {
			c.xml(fmt.Sprintf("%s.%s[%d]", path, member, i), c.m.Shapes[s.Members[member].Shape].Member.Shape, item)
		}
	}
	for _, r := range c.members(name, s) {
		if !seen[r] {
			c.errorf(path+"."+xmlName(r, s.Members[r]), "is missing (%s always has it)", name)
		}
	}
}

func (c *checker) xml(path, name string, n *node) {
	s := c.m.Shapes[name]
	switch s.Type {
	case "structure":
		c.xmlStruct(path, name, n)
	case "list":
		want := "member"
		if s.Member.LocationName != "" {
			want = s.Member.LocationName
		}
		for i, item := range n.children {
			if item.name != want {
				c.errorf(path, "has <%s>, want <%s> items (%s)", item.name, want, name)
				continue
			}
			c.xml(fmt.Sprintf("%s[%d]", path, i), s.Member.Shape, item)
		}
	case "map":
		for _, e := range n.children {
			var k, v *node
			for _, kv := range e.children {
				switch kv.name {
				case xmlName("key", *s.Key):
					k = kv
				case xmlName("value", *s.Value):
					v = kv
				}
			}
			if e.name != "entry" || k == nil || v == nil {
				c.errorf(path, "has <%s>, want <entry><key>..</key><value>..</value></entry> (%s)", e.name, name)
				continue
			}
			c.xml(path+"{"+k.text+"}", s.Key.Shape, k)
			c.xml(path+"."+k.text, s.Value.Shape, v)
		}
	default:
		if len(n.children) > 0 {
			c.errorf(path, "has <%s>, want the text of a %s (%s)", n.children[0].name, s.Type, name)
			return
		}
		c.scalar(path, name, n.text)
	}
}
