package logs

import "context"

// ListTagsForResource returns the tags of a log group.
func (s *API) ListTagsForResource(ctx context.Context, in *listTagsForResourceInput) (*tagsOutput, error) {
	g, err := s.svc.ResourceGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return s.listTags(ctx, g)
}

// TagResource adds or replaces tags of a log group.
func (s *API) TagResource(ctx context.Context, in *tagResourceInput) (*empty, error) {
	g, err := s.svc.ResourceGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.Tag(ctx, g, in.Tags)
}

// UntagResource removes tags from a log group.
func (s *API) UntagResource(ctx context.Context, in *untagResourceInput) (*empty, error) {
	g, err := s.svc.ResourceGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.Untag(ctx, g, in.TagKeys, false)
}

// ListTagsLogGroup is the deprecated form of ListTagsForResource.
func (s *API) ListTagsLogGroup(ctx context.Context, in *listTagsLogGroupInput) (*tagsOutput, error) {
	return s.listTags(ctx, in.LogGroupName)
}

// TagLogGroup is the deprecated form of TagResource.
func (s *API) TagLogGroup(ctx context.Context, in *tagLogGroupInput) (*empty, error) {
	return nil, s.svc.Tag(ctx, in.LogGroupName, in.Tags)
}

// UntagLogGroup is the deprecated form of UntagResource.
func (s *API) UntagLogGroup(ctx context.Context, in *untagLogGroupInput) (*empty, error) {
	return nil, s.svc.Untag(ctx, in.LogGroupName, in.Tags, true)
}

func (s *API) listTags(ctx context.Context, group string) (*tagsOutput, error) {
	tags, err := s.svc.ListTags(ctx, group)
	if err != nil {
		return nil, err
	}
	return &tagsOutput{Tags: tags}, nil
}
