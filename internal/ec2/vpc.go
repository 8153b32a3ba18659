package ec2

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

func (v *Vpc) kind() string                    { return kindVpc }
func (v *Vpc) id() string                      { return v.VpcId }
func (v *Vpc) unique() string                  { return "" }
func (v *Vpc) vpc() string                     { return "" }
func (v *Vpc) tagList() *awsproto.EC2List[Tag] { return &v.Tags }

func (v *Vpc) field(name string) ([]string, bool) {
	switch name {
	case "vpc-id":
		return []string{v.VpcId}, true
	case "cidr", "cidr-block-association.cidr-block":
		return []string{v.CidrBlock}, true
	case "cidr-block-association.state":
		return []string{"associated"}, true
	case "is-default", "isDefault":
		return boolString(v.IsDefault), true
	case "state":
		return []string{v.State}, true
	case "owner-id":
		return []string{v.OwnerId}, true
	case "dhcp-options-id":
		return []string{v.DhcpOptionsId}, true
	}
	return nil, false
}

func errVpcNotFound(id string) error {
	if !strings.HasPrefix(id, "vpc-") {
		return barge.Errorf(eVpcMalformed, "Invalid Id: '%s' (expecting 'vpc-...')", id)
	}
	return barge.Errorf(eVpcNotFound, "The vpc ID '%s' does not exist", id)
}

// The default VPC's addresses, as in every AWS account.
const defaultVpcCidr = "172.31.0.0/16"

// zones returns the Availability Zones of the region barge answers for, and
// their AZ IDs: us-east-1a to f in us-east-1, a to d in us-west-2, a to c
// elsewhere.
func (s *Service) zones() (names, ids []string) {
	n := 3
	switch s.scope.Region {
	case "us-east-1":
		n = 6
	case "us-west-2":
		n = 4
	}
	for i := range n {
		names = append(names, s.scope.Region+string(rune('a'+i)))
		ids = append(ids, fmt.Sprintf("%s-az%d", regionCode(s.scope.Region), i+1))
	}
	return names, ids
}

// regionCode returns the short form of region that AZ IDs start with:
// use1 for us-east-1, apse2 for ap-southeast-2.
func regionCode(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) < 3 {
		return region
	}
	dir := map[string]string{"northeast": "ne", "southeast": "se", "northwest": "nw", "southwest": "sw"}[parts[1]]
	if dir == "" {
		dir = parts[1][:1]
	}
	return parts[0] + dir + parts[len(parts)-1]
}

// Init creates the account's default VPC, its default subnets and its
// default security group the first time barge starts on a data directory.
// A default VPC deleted later stays deleted, as in AWS.
func (s *Service) Init(ctx context.Context) error {
	const marker = "defaults"
	if _, err := s.store.GetEC2Resource(ctx, marker); err == nil {
		return nil
	} else if barge.ErrorCodeOf(err) != barge.ENotFound {
		return err
	}
	vpc := s.newVpc(defaultVpcCidr, true, nil)
	group := s.defaultGroup(vpc.VpcId)
	rs, err := records(vpc, group)
	if err != nil {
		return err
	}
	names, ids := s.zones()
	base := netip.MustParsePrefix(defaultVpcCidr).Addr().As4()
	for i, zone := range names {
		cidr := netip.PrefixFrom(netip.AddrFrom4([4]byte{base[0], base[1], byte(16 * i), 0}), 20)
		sub := s.newSubnet(vpc.VpcId, cidr, zone, ids[i], true, nil)
		r, err := record(sub)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	rs = append(rs, storeMarker(marker))
	return s.store.AddEC2Resources(ctx, rs...)
}

func (s *Service) newVpc(cidr string, isDefault bool, tags awsproto.EC2List[Tag]) *Vpc {
	return &Vpc{
		VpcId: newID("vpc"), OwnerId: s.scope.Account, State: "available", CidrBlock: cidr,
		CidrBlockAssociationSet: awsproto.EC2List[VpcCidrBlockAssociation]{{
			AssociationId: newID("vpc-cidr-assoc"), CidrBlock: cidr, CidrBlockState: VpcCidrBlockState{State: "associated"},
		}},
		DhcpOptionsId: "default", Tags: tags, InstanceTenancy: "default", IsDefault: isDefault,
	}
}

// CreateVpcInput is CreateVpc's request.
type CreateVpcInput struct {
	CidrBlock         string
	InstanceTenancy   string
	TagSpecifications []TagSpecification `query:"TagSpecification"`
}

// CreateVpcOutput is CreateVpc's response.
type CreateVpcOutput struct {
	awsproto.EC2Metadata
	Vpc *Vpc `xml:"vpc"`
}

// CreateVpc creates a VPC, and its default security group.
func (s *Service) CreateVpc(ctx context.Context, in *CreateVpcInput) (*CreateVpcOutput, error) {
	if in.CidrBlock == "" {
		return nil, missing("CidrBlock")
	}
	p, err := netip.ParsePrefix(in.CidrBlock)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return nil, barge.Errorf(barge.EInvalid, "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", in.CidrBlock)
	}
	if p.Bits() < 16 || p.Bits() > 28 {
		return nil, barge.Errorf(eVpcRange, "The CIDR '%s' is invalid.", in.CidrBlock)
	}
	if in.InstanceTenancy != "" && in.InstanceTenancy != "default" && in.InstanceTenancy != "dedicated" {
		return nil, barge.Errorf(barge.EInvalid, "Value (%s) for parameter instanceTenancy is invalid. Valid values: default, dedicated.", in.InstanceTenancy)
	}
	tags, err := tagsFor(kindVpc, in.TagSpecifications)
	if err != nil {
		return nil, err
	}
	vpc := s.newVpc(in.CidrBlock, false, tags)
	if in.InstanceTenancy != "" {
		vpc.InstanceTenancy = in.InstanceTenancy
	}
	rs, err := records(vpc, s.defaultGroup(vpc.VpcId))
	if err != nil {
		return nil, err
	}
	if err := s.store.AddEC2Resources(ctx, rs...); err != nil {
		return nil, err
	}
	return &CreateVpcOutput{Vpc: vpc}, nil
}

