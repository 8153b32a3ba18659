package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// TagRole adds tags to a role. A tag whose key the role has, regardless of
// case, replaces the old one.
func (s *Service) TagRole(ctx context.Context, in *tagRoleInput) (*awsproto.NoResult, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, missing("tags")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	_, err := s.store.UpdateRole(ctx, in.RoleName, func(r *barge.Role) error {
		tags := slices.Clone(r.Tags)
		for _, t := range fromTagInputs(in.Tags) {
			if i := slices.IndexFunc(tags, func(old barge.RoleTag) bool { return strings.EqualFold(old.Key, t.Key) }); i >= 0 {
				tags[i] = t
			} else {
				tags = append(tags, t)
			}
		}
		if len(tags) > maxTagsPerRole {
			return barge.Errorf(barge.ELimit, "The number of tags has reached the maximum limit: a role has at most %d tags, and %s would have %d. Remove some with UntagRole first.", maxTagsPerRole, r.Name, len(tags))
		}
		r.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsproto.NoResult{}, nil
}

// UntagRole removes tags from a role by key, regardless of case. Keys the
// role does not have are ignored.
func (s *Service) UntagRole(ctx context.Context, in *untagRoleInput) (*awsproto.NoResult, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, missing("tagKeys")
	}
	if len(in.TagKeys) > maxTagsPerRole {
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to %d", maxTagsPerRole)
	}
	for _, k := range in.TagKeys {
		if k == "" || len(k) > 128 || !tagKeyPattern.MatchString(k) {
			return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'tagKeys' failed to satisfy constraint: Member must have length between 1 and 128 and satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", k)
		}
	}
	_, err := s.store.UpdateRole(ctx, in.RoleName, func(r *barge.Role) error {
		r.Tags = slices.DeleteFunc(slices.Clone(r.Tags), func(t barge.RoleTag) bool {
			return slices.ContainsFunc(in.TagKeys, func(k string) bool { return strings.EqualFold(k, t.Key) })
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &awsproto.NoResult{}, nil
}

// ListRoleTags lists a role's tags in the order they were added.
func (s *Service) ListRoleTags(ctx context.Context, in *listRoleTagsInput) (*listRoleTagsOutput, error) {
	if err := checkRoleName(in.RoleName); err != nil {
		return nil, err
	}
	r, err := s.store.GetRole(ctx, in.RoleName)
	if err != nil {
		return nil, err
	}
	page, next, err := pageOf("tags", toTagsXML(r.Tags), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &listRoleTagsOutput{Tags: members[tagXML]{Member: page}, IsTruncated: next != "", Marker: next}, nil
}
