package logs

import (
	"context"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/logservice"
)

// CreateLogGroup creates a log group. deletionProtectionEnabled is accepted
// and has no effect: barge does not protect groups from deletion.
func (s *API) CreateLogGroup(ctx context.Context, in *createLogGroupInput) (*empty, error) {
	return nil, s.svc.CreateLogGroup(ctx, logservice.CreateLogGroupInput{
		Name:     in.LogGroupName,
		Class:    in.LogGroupClass,
		KMSKeyID: in.KmsKeyId,
		Tags:     in.Tags,
	})
}

// DeleteLogGroup deletes a log group, its streams and their events.
func (s *API) DeleteLogGroup(ctx context.Context, in *deleteLogGroupInput) (*empty, error) {
	return nil, s.svc.DeleteLogGroup(ctx, in.LogGroupName)
}

// DescribeLogGroups lists log groups in name order.
func (s *API) DescribeLogGroups(ctx context.Context, in *describeLogGroupsInput) (*describeLogGroupsOutput, error) {
	page, err := s.svc.DescribeLogGroups(ctx, logservice.DescribeLogGroupsInput{
		Identifiers: in.LogGroupIdentifiers,
		Prefix:      in.LogGroupNamePrefix,
		Pattern:     in.LogGroupNamePattern,
		Class:       in.LogGroupClass,
		NextToken:   in.NextToken,
		Limit:       in.Limit,
	})
	if err != nil {
		return nil, err
	}
	out := &describeLogGroupsOutput{LogGroups: make([]logGroup, 0, len(page.Groups)), NextToken: page.NextToken}
	for _, g := range page.Groups {
		out.LogGroups = append(out.LogGroups, s.wireGroup(g, in.LogGroupNamePattern != ""))
	}
	return out, nil
}

// wireGroup returns g as DescribeLogGroups shows it; brief, with a name
// pattern, is the three members AWS then returns.
func (s *API) wireGroup(g *barge.LogGroup, brief bool) logGroup {
	arn := s.svc.GroupARN(g.Name)
	w := logGroup{LogGroupName: g.Name, CreationTime: g.CreatedAt, Arn: arn}
	if brief {
		return w
	}
	zero, zero64 := 0, int64(0)
	w.MetricFilterCount, w.StoredBytes = &zero, &zero64
	w.LogGroupClass = g.Class
	w.KmsKeyId = g.KMSKeyID
	w.LogGroupArn = strings.TrimSuffix(arn, ":*")
	if g.RetentionDays > 0 {
		days := g.RetentionDays
		w.RetentionInDays = &days
	}
	return w
}

// PutRetentionPolicy sets how long a group keeps its events.
func (s *API) PutRetentionPolicy(ctx context.Context, in *putRetentionPolicyInput) (*empty, error) {
	return nil, s.svc.PutRetentionPolicy(ctx, in.LogGroupName, in.RetentionInDays)
}

// DeleteRetentionPolicy makes a group keep its events for ever.
func (s *API) DeleteRetentionPolicy(ctx context.Context, in *deleteRetentionPolicyInput) (*empty, error) {
	return nil, s.svc.DeleteRetentionPolicy(ctx, in.LogGroupName)
}
