package ec2

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

func (e *VpcEndpoint) kind() string                    { return kindVpcEndpoint }
func (e *VpcEndpoint) id() string                      { return e.VpcEndpointId }
func (e *VpcEndpoint) unique() string                  { return "" }
func (e *VpcEndpoint) vpc() string                     { return e.VpcId }
func (e *VpcEndpoint) tagList() *awsproto.EC2List[Tag] { return &e.Tags }

func (e *VpcEndpoint) field(name string) ([]string, bool) {
	switch name {
	case "vpc-endpoint-id":
		return []string{e.VpcEndpointId}, true
	case "vpc-id":
		return []string{e.VpcId}, true
	case "service-name":
		return []string{e.ServiceName}, true
	case "vpc-endpoint-state":
		return []string{e.State}, true
	case "vpc-endpoint-type":
		return []string{e.VpcEndpointType}, true
	case "ip-address-type":
		return []string{e.IpAddressType}, true
	}
	return nil, false
}

func errEndpointNotFound(id string) error {
	if !strings.HasPrefix(id, "vpce-") {
		return barge.Errorf(eEndpointMalformed, "The Vpc Endpoint Id '%s' is malformed", id)
	}
	return barge.Errorf(eEndpointNotFound, "The Vpc Endpoint Id '%s' does not exist", id)
}

// defaultEndpointPolicy is the policy of an endpoint created without one:
// full access, as in AWS.
const defaultEndpointPolicy = `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`

// awsServiceName matches the names of AWS services' endpoints:
// com.amazonaws.<region>.<service>.
var awsServiceName = regexp.MustCompile(`^com\.amazonaws\.([a-z0-9-]+)\.([a-z0-9.-]+)$`)

// CreateVpcEndpointInput is CreateVpcEndpoint's request.
type CreateVpcEndpointInput struct {
	VpcId             string
	ServiceName       string
	VpcEndpointType   string
	PolicyDocument    string
	RouteTableIds     []string `query:"RouteTableId"`
	SubnetIds         []string `query:"SubnetId"`
	SecurityGroupIds  []string `query:"SecurityGroupId"`
	PrivateDnsEnabled *bool
	TagSpecifications []TagSpecification `query:"TagSpecification"`
	ClientToken       string
}

// CreateVpcEndpointOutput is CreateVpcEndpoint's response.
type CreateVpcEndpointOutput struct {
	awsproto.EC2Metadata
	VpcEndpoint *VpcEndpoint `xml:"vpcEndpoint"`
	ClientToken string       `xml:"clientToken,omitempty"`
}

