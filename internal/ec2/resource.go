package ec2

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// The kinds of resource the store keeps, which are also their tagging
// resource types (TagSpecification.ResourceType).
const (
	kindVpc           = "vpc"
	kindSubnet        = "subnet"
	kindSecurityGroup = "security-group"
	kindVpcEndpoint   = "vpc-endpoint"
)

// resource is what every stored resource type has.
type resource interface {
	kind() string
	id() string
	// unique returns what must differ between resources, or "".
	unique() string
	vpc() string
	tagList() *awsproto.EC2List[Tag]
	// field returns the values of the filter name for the resource, and
	// false if name is no filter of its Describe operation.
	field(name string) ([]string, bool)
}

// ptr constrains P to be a *T that is a resource.
type ptr[T any] interface {
	*T
	resource
}

// decode returns the resource stored in r.
func decode[T any, P ptr[T]](r barge.EC2Resource) (P, error) {
	v := P(new(T))
	if err := json.Unmarshal(r.Doc, v); err != nil {
		return nil, err
	}
	return v, nil
}

// record returns what the store keeps for v.
func record(v resource) (barge.EC2Resource, error) {
	doc, err := json.Marshal(v)
	if err != nil {
		return barge.EC2Resource{}, err
	}
	return barge.EC2Resource{ID: v.id(), Kind: v.kind(), VPCID: v.vpc(), UniqueKey: v.unique(), Doc: doc}, nil
}

// records returns what the store keeps for vs.
func records(vs ...resource) ([]barge.EC2Resource, error) {
	rs := make([]barge.EC2Resource, len(vs))
	for i, v := range vs {
		var err error
		if rs[i], err = record(v); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// storeMarker returns a record that says something was done once.
func storeMarker(id string) barge.EC2Resource {
	return barge.EC2Resource{ID: id, Kind: id, Doc: []byte("{}")}
}

// listAll returns every resource of kind, in creation order.
func listAll[T any, P ptr[T]](ctx context.Context, s *Service, kind string) ([]P, error) {
	rs, err := s.store.ListEC2Resources(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]P, 0, len(rs))
	for _, r := range rs {
		v, err := decode[T, P](r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// get returns the resource of kind with ID id, or notFound's error.
func get[T any, P ptr[T]](ctx context.Context, s *Service, kind, id string, notFound func(string) error) (P, error) {
	r, err := s.store.GetEC2Resource(ctx, id)
	if barge.ErrorCodeOf(err) == barge.ENotFound || err == nil && r.Kind != kind {
		return nil, notFound(id)
	}
	if err != nil {
		return nil, err
	}
	return decode[T, P](*r)
}

// describe answers a Describe operation: the resources of kind with the
// given IDs (all, if none are given; notFound's error if one is unknown)
// that match every filter, a page of at most maxResults (0: all) starting
// after the ID in token.
func describe[T any, P ptr[T]](ctx context.Context, s *Service, kind string, ids []string, filters []Filter,
	maxResults int, token string, notFound func(string) error) ([]T, string, error) {
	if err := checkFilters(P(new(T)), filters); err != nil {
		return nil, "", err
	}
	if maxResults != 0 && (maxResults < 5 || maxResults > 1000) {
		return nil, "", barge.Errorf(barge.EInvalid, "Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", maxResults)
	}
	all, err := listAll[T, P](ctx, s, kind)
	if err != nil {
		return nil, "", err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(all, func(v P) bool { return v.id() == id }) {
			return nil, "", notFound(id)
		}
	}
	start := 0
	if token != "" {
		i := slices.IndexFunc(all, func(v P) bool { return v.id() == token })
		if i < 0 {
			return nil, "", barge.Errorf(barge.EInvalid, "The token '%s' is invalid.", token)
		}
		start = i + 1
	}
	var out []T
	for i := start; i < len(all); i++ {
		v := all[i]
		if len(ids) > 0 && !slices.Contains(ids, v.id()) || !matches(v, filters) {
			continue
		}
		if maxResults > 0 && len(out) == maxResults {
			return out, all[i-1].id(), nil
		}
		out = append(out, *v)
	}
	return out, "", nil
}

// checkFilters returns an error naming the first filter that r's Describe
// operation does not have.
func checkFilters(r resource, filters []Filter) error {
	for _, f := range filters {
		if f.Name == "" {
			return missing("Filter.Name")
		}
		if strings.HasPrefix(f.Name, "tag:") || f.Name == "tag-key" || f.Name == "tag-value" {
			continue
		}
		if _, ok := r.field(f.Name); !ok {
			return barge.Errorf(barge.EInvalid, "The filter '%s' is invalid", f.Name)
		}
	}
	return nil
}

// matches reports whether r has, for every filter, one of its values.
func matches(r resource, filters []Filter) bool {
	for _, f := range filters {
		var have []string
		tags := *r.tagList()
		switch {
		case strings.HasPrefix(f.Name, "tag:"):
			for _, t := range tags {
				if t.Key == f.Name[len("tag:"):] {
					have = append(have, t.Value)
				}
			}
		case f.Name == "tag-key":
			for _, t := range tags {
				have = append(have, t.Key)
			}
		case f.Name == "tag-value":
			for _, t := range tags {
				have = append(have, t.Value)
			}
		default:
			have, _ = r.field(f.Name)
		}
		if !slices.ContainsFunc(have, func(h string) bool {
			return slices.ContainsFunc(f.Values, func(pattern string) bool { return wildcard(pattern, h) })
		}) {
			return false
		}
	}
	return true
}

// wildcard reports whether s matches pattern, in which * matches any run of
// characters and ? any one character, as EC2's filters do.
func wildcard(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	i, j, star, mark := 0, 0, -1, 0
	for j < len(t) {
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == t[j]):
			i++
			j++
		case i < len(p) && p[i] == '*':
			star, mark = i, j
			i++
		case star >= 0:
			mark++
			i, j = star+1, mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

// boolString is a boolean as filters compare it.
func boolString(b bool) []string { return []string{strconv.FormatBool(b)} }

// tagsFor returns the tags of specs for resources of type kind; an error if
// a specification names another type.
func tagsFor(kind string, specs []TagSpecification) (awsproto.EC2List[Tag], error) {
	var tags awsproto.EC2List[Tag]
	for _, spec := range specs {
		if spec.ResourceType != kind {
			return nil, barge.Errorf(barge.EInvalid, "'%s' is not a valid taggable resource type for this operation.", spec.ResourceType)
		}
		for _, t := range spec.Tags {
			tags = setTag(tags, t)
		}
	}
	return tags, checkTags(tags)
}

// setTag returns tags with t in it, replacing a tag of the same key.
func setTag(tags awsproto.EC2List[Tag], t Tag) awsproto.EC2List[Tag] {
	if i := slices.IndexFunc(tags, func(have Tag) bool { return have.Key == t.Key }); i >= 0 {
		tags[i] = t
		return tags
	}
	return append(tags, t)
}

// checkTags checks tags against EC2's rules for a resource's tags.
func checkTags(tags []Tag) error {
	if len(tags) > 50 {
		return barge.Errorf(eTagLimit, "The maximum number of tags for a resource is 50.")
	}
	for _, t := range tags {
		switch {
		case t.Key == "":
			return barge.Errorf(barge.EInvalid, "Tag keys must not be empty.")
		case len(t.Key) > 128:
			return barge.Errorf(barge.EInvalid, "Tag key exceeds the maximum length of 128 characters")
		case len(t.Value) > 256:
			return barge.Errorf(barge.EInvalid, "Tag value exceeds the maximum length of 256 characters")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return barge.Errorf(barge.EInvalid, "Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	return nil
}
