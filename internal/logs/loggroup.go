package logs

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// logGroupClasses are the classes a log group can have; barge keeps them
// all alike.
var logGroupClasses = []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}

// retentionDays are the retention periods PutRetentionPolicy accepts.
var retentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// CreateLogGroup creates a log group. kmsKeyId and deletionProtectionEnabled
// are accepted and have no effect: barge neither encrypts logs nor protects
// groups from deletion.
func (s *Service) CreateLogGroup(ctx context.Context, in *createLogGroupInput) (*empty, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.LogGroupName, "aws/") {
		return nil, barge.Errorf(barge.EInvalid, "Log group names cannot start with 'aws/', which is reserved for AWS services. Choose another name (a leading slash, as in /aws/batch/job, is allowed).")
	}
	class := in.LogGroupClass
	if class == "" {
		class = "STANDARD"
	}
	if !slices.Contains(logGroupClasses, class) {
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [%s]", class, strings.Join(logGroupClasses, ", "))
	}
	if in.Tags != nil && (len(in.Tags) == 0 || len(in.Tags) > maxTags) {
		return nil, barge.Errorf(barge.EInvalid, "tags must have 1 to %d entries; got %d.", maxTags, len(in.Tags))
	}
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	return nil, s.store.CreateLogGroup(ctx, &barge.LogGroup{
		Name:      in.LogGroupName,
		CreatedAt: s.nowMillis(),
		Class:     class,
		Tags:      in.Tags,
	})
}

// DeleteLogGroup deletes a log group, its streams and their events.
func (s *Service) DeleteLogGroup(ctx context.Context, in *deleteLogGroupInput) (*empty, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	return nil, s.store.DeleteLogGroup(ctx, in.LogGroupName)
}

// DescribeLogGroups lists log groups in name order.
func (s *Service) DescribeLogGroups(ctx context.Context, in *describeLogGroupsInput) (*describeLogGroupsOutput, error) {
	n, err := limit("limit", in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, barge.Errorf(barge.EInvalid, "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters. Specify only one.")
	}
	if len(in.LogGroupIdentifiers) > 0 && (in.LogGroupNamePrefix != "" || in.LogGroupNamePattern != "") {
		return nil, barge.Errorf(barge.EInvalid, "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern. Specify only one way of choosing groups.")
	}
	if in.LogGroupNamePrefix != "" {
		if err := validGroupName("logGroupNamePrefix", in.LogGroupNamePrefix); err != nil {
			return nil, err
		}
	}
	if in.LogGroupClass != "" && !slices.Contains(logGroupClasses, in.LogGroupClass) {
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [%s]", in.LogGroupClass, strings.Join(logGroupClasses, ", "))
	}
	after, err := decodeToken("groups", in.NextToken)
	if err != nil {
		return nil, err
	}
	var groups []*barge.LogGroup
	if len(in.LogGroupIdentifiers) > 0 {
		groups, err = s.identifiedGroups(ctx, in.LogGroupIdentifiers, in.LogGroupClass, after, n+1)
	} else {
		groups, err = s.store.ListLogGroups(ctx, barge.LogGroupQuery{
			Prefix:   in.LogGroupNamePrefix,
			Contains: in.LogGroupNamePattern,
			Class:    in.LogGroupClass,
			After:    after,
			Limit:    n + 1,
		})
	}
	if err != nil {
		return nil, err
	}
	out := &describeLogGroupsOutput{LogGroups: []logGroup{}}
	if len(groups) > n {
		groups = groups[:n]
		out.NextToken = encodeToken("groups", groups[n-1].Name)
	}
	for _, g := range groups {
		out.LogGroups = append(out.LogGroups, s.wireGroup(g, in.LogGroupNamePattern != ""))
	}
	return out, nil
}

// identifiedGroups returns the groups named by ids (names or ARNs) that
// exist, in name order, after the name after, at most n.
func (s *Service) identifiedGroups(ctx context.Context, ids []string, class, after string, n int) ([]*barge.LogGroup, error) {
	if len(ids) > 50 {
		return nil, barge.Errorf(barge.EInvalid, "logGroupIdentifiers names %d groups; the limit is 50.", len(ids))
	}
	var names []string
	for _, id := range ids {
		name, err := s.groupName("", id)
		if err != nil {
			return nil, err
		}
		if name > after && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []*barge.LogGroup
	for _, name := range names {
		if len(out) == n {
			break
		}
		g, err := s.store.GetLogGroup(ctx, name)
		if err == barge.ErrNoLogGroup {
			continue
		}
		if err != nil {
			return nil, err
		}
		if class == "" || g.Class == class {
			out = append(out, g)
		}
	}
	return out, nil
}

// wireGroup returns g as DescribeLogGroups shows it; brief, with a name
// pattern, is the three members AWS then returns.
func (s *Service) wireGroup(g *barge.LogGroup, brief bool) logGroup {
	arn := s.groupARN(g.Name)
	w := logGroup{LogGroupName: g.Name, CreationTime: g.CreatedAt, Arn: arn}
	if brief {
		return w
	}
	zero, zero64 := 0, int64(0)
	w.MetricFilterCount, w.StoredBytes = &zero, &zero64
	w.LogGroupClass = g.Class
	w.LogGroupArn = strings.TrimSuffix(arn, ":*")
	if g.RetentionDays > 0 {
		days := g.RetentionDays
		w.RetentionInDays = &days
	}
	return w
}

// PutRetentionPolicy sets how long a group keeps its events. Events older
// than that are deleted by Run, and rejected by PutLogEvents.
func (s *Service) PutRetentionPolicy(ctx context.Context, in *putRetentionPolicyInput) (*empty, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if in.RetentionInDays == nil {
		return nil, barge.Errorf(barge.EInvalid, "retentionInDays is required: one of %s days.", daysList())
	}
	if !slices.Contains(retentionDays, *in.RetentionInDays) {
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]", *in.RetentionInDays, daysList())
	}
	return nil, s.store.SetLogGroupRetention(ctx, in.LogGroupName, *in.RetentionInDays)
}

func daysList() string {
	s := make([]string, len(retentionDays))
	for i, d := range retentionDays {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, ", ")
}

// DeleteRetentionPolicy makes a group keep its events for ever.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *deleteRetentionPolicyInput) (*empty, error) {
	if err := validGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	return nil, s.store.SetLogGroupRetention(ctx, in.LogGroupName, 0)
}
