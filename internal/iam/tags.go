package iam

import (
	"context"

	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/iamservice"
)

// TagRole adds tags to a role.
func (s *API) TagRole(ctx context.Context, in *tagRoleInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.TagRole(ctx, in.RoleName, fromTagInputs(in.Tags)))
}

// UntagRole removes tags from a role by key.
func (s *API) UntagRole(ctx context.Context, in *untagRoleInput) (*awsproto.NoResult, error) {
	return noResult(s.svc.UntagRole(ctx, in.RoleName, in.TagKeys))
}

// ListRoleTags lists a role's tags in the order they were added.
func (s *API) ListRoleTags(ctx context.Context, in *listRoleTagsInput) (*listRoleTagsOutput, error) {
	page, err := s.svc.ListRoleTags(ctx, in.RoleName, iamservice.ListInput{Marker: in.Marker, MaxItems: in.MaxItems})
	if err != nil {
		return nil, err
	}
	return &listRoleTagsOutput{Tags: members[tagXML]{Member: toTagsXML(page.Items)}, IsTruncated: page.Marker != "", Marker: page.Marker}, nil
}
