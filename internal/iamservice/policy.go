package iamservice

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/bargehq/barge"
)

// Policy documents: barge checks their grammar as IAM does when a policy is
// stored, so that a document AWS would reject is rejected here too, and
// evaluates trust policies for CheckExecutionRole. It does not enforce
// permissions policies.

// policyKind is what a document is for, which decides the elements its
// statements must and must not have.
type policyKind int

const (
	trustPolicy    policyKind = iota // a role's AssumeRolePolicyDocument: who may assume it
	identityPolicy                   // an inline policy: what the role may do
)

// policy is a parsed policy document.
type policy struct {
	Statements []statement
}

type statement struct {
	Effect string // Allow or Deny

	// Exactly one of Principal and NotPrincipal is set in a trust policy
	// statement, and neither in an identity policy.
	Principal, NotPrincipal *principal
	// One of Action and NotAction is set.
	Action, NotAction []string
	// Conditions are accepted but not evaluated: see allowsService.
	HasCondition bool
}

// principal is a statement's Principal or NotPrincipal: "*", or principals
// by type (AWS, Service, Federated, CanonicalUser).
type principal struct {
	Any    bool
	ByType map[string][]string
}

func malformed(format string, args ...any) error {
	return barge.Errorf(EMalformedPolicy, format, args...)
}

var (
	topLevelElements  = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	principalTypes    = []string{"AWS", "Service", "Federated", "CanonicalUser"}
	actionPattern     = regexp.MustCompile(`^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$`)
	accountPattern    = regexp.MustCompile(`^[0-9]{12}$`)
)

// parsePolicy parses and checks a policy document of the given kind. Its
// errors are MalformedPolicyDocument and say what to change.
func parsePolicy(doc string, kind policyKind) (*policy, error) {
	var top map[string]json.RawMessage
	if err := decodeStrict(doc, &top); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, malformed("Syntax errors in policy: the document must be a JSON object such as {\"Version\":\"2012-10-17\",\"Statement\":[...]}, not a JSON %s.", te.Value)
		}
		return nil, malformed("Syntax errors in policy: %v. The document must be a JSON object such as {\"Version\":\"2012-10-17\",\"Statement\":[...]}.", jsonError(err))
	}
	if err := onlyElements("the policy", top, topLevelElements); err != nil {
		return nil, err
	}
	if raw, ok := top["Version"]; ok {
		var v string
		if json.Unmarshal(raw, &v) != nil || v != "2012-10-17" && v != "2008-10-17" {
			return nil, malformed("The policy failed legacy parsing: Version must be \"2012-10-17\" (or the older \"2008-10-17\"), not %s.", raw)
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, malformed("Missing required field Statement: a policy is {\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",...}]}.")
	}
	var raws []map[string]json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		if err := json.Unmarshal(raw, &raws); err != nil {
			return nil, malformed("Syntax errors in policy: Statement must be a statement object or a list of them.")
		}
	} else {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw, &one); err != nil || one == nil {
			return nil, malformed("Syntax errors in policy: Statement must be a statement object or a list of them.")
		}
		raws = append(raws, one)
	}
	if len(raws) == 0 {
		return nil, malformed("The policy has no statements: Statement must hold at least one.")
	}
	p := &policy{}
	for i, r := range raws {
		st, err := parseStatement(r, kind)
		if err != nil {
			if len(raws) > 1 {
				err = malformed("Statement %d: %s", i+1, barge.ErrorMessage(err))
			}
			return nil, err
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

// decodeStrict decodes doc into v, refusing anything after the JSON value.
func decodeStrict(doc string, v any) error {
	dec := json.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("unexpected data after the policy's closing }")
	}
	return nil
}

// jsonError describes a JSON decoding error with its position.
func jsonError(err error) string {
	var se *json.SyntaxError
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the JSON ends before it is complete (a missing } or ])"
	}
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at character %d)", se, se.Offset)
	}
	return err.Error()
}