// CreateVpcEndpoint creates an endpoint of an AWS service in a VPC: a
// Gateway endpoint (S3 and DynamoDB, the default type) or an Interface
// endpoint in some of the VPC's subnets, with some of its security groups
// (its default group if none is named).
func (s *Service) CreateVpcEndpoint(ctx context.Context, in *CreateVpcEndpointInput) (*CreateVpcEndpointOutput, error) {
	if in.VpcId == "" {
		return nil, missing("VpcId")
	}
	if in.ServiceName == "" {
		return nil, missing("ServiceName")
	}
	m := awsServiceName.FindStringSubmatch(in.ServiceName)
	if m == nil || m[1] != s.scope.Region {
		return nil, barge.Errorf(eServiceName, "The Vpc Endpoint Service '%s' does not exist", in.ServiceName)
	}
	service := m[2]
	typ := in.VpcEndpointType
	if typ == "" {
		typ = "Gateway"
	}
	switch typ {
	case "Gateway":
		if service != "s3" && service != "dynamodb" {
			return nil, barge.Errorf(barge.EInvalid, "The Vpc Endpoint Service '%s' does not support the Gateway endpoint type: create an Interface endpoint (--vpc-endpoint-type Interface) in your subnets.", in.ServiceName)
		}
		if len(in.SubnetIds) > 0 || len(in.SecurityGroupIds) > 0 {
			return nil, barge.Errorf(eParameterCombination, "Gateway endpoints take route tables, not subnets or security groups.")
		}
	case "Interface":
		if len(in.RouteTableIds) > 0 {
			return nil, barge.Errorf(eParameterCombination, "Interface endpoints take subnets and security groups, not route tables.")
		}
	default:
		return nil, barge.Errorf(barge.EInvalid, "Value (%s) for parameter VpcEndpointType is invalid. barge serves Gateway and Interface endpoints.", typ)
	}
	tags, err := tagsFor(kindVpcEndpoint, in.TagSpecifications)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := get[Vpc](ctx, s, kindVpc, in.VpcId, errVpcNotFound); err != nil {
		return nil, err
	}
	id := newID("vpce")
	e := &VpcEndpoint{
		VpcEndpointId: id, VpcEndpointType: typ, VpcId: in.VpcId, ServiceName: in.ServiceName, State: "available",
		PolicyDocument: in.PolicyDocument, RouteTableIds: in.RouteTableIds, SubnetIds: awsproto.EC2List[string]{},
		Groups: awsproto.EC2List[GroupIdentifier]{}, NetworkInterfaceIds: awsproto.EC2List[string]{},
		DnsEntries: awsproto.EC2List[DnsEntry]{}, CreationTimestamp: s.now().UTC().Format("2006-01-02T15:04:05.000Z"),
		Tags: tags, OwnerId: s.scope.Account,
	}
	if e.PolicyDocument == "" {
		e.PolicyDocument = defaultEndpointPolicy
	}
	if e.RouteTableIds == nil {
		e.RouteTableIds = awsproto.EC2List[string]{}
	}
	if typ == "Interface" {
		if err := s.placeInterface(ctx, e, service, in); err != nil {
			return nil, err
		}
	}
	r, err := record(e)
	if err != nil {
		return nil, err
	}
	if err := s.store.AddEC2Resources(ctx, r); err != nil {
		return nil, err
	}
	return &CreateVpcEndpointOutput{VpcEndpoint: e, ClientToken: in.ClientToken}, nil
}

// placeInterface puts the interface endpoint e in the subnets and security
// groups in names, checking that they exist in its VPC, and gives it its
// network interfaces and DNS names.
func (s *Service) placeInterface(ctx context.Context, e *VpcEndpoint, service string, in *CreateVpcEndpointInput) error {
	zones := map[string]bool{}
	for _, id := range in.SubnetIds {
		sub, err := get[Subnet](ctx, s, kindSubnet, id, errSubnetNotFound)
		if err != nil {
			return err
		}
		if sub.VpcId != e.VpcId {
			return barge.Errorf(barge.EInvalid, "The subnet '%s' is not in the endpoint's VPC '%s'.", id, e.VpcId)
		}
		if zones[sub.AvailabilityZone] {
			return barge.Errorf(barge.EInvalid, "Found another subnet in Availability Zone %s: an endpoint takes at most one subnet per Availability Zone.", sub.AvailabilityZone)
		}
		zones[sub.AvailabilityZone] = true
		e.SubnetIds = append(e.SubnetIds, id)
		e.NetworkInterfaceIds = append(e.NetworkInterfaceIds, newID("eni"))
	}
	groups := in.SecurityGroupIds
	if len(groups) == 0 {
		all, err := listAll[SecurityGroup](ctx, s, kindSecurityGroup)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(all, func(g *SecurityGroup) bool { return g.unique() == groupKey(e.VpcId, "default") }); i >= 0 {
			groups = []string{all[i].GroupId}
		}
	}
	for _, id := range groups {
		g, err := get[SecurityGroup](ctx, s, kindSecurityGroup, id, errGroupNotFound)
		if err != nil {
			return err
		}
		if g.VpcId != e.VpcId {
			return barge.Errorf(barge.EInvalid, "The security group '%s' is not in the endpoint's VPC '%s'.", id, e.VpcId)
		}
		e.Groups = append(e.Groups, GroupIdentifier{GroupId: g.GroupId, GroupName: g.GroupName})
	}
	e.IpAddressType = "ipv4"
	e.PrivateDnsEnabled = in.PrivateDnsEnabled == nil || *in.PrivateDnsEnabled
	host := strings.Join(reverse(strings.Split(service, ".")), ".") // ecr.dkr → dkr.ecr, as AWS names it
	e.DnsEntries = append(e.DnsEntries, DnsEntry{DnsName: e.VpcEndpointId + "." + host + "." + s.scope.Region + ".vpce.amazonaws.com"})
	if e.PrivateDnsEnabled {
		e.DnsEntries = append(e.DnsEntries, DnsEntry{DnsName: host + "." + s.scope.Region + ".amazonaws.com"})
	}
	return nil
}

