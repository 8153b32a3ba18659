package logservice

import (
	"context"
	"maps"

	"github.com/bargehq/barge"
)

// Log groups are the only taggable resources barge has. The API names them
// by ARN (ListTagsForResource, TagResource, UntagResource; see
// ResourceGroup) or, in the deprecated forms, by name (ListTagsLogGroup,
// TagLogGroup, UntagLogGroup).

// ETooManyTags is the error of a tag operation that would leave a log
// group with more than 50 tags: CloudWatch Logs reports it apart from other
// limits.
const ETooManyTags barge.ErrorCode = "too_many_tags"

// ResourceGroup returns the log group a resourceArn names.
func (s *Service) ResourceGroup(arn string) (string, error) {
	if arn == "" {
		return "", barge.Errorf(barge.EInvalid, "1 validation error detected: Value '' at 'resourceArn' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	g, ok := s.groupFromARN(arn)
	if !ok {
		return "", barge.Errorf(barge.EInvalid, "resourceArn %s is not the ARN of a log group of this region and account (%slog-group:NAME); barge tags log groups only.", arn, s.scope.ARNPrefix("logs"))
	}
	return g, validGroupName("resourceArn", g)
}

// ListTags returns the tags of a log group, an empty map if it has none.
func (s *Service) ListTags(ctx context.Context, group string) (map[string]string, error) {
	if err := validGroupName("logGroupName", group); err != nil {
		return nil, err
	}
	g, err := s.store.GetLogGroup(ctx, group)
	if err != nil {
		return nil, err
	}
	if g.Tags == nil {
		return map[string]string{}, nil
	}
	return g.Tags, nil
}

// Tag adds or replaces tags of a log group.
func (s *Service) Tag(ctx context.Context, group string, tags map[string]string) error {
	if err := validGroupName("logGroupName", group); err != nil {
		return err
	}
	if len(tags) == 0 {
		return checkCount("tags", 0, 1, maxTags, "{}")
	}
	if err := validTags(tags); err != nil {
		return err
	}
	return s.store.UpdateLogGroupTags(ctx, group, func(have map[string]string) error {
		maps.Copy(have, tags)
		if len(have) > maxTags {
			return barge.Errorf(ETooManyTags, "A log group can have at most %d tags; with these, %s would have %d. Remove some tags first.", maxTags, group, len(have))
		}
		return nil
	})
}

// Untag removes tags from a log group by key. With required, keys must
// name at least one tag, as UntagLogGroup's tags member must.
func (s *Service) Untag(ctx context.Context, group string, keys []string, required bool) error {
	if err := validGroupName("logGroupName", group); err != nil {
		return err
	}
	if required && len(keys) == 0 {
		return checkCount("tags", 0, 1, maxTags, "[]")
	}
	if len(keys) > maxTags {
		return checkCount("tagKeys", len(keys), 0, maxTags, "")
	}
	return s.store.UpdateLogGroupTags(ctx, group, func(have map[string]string) error {
		for _, k := range keys {
			delete(have, k)
		}
		return nil
	})
}
