package control

import (
	"context"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// RegisterJobDefinition validates a job definition and stores it as the next
// revision of its name.
func (s *Service) RegisterJobDefinition(ctx context.Context, in *RegisterJobDefinitionInput) (*barge.JobDefinition, error) {
	if err := required("jobDefinitionName", in.JobDefinitionName); err != nil {
		return nil, err
	}
	if err := required("type", in.Type); err != nil {
		return nil, err
	}
	d := &barge.JobDefinition{
		Name:                         in.JobDefinitionName,
		Status:                       barge.JobDefinitionActive,
		Type:                         in.Type,
		Parameters:                   in.Parameters,
		SchedulingPriority:           in.SchedulingPriority,
		RetryStrategy:                in.RetryStrategy,
		ContainerProperties:          in.ContainerProperties,
		Timeout:                      in.Timeout,
		Tags:                         in.Tags,
		PropagateTags:                in.PropagateTags,
		PlatformCapabilities:         in.PlatformCapabilities,
		NodeProperties:               nonNull(in.NodeProperties),
		EcsProperties:                nonNull(in.EcsProperties),
		EksProperties:                in.EksProperties,
		ConsumableResourceProperties: nonNull(in.ConsumableResourceProperties),
		CreatedAt:                    s.nowMillis(),
	}
	if err := barge.ValidateJobDefinition(d); err != nil {
		return nil, err
	}
	if err := s.store.RegisterJobDefinition(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// nonNull drops a JSON null so that an explicit null reads as absent.
func nonNull(raw []byte) []byte {
	if string(raw) == "null" {
		return nil
	}
	return raw
}

// parseJobDefinitionRef splits a job definition reference (name,
// name:revision, or an ARN with or without the revision) into its name and
// revision (0 when absent).
func (s *Service) parseJobDefinitionRef(field, ref string) (name string, rev int, err error) {
	if err := required(field, ref); err != nil {
		return "", 0, err
	}
	res, ok := s.scope.NameFromRef(barge.KindJobDefinition, ref)
	if !ok {
		return "", 0, barge.Errorf(barge.EInvalid, "%s %s is not a job definition name, name:revision or ARN of this region and account (%s, %s).", field, ref, s.scope.Region, s.scope.Account)
	}
	name, revStr, hasRev := strings.Cut(res, ":")
	if hasRev {
		rev, err = strconv.Atoi(revStr)
		if err != nil || rev < 1 {
			return "", 0, barge.Errorf(barge.EInvalid, "%s %s has an invalid revision %q: a revision is a whole number from 1.", field, ref, revStr)
		}
	}
	return name, rev, nil
}

// activeJobDefinition resolves a job definition reference for SubmitJob: a
// bare name means its latest ACTIVE revision. The result comes from the
// submit cache: shared and read-only.
func (s *Service) activeJobDefinition(ctx context.Context, ref string) (*barge.JobDefinition, error) {
	name, rev, err := s.parseJobDefinitionRef("jobDefinition", ref)
	if err != nil {
		return nil, err
	}
	d, err := s.cache.jobDefinition(ctx, s.store, name, rev)
	if barge.ErrorCodeOf(err) == barge.ENotFound || err == nil && d.Status != barge.JobDefinitionActive {
		return nil, barge.Errorf(barge.ENotFound, "JobDefinition name %s does not exist or is not in ACTIVE status. Register it with register-job-definition, or list revisions with describe-job-definitions --job-definition-name %s.", ref, name)
	}
	return d, err
}

// DeregisterJobDefinition marks one revision INACTIVE.
func (s *Service) DeregisterJobDefinition(ctx context.Context, in *DeregisterJobDefinitionInput) error {
	name, rev, err := s.parseJobDefinitionRef("jobDefinition", in.JobDefinition)
	if err != nil {
		return err
	}
	if rev == 0 {
		return barge.Errorf(barge.EInvalid, "jobDefinition %s names no revision. Pass name:revision or the full ARN with its revision.", in.JobDefinition)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, err := s.store.GetJobDefinition(ctx, name, rev)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return barge.Errorf(barge.ENotFound, "Job definition %s does not exist.", in.JobDefinition)
	} else if err != nil {
		return err
	}
	if d.Status == barge.JobDefinitionInactive {
		return nil
	}
	d.Status = barge.JobDefinitionInactive
	if err := s.store.PutJobDefinition(ctx, d); err != nil {
		return err
	}
	return nil
}

// DescribeJobDefinitions describes the named revisions, or pages through
// definitions newest first, optionally of one name and status.
func (s *Service) DescribeJobDefinitions(ctx context.Context, in *DescribeJobDefinitionsInput) (*Page[*barge.JobDefinition], error) {
	out := &Page[*barge.JobDefinition]{}
	if in.Status != "" && in.Status != barge.JobDefinitionActive && in.Status != barge.JobDefinitionInactive {
		return nil, barge.Errorf(barge.EInvalid, "status must be ACTIVE or INACTIVE; got %q.", in.Status)
	}
	if len(in.JobDefinitions) > 0 {
		if in.MaxResults != nil || in.JobDefinitionName != "" || in.Status != "" || in.NextToken != "" {
			return nil, barge.Errorf(barge.EInvalid, "jobDefinitions can't be used with other parameters. Pass either a list of jobDefinitions, or jobDefinitionName, status and maxResults.")
		}
		if len(in.JobDefinitions) > 100 {
			return nil, barge.Errorf(barge.EInvalid, "jobDefinitions can list at most 100 entries; got %d.", len(in.JobDefinitions))
		}
		for _, ref := range in.JobDefinitions {
			name, rev, err := s.parseJobDefinitionRef("jobDefinitions", ref)
			if err != nil {
				continue
			}
			if rev == 0 {
				defs, err := s.store.ListJobDefinitions(ctx, barge.JobDefinitionQuery{Name: name, Limit: 1000})
				if err != nil {
					return nil, err
				}
				out.Items = append(out.Items, defs...)
				continue
			}
			d, err := s.store.GetJobDefinition(ctx, name, rev)
			if barge.ErrorCodeOf(err) == barge.ENotFound {
				continue
			} else if err != nil {
				return nil, err
			}
			out.Items = append(out.Items, d)
		}
		return out, nil
	}
	limit, err := pageSize(in.MaxResults, 100, 100)
	if err != nil {
		return nil, err
	}
	before, err := decodeSeqToken("jd", in.NextToken)
	if err != nil {
		return nil, err
	}
	defs, err := s.store.ListJobDefinitions(ctx, barge.JobDefinitionQuery{Name: in.JobDefinitionName, Status: in.Status, BeforeSeq: before, Limit: limit + 1})
	if err != nil {
		return nil, err
	}
	if len(defs) > limit {
		defs = defs[:limit]
		out.NextToken = encodeToken("jd", strconv.FormatInt(defs[limit-1].Seq, 10))
	}
	out.Items = defs
	return out, nil
}