// onlyElements refuses elements of m that are not in allowed, as IAM does
// (a misspelt element would otherwise be silently ignored).
func onlyElements(where string, m map[string]json.RawMessage, allowed []string) error {
	for k := range m {
		if !slices.Contains(allowed, k) {
			return malformed("Syntax errors in policy: %s has an unknown element %q; the elements allowed are %s (names are case-sensitive).", where, k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func parseStatement(m map[string]json.RawMessage, kind policyKind) (statement, error) {
	var st statement
	if m == nil {
		return st, malformed("Syntax errors in policy: a statement must be a JSON object.")
	}
	if err := onlyElements("a statement", m, statementElements); err != nil {
		return st, err
	}
	if raw, ok := m["Sid"]; ok {
		var sid string
		if json.Unmarshal(raw, &sid) != nil {
			return st, malformed("Syntax errors in policy: Sid must be a string.")
		}
	}
	raw, ok := m["Effect"]
	if !ok {
		return st, malformed("Missing required field Effect: each statement needs \"Effect\": \"Allow\" or \"Deny\".")
	}
	if json.Unmarshal(raw, &st.Effect) != nil || st.Effect != "Allow" && st.Effect != "Deny" {
		return st, malformed("Invalid effect: %s. Effect must be \"Allow\" or \"Deny\".", raw)
	}

	var err error
	if st.Principal, err = parsePrincipal(m, "Principal"); err != nil {
		return st, err
	}
	if st.NotPrincipal, err = parsePrincipal(m, "NotPrincipal"); err != nil {
		return st, err
	}
	if st.Action, err = parseActions(m, "Action"); err != nil {
		return st, err
	}
	if st.NotAction, err = parseActions(m, "NotAction"); err != nil {
		return st, err
	}
	resources, err := parseResources(m, "Resource")
	if err != nil {
		return st, err
	}
	notResources, err := parseResources(m, "NotResource")
	if err != nil {
		return st, err
	}
	if raw, ok := m["Condition"]; ok {
		var c map[string]json.RawMessage
		if json.Unmarshal(raw, &c) != nil || c == nil {
			return st, malformed("Syntax errors in policy: Condition must be an object such as {\"StringEquals\":{\"aws:SourceAccount\":\"123456789012\"}}.")
		}
		st.HasCondition = true
	}

	hasPrincipal := st.Principal != nil || st.NotPrincipal != nil
	hasAction := st.Action != nil || st.NotAction != nil
	hasResource := resources != nil || notResources != nil
	switch {
	case st.Principal != nil && st.NotPrincipal != nil:
		return st, malformed("A statement cannot have both Principal and NotPrincipal.")
	case st.Action != nil && st.NotAction != nil:
		return st, malformed("A statement cannot have both Action and NotAction.")
	case resources != nil && notResources != nil:
		return st, malformed("A statement cannot have both Resource and NotResource.")
	case kind == trustPolicy && !hasPrincipal:
		return st, malformed("Missing required field Principal: a trust policy says who may assume the role, e.g. \"Principal\": {\"Service\": \"ecs-tasks.amazonaws.com\"}.")
	case kind == trustPolicy && !hasAction:
		return st, malformed("Missing required field Action: a trust policy statement names the action allowed, e.g. \"Action\": \"sts:AssumeRole\".")
	case kind == trustPolicy && hasResource:
		return st, malformed("Has prohibited field Resource: a trust policy's resource is the role itself; remove Resource from the statement.")
	case kind == identityPolicy && hasPrincipal:
		return st, malformed("Policy document should not specify a principal. An inline policy applies to the role it is in: remove Principal from the statement.")
	case kind == identityPolicy && !hasAction:
		return st, malformed("Policy statement must contain actions. Add an Action such as \"Action\": \"s3:GetObject\".")
	case kind == identityPolicy && !hasResource:
		return st, malformed("Policy statement must contain resources. Add a Resource: \"Resource\": \"*\" or ARNs.")
	}
	return st, nil
}

// stringOrList decodes an element that is a string or a non-empty list of
// strings.
func stringOrList(raw json.RawMessage) ([]string, bool) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
		return list, true
	}
	return nil, false
}

func parsePrincipal(m map[string]json.RawMessage, element string) (*principal, error) {
	raw, ok := m[element]
	if !ok {
		return nil, nil
	}
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star != "*" {
			return nil, malformed("Invalid principal in policy: %s. Use \"*\" or an object such as {\"Service\": \"ecs-tasks.amazonaws.com\"} or {\"AWS\": \"arn:aws:iam::123456789012:root\"}.", raw)
		}
		return &principal{Any: true}, nil
	}
	var byType map[string]json.RawMessage
	if json.Unmarshal(raw, &byType) != nil || len(byType) == 0 {
		return nil, malformed("Invalid principal in policy: %s. Use \"*\" or an object such as {\"Service\": \"ecs-tasks.amazonaws.com\"}.", raw)
	}
	p := &principal{ByType: map[string][]string{}}
	for typ, v := range byType {
		if !slices.Contains(principalTypes, typ) {
			return nil, malformed("Invalid principal in policy: unknown principal type %q; the types are %s.", typ, strings.Join(principalTypes, ", "))
		}
		values, ok := stringOrList(v)
		if !ok {
			return nil, malformed("Invalid principal in policy: %q must be a string or a list of strings, not %s.", typ, v)
		}
		for _, val := range values {
			bad := val == ""
			if typ == "AWS" && val != "*" && !accountPattern.MatchString(val) && !strings.HasPrefix(val, "arn:") {
				bad = true
			}
			if bad {
				return nil, malformed("Invalid principal in policy: \"%s\":%q. An AWS principal is \"*\", an account ID or an ARN; other types name a service or provider.", typ, val)
			}
		}
		p.ByType[typ] = values
	}
	return p, nil
}

func parseActions(m map[string]json.RawMessage, element string) ([]string, error) {
	raw, ok := m[element]
	if !ok {
		return nil, nil
	}
	actions, ok := stringOrList(raw)
	if !ok {
		return nil, malformed("Syntax errors in policy: %s must be a string or a non-empty list of strings, not %s.", element, raw)
	}
	for _, a := range actions {
		if a != "*" && !actionPattern.MatchString(a) {
			return nil, malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.: %q is not of the form service:Action (such as sts:AssumeRole), nor \"*\".", a)
		}
	}
	return actions, nil
}

