package logservice

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

// CreateLogGroupInput is a log group to create.
type CreateLogGroupInput struct {
	Name     string
	Class    string // STANDARD when empty
	KMSKeyID string
	Tags     map[string]string // nil for none; if not nil, 1 to 50 tags
}

// CreateLogGroup creates a log group. KMSKeyID is kept and shown, and has
// no effect: barge does not encrypt logs.
func (s *Service) CreateLogGroup(ctx context.Context, in CreateLogGroupInput) error {
	if err := validGroupName("logGroupName", in.Name); err != nil {
		return err
	}
	if strings.HasPrefix(in.Name, "aws/") {
		return barge.Errorf(barge.EInvalid, "Log group names cannot start with 'aws/', which is reserved for AWS services. Choose another name (a leading slash, as in /aws/batch/job, is allowed).")
	}
	class := in.Class
	if class == "" {
		class = "STANDARD"
	}
	if !slices.Contains(logGroupClasses, class) {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [%s]", class, strings.Join(logGroupClasses, ", "))
	}
	if len(in.KMSKeyID) > 256 {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'kmsKeyId' failed to satisfy constraint: Member must have length less than or equal to 256", in.KMSKeyID)
	}
	if in.Tags != nil {
		if err := checkCount("tags", len(in.Tags), 1, maxTags, "{}"); err != nil {
			return err
		}
	}
	if err := validTags(in.Tags); err != nil {
		return err
	}
	return s.store.CreateLogGroup(ctx, &barge.LogGroup{
		Name:      in.Name,
		CreatedAt: s.nowMillis(),
		Class:     class,
		KMSKeyID:  in.KMSKeyID,
		Tags:      in.Tags,
	})
}

// DeleteLogGroup deletes a log group, its streams and their events.
func (s *Service) DeleteLogGroup(ctx context.Context, name string) error {
	if err := validGroupName("logGroupName", name); err != nil {
		return err
	}
	return s.store.DeleteLogGroup(ctx, name)
}

// DescribeLogGroupsInput selects log groups: those named by Identifiers
// (names or ARNs), or those whose names start with Prefix or contain
// Pattern (at most one of the three), of Class if it is set.
type DescribeLogGroupsInput struct {
	Identifiers []string
	Prefix      string
	Pattern     string
	Class       string
	NextToken   string
	Limit       *int // 1 to 50; 50 when nil
}

// LogGroupPage is a page of log groups, and the token of the next page ("" if
// none).
type LogGroupPage struct {
	Groups    []*barge.LogGroup
	NextToken string
}

// DescribeLogGroups lists log groups in name order.
func (s *Service) DescribeLogGroups(ctx context.Context, in DescribeLogGroupsInput) (*LogGroupPage, error) {
	n, err := limit("limit", in.Limit, 50, 50)
	if err != nil {
		return nil, err
	}
	if in.Prefix != "" && in.Pattern != "" {
		return nil, barge.Errorf(barge.EInvalid, "LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters. Specify only one.")
	}
	if len(in.Identifiers) > 0 && (in.Prefix != "" || in.Pattern != "") {
		return nil, barge.Errorf(barge.EInvalid, "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern. Specify only one way of choosing groups.")
	}
	if in.Prefix != "" {
		if err := validGroupName("logGroupNamePrefix", in.Prefix); err != nil {
			return nil, err
		}
	}
	if in.Class != "" && !slices.Contains(logGroupClasses, in.Class) {
		return nil, barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%s' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [%s]", in.Class, strings.Join(logGroupClasses, ", "))
	}
	after, err := decodeToken("groups", in.NextToken)
	if err != nil {
		return nil, err
	}
	var groups []*barge.LogGroup
	if len(in.Identifiers) > 0 {
		groups, err = s.identifiedGroups(ctx, in.Identifiers, in.Class, after, n+1)
	} else {
		groups, err = s.store.ListLogGroups(ctx, barge.LogGroupQuery{
			Prefix:   in.Prefix,
			Contains: in.Pattern,
			Class:    in.Class,
			After:    after,
			Limit:    n + 1,
		})
	}
	if err != nil {
		return nil, err
	}
	page := &LogGroupPage{Groups: groups}
	if len(groups) > n {
		page.Groups = groups[:n]
		page.NextToken = encodeToken("groups", groups[n-1].Name)
	}
	return page, nil
}

// identifiedGroups returns the groups named by ids (names or ARNs) that
// exist, in name order, after the name after, at most n.
func (s *Service) identifiedGroups(ctx context.Context, ids []string, class, after string, n int) ([]*barge.LogGroup, error) {
	if err := checkCount("logGroupIdentifiers", len(ids), 1, 50, "[]"); err != nil {
		return nil, err
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

// PutRetentionPolicy sets how long a group keeps its events. Events older
// than that are deleted by Run, and rejected by PutLogEvents.
// days is required: nil is an error.
func (s *Service) PutRetentionPolicy(ctx context.Context, group string, days *int) error {
	if err := validGroupName("logGroupName", group); err != nil {
		return err
	}
	if days == nil {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value null at 'retentionInDays' failed to satisfy constraint: Member must not be null")
	}
	if !slices.Contains(retentionDays, *days) {
		return barge.Errorf(barge.EInvalid, "1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]", *days, daysList())
	}
	return s.store.SetLogGroupRetention(ctx, group, *days)
}

func daysList() string {
	s := make([]string, len(retentionDays))
	for i, d := range retentionDays {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, ", ")
}

// DeleteRetentionPolicy makes a group keep its events for ever.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, group string) error {
	if err := validGroupName("logGroupName", group); err != nil {
		return err
	}
	return s.store.SetLogGroupRetention(ctx, group, 0)
}