func reverse(s []string) []string {
	slices.Reverse(s)
	return s
}

// DescribeVpcEndpointsInput is DescribeVpcEndpoints' request.
type DescribeVpcEndpointsInput struct {
	VpcEndpointIds []string `query:"VpcEndpointId"`
	Filters        []Filter `query:"Filter"`
	MaxResults     int
	NextToken      string
}

// DescribeVpcEndpointsOutput is DescribeVpcEndpoints' response.
type DescribeVpcEndpointsOutput struct {
	awsproto.EC2Metadata
	VpcEndpoints awsproto.EC2List[VpcEndpoint] `xml:"vpcEndpointSet"`
	NextToken    string                        `xml:"nextToken,omitempty"`
}

// DescribeVpcEndpoints lists VPC endpoints.
func (s *Service) DescribeVpcEndpoints(ctx context.Context, in *DescribeVpcEndpointsInput) (*DescribeVpcEndpointsOutput, error) {
	es, next, err := describe[VpcEndpoint](ctx, s, kindVpcEndpoint, in.VpcEndpointIds, in.Filters, in.MaxResults, in.NextToken, errEndpointNotFound)
	if err != nil {
		return nil, err
	}
	return &DescribeVpcEndpointsOutput{VpcEndpoints: es, NextToken: next}, nil
}

// DeleteVpcEndpointsInput is DeleteVpcEndpoints' request.
type DeleteVpcEndpointsInput struct {
	VpcEndpointIds []string `query:"VpcEndpointId"`
}

// DeleteVpcEndpointsOutput is DeleteVpcEndpoints' response: the endpoints
// that could not be deleted, and why.
type DeleteVpcEndpointsOutput struct {
	awsproto.EC2Metadata
	Unsuccessful awsproto.EC2List[UnsuccessfulItem] `xml:"unsuccessful"`
}

// UnsuccessfulItem is a resource an operation could not act on.
type UnsuccessfulItem struct {
	Error      UnsuccessfulItemError `xml:"error"`
	ResourceId string                `xml:"resourceId"`
}

// UnsuccessfulItemError is why.
type UnsuccessfulItemError struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

// DeleteVpcEndpoints deletes VPC endpoints; each one that does not exist is
// reported in Unsuccessful, as AWS does, not as an error.
func (s *Service) DeleteVpcEndpoints(ctx context.Context, in *DeleteVpcEndpointsInput) (*DeleteVpcEndpointsOutput, error) {
	if len(in.VpcEndpointIds) == 0 {
		return nil, missing("VpcEndpointId")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &DeleteVpcEndpointsOutput{Unsuccessful: awsproto.EC2List[UnsuccessfulItem]{}}
	var ids []string
	for _, id := range in.VpcEndpointIds {
		if _, err := get[VpcEndpoint](ctx, s, kindVpcEndpoint, id, errEndpointNotFound); err != nil {
			if barge.ErrorCodeOf(err) != eEndpointNotFound && barge.ErrorCodeOf(err) != eEndpointMalformed {
				return nil, err
			}
			out.Unsuccessful = append(out.Unsuccessful, UnsuccessfulItem{ResourceId: id,
				Error: UnsuccessfulItemError{Code: "InvalidVpcEndpoint.NotFound", Message: "The VPC endpoint '" + id + "' does not exist"}})
			continue
		}
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		if err := s.store.DeleteEC2Resources(ctx, ids...); err != nil {
			return nil, err
		}
	}
	return out, nil
}
