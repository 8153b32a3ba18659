package ec2

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

func (n *Subnet) kind() string                    { return kindSubnet }
func (n *Subnet) id() string                      { return n.SubnetId }
func (n *Subnet) unique() string                  { return "" }
func (n *Subnet) vpc() string                     { return n.VpcId }
func (n *Subnet) tagList() *awsproto.EC2List[Tag] { return &n.Tags }

func (n *Subnet) field(name string) ([]string, bool) {
	switch name {
	case "subnet-id":
		return []string{n.SubnetId}, true
	case "subnet-arn":
		return []string{n.SubnetArn}, true
	case "vpc-id":
		return []string{n.VpcId}, true
	case "availability-zone", "availabilityZone":
		return []string{n.AvailabilityZone}, true
	case "availability-zone-id", "availabilityZoneId":
		return []string{n.AvailabilityZoneId}, true
	case "cidr-block", "cidr", "cidrBlock":
		return []string{n.CidrBlock}, true
	case "default-for-az", "defaultForAz":
		return boolString(n.DefaultForAz), true
	case "map-public-ip-on-launch":
		return boolString(n.MapPublicIpOnLaunch), true
	case "available-ip-address-count":
		return []string{strconv.Itoa(n.AvailableIpAddressCount)}, true
	case "state":
		return []string{n.State}, true
	case "owner-id":
		return []string{n.OwnerId}, true
	}
	return nil, false
}

func errSubnetNotFound(id string) error {
	if !strings.HasPrefix(id, "subnet-") {
		return barge.Errorf(eSubnetMalformed, "Invalid Id: '%s' (expecting 'subnet-...')", id)
	}
	return barge.Errorf(eSubnetNotFound, "The subnet ID '%s' does not exist", id)
}

func (s *Service) newSubnet(vpc string, cidr netip.Prefix, zone, zoneID string, isDefault bool, tags awsproto.EC2List[Tag]) *Subnet {
	id := newID("subnet")
	return &Subnet{
		SubnetId: id, SubnetArn: s.arn("subnet", id), State: "available", VpcId: vpc, OwnerId: s.scope.Account,
		CidrBlock:               cidr.String(),
		AvailableIpAddressCount: 1<<(32-cidr.Bits()) - 5, // AWS keeps five addresses of every subnet
		AvailabilityZone:        zone, AvailabilityZoneId: zoneID,
		DefaultForAz: isDefault, MapPublicIpOnLaunch: isDefault,
		PrivateDnsNameOptionsOnLaunch: PrivateDnsNameOptionsOnLaunch{HostnameType: "ip-name"},
		Tags:                          tags,
	}
}

// CreateSubnetInput is CreateSubnet's request.
type CreateSubnetInput struct {
	VpcId              string
	CidrBlock          string
	AvailabilityZone   string
	AvailabilityZoneId string
	TagSpecifications  []TagSpecification `query:"TagSpecification"`
}

// CreateSubnetOutput is CreateSubnet's response.
type CreateSubnetOutput struct {
	awsproto.EC2Metadata
	Subnet *Subnet `xml:"subnet"`
}