func parseResources(m map[string]json.RawMessage, element string) ([]string, error) {
	raw, ok := m[element]
	if !ok {
		return nil, nil
	}
	resources, ok := stringOrList(raw)
	if !ok {
		return nil, malformed("Syntax errors in policy: %s must be a string or a non-empty list of strings, not %s.", element, raw)
	}
	for _, r := range resources {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			return nil, malformed("Resource %s must be in ARN format or \"*\".", r)
		}
	}
	return resources, nil
}

// allowsService reports whether a trust policy lets the service principal
// service (ecs-tasks.amazonaws.com, say) perform action (sts:AssumeRole): a
// statement allows it and none denies it. Conditions are taken as met,
// since barge has none of the request context they test: a statement
// limited to aws:SourceAccount still counts.
func (p *policy) allowsService(service, action string) bool {
	allowed := false
	for _, st := range p.Statements {
		if !st.matchesPrincipal(service) || !st.matchesAction(action) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func (st *statement) matchesPrincipal(service string) bool {
	if st.NotPrincipal != nil {
		return !st.NotPrincipal.includes(service)
	}
	return st.Principal != nil && st.Principal.includes(service)
}

// includes reports whether the principal covers the service principal.
func (p *principal) includes(service string) bool {
	if p.Any || slices.Contains(p.ByType["AWS"], "*") {
		return true
	}
	return slices.ContainsFunc(p.ByType["Service"], func(s string) bool { return strings.EqualFold(s, service) })
}

func (st *statement) matchesAction(action string) bool {
	match := func(pattern string) bool { return wildcardMatch(strings.ToLower(pattern), strings.ToLower(action)) }
	if st.NotAction != nil {
		return !slices.ContainsFunc(st.NotAction, match)
	}
	return slices.ContainsFunc(st.Action, match)
}

// wildcardMatch matches s against pattern, in which * stands for any run of
// characters and ? for one, as in IAM's action names.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			starP, starI = p, i
			p++
		case starP >= 0:
			starI++
			p, i = starP+1, starI
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
