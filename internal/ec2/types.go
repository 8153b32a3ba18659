package ec2

import "github.com/bargehq/barge/internal/awsproto"

// The wire shapes, named as in the model, with the XML names EC2 writes
// (its locationNames). The same structs, as JSON, are what the store keeps,
// pinned by TestStoredDocuments.

// Tag is a resource tag.
type Tag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// TagSpecification is tags to put on a resource as it is created.
type TagSpecification struct {
	ResourceType string
	Tags         []Tag `query:"Tag"`
}

// Filter is one filter of a Describe operation: a resource matches if the
// field Name has one of Values (which may hold * and ? wildcards).
type Filter struct {
	Name   string
	Values []string `query:"Value"`
}

// Vpc is a virtual private cloud.
type Vpc struct {
	VpcId                   string                                    `xml:"vpcId"`
	OwnerId                 string                                    `xml:"ownerId"`
	State                   string                                    `xml:"state"`
	CidrBlock               string                                    `xml:"cidrBlock"`
	CidrBlockAssociationSet awsproto.EC2List[VpcCidrBlockAssociation] `xml:"cidrBlockAssociationSet"`
	DhcpOptionsId           string                                    `xml:"dhcpOptionsId"`
	Tags                    awsproto.EC2List[Tag]                     `xml:"tagSet,omitempty"`
	InstanceTenancy         string                                    `xml:"instanceTenancy"`
	IsDefault               bool                                      `xml:"isDefault"`
}

// VpcCidrBlockAssociation is a VPC's IPv4 CIDR block.
type VpcCidrBlockAssociation struct {
	AssociationId  string            `xml:"associationId"`
	CidrBlock      string            `xml:"cidrBlock"`
	CidrBlockState VpcCidrBlockState `xml:"cidrBlockState"`
}

// VpcCidrBlockState is the state of a VPC's CIDR block.
type VpcCidrBlockState struct {
	State string `xml:"state"`
}

// Subnet is a range of a VPC's addresses in one Availability Zone.
type Subnet struct {
	SubnetId                      string                        `xml:"subnetId"`
	SubnetArn                     string                        `xml:"subnetArn"`
	State                         string                        `xml:"state"`
	VpcId                         string                        `xml:"vpcId"`
	OwnerId                       string                        `xml:"ownerId"`
	CidrBlock                     string                        `xml:"cidrBlock"`
	Ipv6CidrBlockAssociationSet   awsproto.EC2List[struct{}]    `xml:"ipv6CidrBlockAssociationSet"`
	AvailableIpAddressCount       int                           `xml:"availableIpAddressCount"`
	AvailabilityZone              string                        `xml:"availabilityZone"`
	AvailabilityZoneId            string                        `xml:"availabilityZoneId"`
	DefaultForAz                  bool                          `xml:"defaultForAz"`
	MapPublicIpOnLaunch           bool                          `xml:"mapPublicIpOnLaunch"`
	MapCustomerOwnedIpOnLaunch    bool                          `xml:"mapCustomerOwnedIpOnLaunch"`
	AssignIpv6AddressOnCreation   bool                          `xml:"assignIpv6AddressOnCreation"`
	EnableDns64                   bool                          `xml:"enableDns64"`
	Ipv6Native                    bool                          `xml:"ipv6Native"`
	PrivateDnsNameOptionsOnLaunch PrivateDnsNameOptionsOnLaunch `xml:"privateDnsNameOptionsOnLaunch"`
	Tags                          awsproto.EC2List[Tag]         `xml:"tagSet,omitempty"`
}

// PrivateDnsNameOptionsOnLaunch is how instances launched in a subnet are
// named.
type PrivateDnsNameOptionsOnLaunch struct {
	HostnameType                    string `xml:"hostnameType"`
	EnableResourceNameDnsARecord    bool   `xml:"enableResourceNameDnsARecord"`
	EnableResourceNameDnsAAAARecord bool   `xml:"enableResourceNameDnsAAAARecord"`
}

// SecurityGroup is a security group and its rules.
type SecurityGroup struct {
	OwnerId             string                         `xml:"ownerId"`
	GroupId             string                         `xml:"groupId"`
	GroupName           string                         `xml:"groupName"`
	Description         string                         `xml:"groupDescription"`
	VpcId               string                         `xml:"vpcId"`
	SecurityGroupArn    string                         `xml:"securityGroupArn"`
	IpPermissions       awsproto.EC2List[IpPermission] `xml:"ipPermissions"`
	IpPermissionsEgress awsproto.EC2List[IpPermission] `xml:"ipPermissionsEgress"`
	Tags                awsproto.EC2List[Tag]          `xml:"tagSet,omitempty"`
}

// IpPermission is one security group rule.
type IpPermission struct {
	IpProtocol       string                            `xml:"ipProtocol"`
	UserIdGroupPairs awsproto.EC2List[UserIdGroupPair] `xml:"groups"`
	IpRanges         awsproto.EC2List[IpRange]         `xml:"ipRanges"`
	Ipv6Ranges       awsproto.EC2List[struct{}]        `xml:"ipv6Ranges"`
	PrefixListIds    awsproto.EC2List[struct{}]        `xml:"prefixListIds"`
}

// UserIdGroupPair is a rule's peer security group.
type UserIdGroupPair struct {
	UserId  string `xml:"userId"`
	GroupId string `xml:"groupId"`
}

// IpRange is a rule's IPv4 range.
type IpRange struct {
	CidrIp string `xml:"cidrIp"`
}

// VpcEndpoint is a VPC endpoint: a private path from a VPC to an AWS
// service.
type VpcEndpoint struct {
	VpcEndpointId       string                            `xml:"vpcEndpointId"`
	VpcEndpointType     string                            `xml:"vpcEndpointType"`
	VpcId               string                            `xml:"vpcId"`
	ServiceName         string                            `xml:"serviceName"`
	State               string                            `xml:"state"`
	PolicyDocument      string                            `xml:"policyDocument,omitempty"`
	RouteTableIds       awsproto.EC2List[string]          `xml:"routeTableIdSet"`
	SubnetIds           awsproto.EC2List[string]          `xml:"subnetIdSet"`
	Groups              awsproto.EC2List[GroupIdentifier] `xml:"groupSet"`
	IpAddressType       string                            `xml:"ipAddressType,omitempty"`
	PrivateDnsEnabled   bool                              `xml:"privateDnsEnabled"`
	RequesterManaged    bool                              `xml:"requesterManaged"`
	NetworkInterfaceIds awsproto.EC2List[string]          `xml:"networkInterfaceIdSet"`
	DnsEntries          awsproto.EC2List[DnsEntry]        `xml:"dnsEntrySet"`
	CreationTimestamp   string                            `xml:"creationTimestamp"`
	Tags                awsproto.EC2List[Tag]             `xml:"tagSet,omitempty"`
	OwnerId             string                            `xml:"ownerId"`
}

// GroupIdentifier names a security group.
type GroupIdentifier struct {
	GroupId   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

// DnsEntry is an interface endpoint's DNS name.
type DnsEntry struct {
	DnsName      string `xml:"dnsName"`
	HostedZoneId string `xml:"hostedZoneId"`
}