// CreateSubnet creates a subnet of a VPC: its CIDR block lies in the VPC's
// and overlaps none of the VPC's other subnets.
func (s *Service) CreateSubnet(ctx context.Context, in *CreateSubnetInput) (*CreateSubnetOutput, error) {
	if in.VpcId == "" {
		return nil, missing("VpcId")
	}
	if in.CidrBlock == "" {
		return nil, missing("CidrBlock")
	}
	cidr, err := netip.ParsePrefix(in.CidrBlock)
	if err != nil || !cidr.Addr().Is4() || cidr.Masked() != cidr {
		return nil, barge.Errorf(barge.EInvalid, "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", in.CidrBlock)
	}
	names, ids := s.zones()
	zone, zoneID := names[0], ids[0]
	switch {
	case in.AvailabilityZone != "" && in.AvailabilityZoneId != "":
		return nil, barge.Errorf(eParameterCombination, "Only one of AvailabilityZone or AvailabilityZoneId can be specified.")
	case in.AvailabilityZone != "":
		i := slices.Index(names, in.AvailabilityZone)
		if i < 0 {
			return nil, barge.Errorf(barge.EInvalid, "Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.", in.AvailabilityZone, strings.Join(names, ", "))
		}
		zone, zoneID = names[i], ids[i]
	case in.AvailabilityZoneId != "":
		i := slices.Index(ids, in.AvailabilityZoneId)
		if i < 0 {
			return nil, barge.Errorf(barge.EInvalid, "Value (%s) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zone IDs: %s.", in.AvailabilityZoneId, strings.Join(ids, ", "))
		}
		zone, zoneID = names[i], ids[i]
	}
	tags, err := tagsFor(kindSubnet, in.TagSpecifications)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	vpc, err := get[Vpc](ctx, s, kindVpc, in.VpcId, errVpcNotFound)
	if err != nil {
		return nil, err
	}
	vpcCidr, err := netip.ParsePrefix(vpc.CidrBlock)
	if err != nil {
		return nil, err
	}
	if cidr.Bits() < 16 || cidr.Bits() > 28 || cidr.Bits() < vpcCidr.Bits() || !vpcCidr.Contains(cidr.Addr()) {
		return nil, barge.Errorf(eSubnetRange, "The CIDR '%s' is invalid.", in.CidrBlock)
	}
	subnets, err := listAll[Subnet](ctx, s, kindSubnet)
	if err != nil {
		return nil, err
	}
	for _, other := range subnets {
		if p, err := netip.ParsePrefix(other.CidrBlock); err == nil && other.VpcId == vpc.VpcId && p.Overlaps(cidr) {
			return nil, barge.Errorf(eSubnetConflict, "The CIDR '%s' conflicts with another subnet", in.CidrBlock)
		}
	}
	sub := s.newSubnet(vpc.VpcId, cidr, zone, zoneID, false, tags)
	r, err := record(sub)
	if err != nil {
		return nil, err
	}
	if err := s.store.AddEC2Resources(ctx, r); err != nil {
		return nil, err
	}
	return &CreateSubnetOutput{Subnet: sub}, nil
}

// DescribeSubnetsInput is DescribeSubnets' request.
type DescribeSubnetsInput struct {
	SubnetIds  []string `query:"SubnetId"`
	Filters    []Filter `query:"Filter"`
	MaxResults int
	NextToken  string
}

// DescribeSubnetsOutput is DescribeSubnets' response.
type DescribeSubnetsOutput struct {
	awsproto.EC2Metadata
	Subnets   awsproto.EC2List[Subnet] `xml:"subnetSet"`
	NextToken string                   `xml:"nextToken,omitempty"`
}

// DescribeSubnets lists subnets.
func (s *Service) DescribeSubnets(ctx context.Context, in *DescribeSubnetsInput) (*DescribeSubnetsOutput, error) {
	subnets, next, err := describe[Subnet](ctx, s, kindSubnet, in.SubnetIds, in.Filters, in.MaxResults, in.NextToken, errSubnetNotFound)
	if err != nil {
		return nil, err
	}
	return &DescribeSubnetsOutput{Subnets: subnets, NextToken: next}, nil
}

// DeleteSubnetInput is DeleteSubnet's request.
type DeleteSubnetInput struct {
	SubnetId string
}

// DeleteSubnet deletes a subnet that no VPC endpoint is in.
func (s *Service) DeleteSubnet(ctx context.Context, in *DeleteSubnetInput) (*awsproto.EC2Return, error) {
	if in.SubnetId == "" {
		return nil, missing("SubnetId")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := get[Subnet](ctx, s, kindSubnet, in.SubnetId, errSubnetNotFound); err != nil {
		return nil, err
	}
	endpoints, err := listAll[VpcEndpoint](ctx, s, kindVpcEndpoint)
	if err != nil {
		return nil, err
	}
	for _, e := range endpoints {
		if slices.Contains(e.SubnetIds, in.SubnetId) {
			return nil, barge.Errorf(eDependencyViolation, "The subnet '%s' has dependencies and cannot be deleted.", in.SubnetId)
		}
	}
	if err := s.store.DeleteEC2Resources(ctx, in.SubnetId); err != nil {
		return nil, err
	}
	return &awsproto.EC2Return{Return: true}, nil
}
