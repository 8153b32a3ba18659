package ec2

import (
	"context"
	"slices"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

func (g *SecurityGroup) kind() string                    { return kindSecurityGroup }
func (g *SecurityGroup) id() string                      { return g.GroupId }
func (g *SecurityGroup) unique() string                  { return groupKey(g.VpcId, g.GroupName) }
func (g *SecurityGroup) vpc() string                     { return g.VpcId }
func (g *SecurityGroup) tagList() *awsproto.EC2List[Tag] { return &g.Tags }

func (g *SecurityGroup) field(name string) ([]string, bool) {
	switch name {
	case "group-id":
		return []string{g.GroupId}, true
	case "group-name":
		return []string{g.GroupName}, true
	case "vpc-id":
		return []string{g.VpcId}, true
	case "description":
		return []string{g.Description}, true
	case "owner-id":
		return []string{g.OwnerId}, true
	}
	return nil, false
}

// groupKey is what makes a security group unique: its name, regardless of
// case, in its VPC.
func groupKey(vpc, name string) string { return "security-group:" + vpc + "/" + strings.ToLower(name) }

func errGroupNotFound(id string) error {
	if !strings.HasPrefix(id, "sg-") {
		return barge.Errorf(eGroupMalformed, "Invalid id: \"%s\" (expecting \"sg-...\")", id)
	}
	return barge.Errorf(eGroupNotFound, "The security group '%s' does not exist", id)
}

// allTraffic is a rule that allows every protocol, port and address.
var allTraffic = IpPermission{IpProtocol: "-1", IpRanges: awsproto.EC2List[IpRange]{{CidrIp: "0.0.0.0/0"}}}

// defaultGroup returns a new VPC's default security group: traffic from
// its own members in, everything out.
func (s *Service) defaultGroup(vpc string) *SecurityGroup {
	g := s.newGroup(vpc, "default", "default VPC security group", nil)
	g.IpPermissions = awsproto.EC2List[IpPermission]{{IpProtocol: "-1",
		UserIdGroupPairs: awsproto.EC2List[UserIdGroupPair]{{UserId: s.scope.Account, GroupId: g.GroupId}}}}
	return g
}

func (s *Service) newGroup(vpc, name, description string, tags awsproto.EC2List[Tag]) *SecurityGroup {
	id := newID("sg")
	return &SecurityGroup{
		OwnerId: s.scope.Account, GroupId: id, GroupName: name, Description: description, VpcId: vpc,
		SecurityGroupArn: s.arn("security-group", id), IpPermissions: awsproto.EC2List[IpPermission]{},
		IpPermissionsEgress: awsproto.EC2List[IpPermission]{allTraffic}, Tags: tags,
	}
}

// CreateSecurityGroupInput is CreateSecurityGroup's request.
type CreateSecurityGroupInput struct {
	GroupName         string
	Description       string `query:"GroupDescription"`
	VpcId             string
	TagSpecifications []TagSpecification `query:"TagSpecification"`
}

// CreateSecurityGroupOutput is CreateSecurityGroup's response.
type CreateSecurityGroupOutput struct {
	awsproto.EC2Metadata
	GroupId          string                `xml:"groupId"`
	Tags             awsproto.EC2List[Tag] `xml:"tagSet,omitempty"`
	SecurityGroupArn string                `xml:"securityGroupArn"`
}

// CreateSecurityGroup creates a security group in a VPC, the default VPC if
// none is named. Its name is unique in the VPC, regardless of case.
func (s *Service) CreateSecurityGroup(ctx context.Context, in *CreateSecurityGroupInput) (*CreateSecurityGroupOutput, error) {
	switch {
	case in.GroupName == "":
		return nil, missing("GroupName")
	case in.Description == "":
		return nil, missing("GroupDescription")
	case len(in.GroupName) > 255:
		return nil, barge.Errorf(barge.EInvalid, "Value (%s) for parameter GroupName is invalid. Group names may be at most 255 characters long.", in.GroupName)
	case len(in.Description) > 255:
		return nil, barge.Errorf(barge.EInvalid, "Value for parameter GroupDescription is invalid. Group descriptions may be at most 255 characters long.")
	case strings.HasPrefix(in.GroupName, "sg-"):
		return nil, barge.Errorf(barge.EInvalid, "Group names may not be in the format sg-*.")
	case strings.EqualFold(in.GroupName, "default"):
		return nil, barge.Errorf(barge.EInvalid, "Cannot use reserved security group name: default")
	}
	tags, err := tagsFor(kindSecurityGroup, in.TagSpecifications)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vpc := in.VpcId
	if vpc == "" {
		def, err := s.defaultVpc(ctx)
		if err != nil {
			return nil, err
		}
		if def == nil {
			return nil, barge.Errorf(barge.EInvalid, "No default VPC for this user. Name the VPC with --vpc-id.")
		}
		vpc = def.VpcId
	} else if _, err := get[Vpc](ctx, s, kindVpc, vpc, errVpcNotFound); err != nil {
		return nil, err
	}
	g := s.newGroup(vpc, in.GroupName, in.Description, tags)
	r, err := record(g)
	if err != nil {
		return nil, err
	}
	if err := s.store.AddEC2Resources(ctx, r); barge.ErrorCodeOf(err) == barge.EConflict {
		return nil, barge.Errorf(eGroupDuplicate, "The security group '%s' already exists for VPC '%s'", in.GroupName, vpc)
	} else if err != nil {
		return nil, err
	}
	return &CreateSecurityGroupOutput{GroupId: g.GroupId, Tags: g.Tags, SecurityGroupArn: g.SecurityGroupArn}, nil
}

// DescribeSecurityGroupsInput is DescribeSecurityGroups' request.
type DescribeSecurityGroupsInput struct {
	GroupIds   []string `query:"GroupId"`
	GroupNames []string `query:"GroupName"`
	Filters    []Filter `query:"Filter"`
	MaxResults int
	NextToken  string
}

// DescribeSecurityGroupsOutput is DescribeSecurityGroups' response.
type DescribeSecurityGroupsOutput struct {
	awsproto.EC2Metadata
	SecurityGroups awsproto.EC2List[SecurityGroup] `xml:"securityGroupInfo"`
	NextToken      string                          `xml:"nextToken,omitempty"`
}

// DescribeSecurityGroups lists security groups. GroupNames name groups of
// the default VPC, as in AWS.
func (s *Service) DescribeSecurityGroups(ctx context.Context, in *DescribeSecurityGroupsInput) (*DescribeSecurityGroupsOutput, error) {
	ids := in.GroupIds
	if len(in.GroupNames) > 0 {
		def, err := s.defaultVpc(ctx)
		if err != nil {
			return nil, err
		}
		for _, name := range in.GroupNames {
			g, err := s.groupByName(ctx, def, name)
			if err != nil {
				return nil, err
			}
			ids = append(ids, g.GroupId)
		}
	}
	groups, next, err := describe[SecurityGroup](ctx, s, kindSecurityGroup, ids, in.Filters, in.MaxResults, in.NextToken, errGroupNotFound)
	if err != nil {
		return nil, err
	}
	return &DescribeSecurityGroupsOutput{SecurityGroups: groups, NextToken: next}, nil
}

// groupByName returns the group called name in the default VPC def.
func (s *Service) groupByName(ctx context.Context, def *Vpc, name string) (*SecurityGroup, error) {
	if def == nil {
		return nil, barge.Errorf(eGroupNotFound, "The security group '%s' does not exist in default VPC", name)
	}
	groups, err := listAll[SecurityGroup](ctx, s, kindSecurityGroup)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(groups, func(g *SecurityGroup) bool { return g.unique() == groupKey(def.VpcId, name) })
	if i < 0 {
		return nil, barge.Errorf(eGroupNotFound, "The security group '%s' does not exist in default VPC '%s'", name, def.VpcId)
	}
	return groups[i], nil
}

// DeleteSecurityGroupInput is DeleteSecurityGroup's request.
type DeleteSecurityGroupInput struct {
	GroupId   string
	GroupName string
}

// DeleteSecurityGroupOutput is DeleteSecurityGroup's response.
type DeleteSecurityGroupOutput struct {
	awsproto.EC2Metadata
	Return  bool   `xml:"return"`
	GroupId string `xml:"groupId"`
}

// DeleteSecurityGroup deletes a security group, named by ID or, in the
// default VPC, by name. A VPC's default group goes only with its VPC.
func (s *Service) DeleteSecurityGroup(ctx context.Context, in *DeleteSecurityGroupInput) (*DeleteSecurityGroupOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var g *SecurityGroup
	var err error
	switch {
	case in.GroupId == "" && in.GroupName == "":
		return nil, barge.Errorf(eMissingParameter, "The request must contain the parameter groupName or groupId")
	case in.GroupId != "":
		g, err = get[SecurityGroup](ctx, s, kindSecurityGroup, in.GroupId, errGroupNotFound)
	default:
		var def *Vpc
		if def, err = s.defaultVpc(ctx); err == nil {
			g, err = s.groupByName(ctx, def, in.GroupName)
		}
	}
	if err != nil {
		return nil, err
	}
	if g.GroupName == "default" {
		return nil, barge.Errorf(eCannotDelete, "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", g.GroupId)
	}
	endpoints, err := listAll[VpcEndpoint](ctx, s, kindVpcEndpoint)
	if err != nil {
		return nil, err
	}
	for _, e := range endpoints {
		if slices.ContainsFunc(e.Groups, func(gi GroupIdentifier) bool { return gi.GroupId == g.GroupId }) {
			return nil, barge.Errorf(eDependencyViolation, "resource %s has a dependent object", g.GroupId)
		}
	}
	if err := s.store.DeleteEC2Resources(ctx, g.GroupId); err != nil {
		return nil, err
	}
	return &DeleteSecurityGroupOutput{Return: true, GroupId: g.GroupId}, nil
}