// DescribeVpcsInput is DescribeVpcs' request.
type DescribeVpcsInput struct {
	VpcIds     []string `query:"VpcId"`
	Filters    []Filter `query:"Filter"`
	MaxResults int
	NextToken  string
}

// DescribeVpcsOutput is DescribeVpcs' response.
type DescribeVpcsOutput struct {
	awsproto.EC2Metadata
	Vpcs      awsproto.EC2List[Vpc] `xml:"vpcSet"`
	NextToken string                `xml:"nextToken,omitempty"`
}

// DescribeVpcs lists VPCs.
func (s *Service) DescribeVpcs(ctx context.Context, in *DescribeVpcsInput) (*DescribeVpcsOutput, error) {
	vpcs, next, err := describe[Vpc](ctx, s, kindVpc, in.VpcIds, in.Filters, in.MaxResults, in.NextToken, errVpcNotFound)
	if err != nil {
		return nil, err
	}
	return &DescribeVpcsOutput{Vpcs: vpcs, NextToken: next}, nil
}

// DeleteVpcInput is DeleteVpc's request.
type DeleteVpcInput struct {
	VpcId string
}

// DeleteVpc deletes an empty VPC and its default security group: one with
// subnets, other security groups or endpoints is a DependencyViolation.
func (s *Service) DeleteVpc(ctx context.Context, in *DeleteVpcInput) (*awsproto.EC2Return, error) {
	if in.VpcId == "" {
		return nil, missing("VpcId")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := get[Vpc](ctx, s, kindVpc, in.VpcId, errVpcNotFound); err != nil {
		return nil, err
	}
	ids := []string{in.VpcId}
	for _, kind := range []string{kindSubnet, kindSecurityGroup, kindVpcEndpoint} {
		rs, err := s.store.ListEC2Resources(ctx, kind)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.VPCID != in.VpcId {
				continue
			}
			if kind == kindSecurityGroup && r.UniqueKey == groupKey(in.VpcId, "default") {
				ids = append(ids, r.ID)
				continue
			}
			return nil, barge.Errorf(eDependencyViolation, "The vpc '%s' has dependencies and cannot be deleted.", in.VpcId)
		}
	}
	if err := s.store.DeleteEC2Resources(ctx, ids...); err != nil {
		return nil, err
	}
	return &awsproto.EC2Return{Return: true}, nil
}

// defaultVpc returns the account's default VPC, or nil if it was deleted.
func (s *Service) defaultVpc(ctx context.Context) (*Vpc, error) {
	vpcs, err := listAll[Vpc](ctx, s, kindVpc)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(vpcs, func(v *Vpc) bool { return v.IsDefault })
	if i < 0 {
		return nil, nil
	}
	return vpcs[i], nil
}
