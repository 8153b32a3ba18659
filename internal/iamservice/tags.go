package iamservice

import (
	"context"
	"slices"
	"strings"

	"github.com/bargehq/barge"
)

// TagRole adds tags to a role. A tag whose key the role has, regardless of
// case, replaces the old one.
func (s *Service) TagRole(ctx context.Context, role string, tags []barge.RoleTag) error {
	if err := checkRoleName(role); err != nil {
		return err
	}
	if len(tags) == 0 {
		return missing("tags")
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	_, err := s.store.UpdateRole(ctx, role, func(r *barge.Role) error {
		have := slices.Clone(r.Tags)
		for _, t := range tags {
			if i := slices.IndexFunc(have, func(old barge.RoleTag) bool { return strings.EqualFold(old.Key, t.Key) }); i >= 0 {
				have[i] = t
			} else {
				have = append(have, t)
			}
		}
		if len(have) > maxTagsPerRole {
			return barge.Errorf(barge.ELimit, "The number of tags has reached the maximum limit: a role has at most %d tags, and %s would have %d. Remove some with UntagRole first.", maxTagsPerRole, r.Name, len(have))
		}
		r.Tags = have
		return nil
	})
	return err
}

// UntagRole removes tags from a role by key, regardless of case. Keys the
// role does not have are ignored; keys nil (rather than empty) is an error,
// as a missing TagKeys member is.
func (s *Service) UntagRole(ctx context.Context, role string, keys []string) error {
	if err := checkRoleName(role); err != nil {
		return err
	}
	if keys == nil {
		return missing("tagKeys")
	}
	if len(keys) > maxTagsPerRole {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to %d", maxTagsPerRole)
	}
	for _, k := range keys {
		if k == "" || len(k) > 128 || !tagKeyPattern.MatchString(k) {
			return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'tagKeys' failed to satisfy constraint: Member must have length between 1 and 128 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", k)
		}
	}
	_, err := s.store.UpdateRole(ctx, role, func(r *barge.Role) error {
		r.Tags = slices.DeleteFunc(slices.Clone(r.Tags), func(t barge.RoleTag) bool {
			return slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, t.Key) })
		})
		return nil
	})
	return err
}

// ListRoleTags lists a role's tags in the order they were added.
func (s *Service) ListRoleTags(ctx context.Context, role string, in ListInput) (*Page[barge.RoleTag], error) {
	if err := checkRoleName(role); err != nil {
		return nil, err
	}
	r, err := s.store.GetRole(ctx, role)
	if err != nil {
		return nil, err
	}
	return pageOf("tags", r.Tags, in)
}
