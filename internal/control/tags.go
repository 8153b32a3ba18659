package control

import (
	"context"
	"strings"

	"github.com/bargehq/barge"
)

// taggable loads the resource an ARN names and returns its tags and a
// function that stores new tags on it.
func (s *Service) taggable(ctx context.Context, arn string) (map[string]string, func(map[string]string) error, error) {
	if err := required("resourceArn", arn); err != nil {
		return nil, nil, err
	}
	a, ok := barge.ParseARN(arn)
	if !ok || a.Region != s.scope.Region || a.Account != s.scope.Account {
		return nil, nil, barge.Errorf(barge.EInvalid, "resourceArn %s is not an AWS Batch ARN of this region and account (%s, %s).", arn, s.scope.Region, s.scope.Account)
	}
	notFound := barge.Errorf(barge.ENotFound, "Resource %s does not exist.", arn)
	wrap := func(err error) error {
		if barge.ErrorCodeOf(err) == barge.ENotFound {
			return notFound
		}
		return err
	}
	switch a.Kind {
	case barge.KindComputeEnvironment:
		ce, err := s.store.GetComputeEnvironment(ctx, a.Resource)
		if err != nil {
			return nil, nil, wrap(err)
		}
		return ce.Tags, func(t map[string]string) error { ce.Tags = t; return s.store.PutComputeEnvironment(ctx, ce) }, nil
	case barge.KindJobQueue:
		q, err := s.store.GetJobQueue(ctx, a.Resource)
		if err != nil {
			return nil, nil, wrap(err)
		}
		return q.Tags, func(t map[string]string) error { q.Tags = t; return s.store.PutJobQueue(ctx, q) }, nil
	case barge.KindSchedulingPolicy:
		p, err := s.store.GetSchedulingPolicy(ctx, a.Resource)
		if err != nil {
			return nil, nil, wrap(err)
		}
		return p.Tags, func(t map[string]string) error { p.Tags = t; return s.store.PutSchedulingPolicy(ctx, p) }, nil
	case barge.KindJobDefinition:
		name, rev, err := s.parseJobDefinitionRef("resourceArn", arn)
		if err != nil || rev == 0 {
			return nil, nil, barge.Errorf(barge.EInvalid, "resourceArn %s must name a job definition revision (…:job-definition/name:revision).", arn)
		}
		d, err := s.store.GetJobDefinition(ctx, name, rev)
		if err != nil {
			return nil, nil, wrap(err)
		}
		return d.Tags, func(t map[string]string) error { d.Tags = t; return s.store.PutJobDefinition(ctx, d) }, nil
	case barge.KindJob:
		if strings.Contains(a.Resource, ":") {
			return nil, nil, barge.Errorf(barge.EInvalid, "Array child jobs cannot be tagged: %s. Tag the array job itself.", arn)
		}
		found, err := s.store.GetJobs(ctx, []string{a.Resource})
		if err != nil {
			return nil, nil, err
		}
		if len(found) == 0 {
			return nil, nil, notFound
		}
		j := found[0]
		return j.Spec.Tags, func(t map[string]string) error { return s.jobs.SetTags(ctx, j, t) }, nil
	}
	return nil, nil, barge.Errorf(barge.EInvalid, "resourceArn %s is not a taggable AWS Batch resource: tag compute environments, job queues, job definitions, jobs and scheduling policies.", arn)
}

// TagResource adds or replaces tags on a resource.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) error {
	if len(in.Tags) == 0 {
		return barge.Errorf(barge.EInvalid, "tags is required: 1 to 50 key-value pairs.")
	}
	if err := barge.ValidateTags("tags", in.Tags); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, put, err := s.taggable(ctx, in.ResourceArn)
	if err != nil {
		return err
	}
	merged := make(map[string]string, len(tags)+len(in.Tags))
	for k, v := range tags {
		merged[k] = v
	}
	for k, v := range in.Tags {
		merged[k] = v
	}
	if len(merged) > 50 {
		return barge.Errorf(barge.ELimit, "A resource can have at most 50 tags; this would give %s %d. Remove some with untag-resource first.", in.ResourceArn, len(merged))
	}
	return put(merged)
}

// UntagResource removes tags from a resource.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) error {
	if len(in.TagKeys) == 0 {
		return barge.Errorf(barge.EInvalid, "tagKeys is required: 1 to 50 tag keys to remove.")
	}
	if len(in.TagKeys) > 50 {
		return barge.Errorf(barge.EInvalid, "tagKeys has %d keys; untag-resource removes at most 50 at a time. Split the keys over several calls.", len(in.TagKeys))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tags, put, err := s.taggable(ctx, in.ResourceArn)
	if err != nil {
		return err
	}
	kept := make(map[string]string, len(tags))
	for k, v := range tags {
		kept[k] = v
	}
	for _, k := range in.TagKeys {
		delete(kept, k)
	}
	return put(kept)
}

// ListTagsForResource lists a resource's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsInput) (map[string]string, error) {
	tags, _, err := s.taggable(ctx, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, nil
}
