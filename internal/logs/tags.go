package logs

import (
	"context"
	"maps"

	"github.com/bargehq/barge"
)

// Log groups are the only taggable resources barge has. The tag operations
// name them by ARN (ListTagsForResource, TagResource, UntagResource) or, in
// their deprecated forms, by name (ListTagsLogGroup, TagLogGroup,
// UntagLogGroup).

// arnGroup returns the log group a resourceArn names.
func (s *Service) arnGroup(arn string) (string, error) {
	if arn == "" {
		return "", barge.Errorf(barge.EInvalid, "resourceArn is required: the ARN of a log group, arn:aws:logs:%s:%s:log-group:NAME.", s.scope.Region, s.scope.Account)
	}
	g, ok := s.groupFromARN(arn)
	if !ok {
		return "", barge.Errorf(barge.EInvalid, "resourceArn %s is not the ARN of a log group of this region and account (arn:aws:logs:%s:%s:log-group:NAME); barge tags log groups only.", arn, s.scope.Region, s.scope.Account)
	}
	return g, validGroupName("resourceArn", g)
}

// ListTagsForResource returns the tags of a log group.
func (s *Service) ListTagsForResource(ctx context.Context, in *listTagsForResourceInput) (*tagsOutput, error) {
	g, err := s.arnGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return s.listTags(ctx, g)
}

// TagResource adds or replaces tags of a log group.
func (s *Service) TagResource(ctx context.Context, in *tagResourceInput) (*empty, error) {
	g, err := s.arnGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.tag(ctx, g, in.Tags)
}

// UntagResource removes tags from a log group.
func (s *Service) UntagResource(ctx context.Context, in *untagResourceInput) (*empty, error) {
	g, err := s.arnGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.untag(ctx, g, in.TagKeys)
}

// ListTagsLogGroup is the deprecated form of ListTagsForResource.
func (s *Service) ListTagsLogGroup(ctx context.Context, in *listTagsLogGroupInput) (*tagsOutput, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	return s.listTags(ctx, in.LogGroupName)
}

// TagLogGroup is the deprecated form of TagResource.
func (s *Service) TagLogGroup(ctx context.Context, in *tagLogGroupInput) (*empty, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	return nil, s.tag(ctx, in.LogGroupName, in.Tags)
}

// UntagLogGroup is the deprecated form of UntagResource.
func (s *Service) UntagLogGroup(ctx context.Context, in *untagLogGroupInput) (*empty, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, barge.Errorf(barge.EInvalid, "tags is required: the keys of the tags to remove.")
	}
	return nil, s.untag(ctx, in.LogGroupName, in.Tags)
}

func (s *Service) listTags(ctx context.Context, group string) (*tagsOutput, error) {
	g, err := s.store.GetLogGroup(ctx, group)
	if err != nil {
		return nil, err
	}
	out := &tagsOutput{Tags: g.Tags}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	return out, nil
}

func (s *Service) tag(ctx context.Context, group string, tags map[string]string) error {
	if len(tags) == 0 {
		return barge.Errorf(barge.EInvalid, "tags is required: 1 to %d key-value pairs.", maxTags)
	}
	if err := validTags(tags); err != nil {
		return err
	}
	return s.store.UpdateLogGroupTags(ctx, group, func(have map[string]string) error {
		maps.Copy(have, tags)
		if len(have) > maxTags {
			return barge.Errorf(eTooManyTags, "A log group can have at most %d tags; with these, %s would have %d. Remove some tags first.", maxTags, group, len(have))
		}
		return nil
	})
}

func (s *Service) untag(ctx context.Context, group string, keys []string) error {
	if len(keys) > maxTags {
		return barge.Errorf(barge.EInvalid, "tagKeys names %d keys; the limit is %d.", len(keys), maxTags)
	}
	return s.store.UpdateLogGroupTags(ctx, group, func(have map[string]string) error {
		for _, k := range keys {
			delete(have, k)
		}
		return nil
	})
}
