package ec2

import (
	"encoding/json"
	"encoding/xml"
	"net/netip"
	"strings"
	"testing"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"batch", "batch", true},
		{"batch", "batches", false},
		{"bat*", "batch", true},
		{"*", "", true},
		{"b?tch", "batch", true},
		{"b?tch", "bitch!", false},
		{"*-private-*", "vpc-private-a", true},
		{"10.0.*/24", "10.0.1.0/24", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
	} {
		if got := wildcard(c.pattern, c.s); got != c.want {
			t.Errorf("wildcard(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestRegionCode(t *testing.T) {
	for region, want := range map[string]string{"us-east-1": "use1", "eu-central-1": "euc1", "ap-southeast-2": "apse2", "us-west-2": "usw2"} {
		if got := regionCode(region); got != want {
			t.Errorf("regionCode(%s) = %s, want %s", region, got, want)
		}
	}
}

// TestStoredDocuments pins what the store keeps for a subnet, so that
// renaming a Go field cannot silently change what is on disk.
func TestStoredDocuments(t *testing.T) {
	s := New(Config{Scope: barge.Scope{Region: "us-east-1", Account: "123456789012"}})
	sub := s.newSubnet("vpc-1", netip.MustParsePrefix("10.0.1.0/24"), "us-east-1a", "use1-az1", false, awsproto.EC2List[Tag]{{Key: "Name", Value: "a"}})
	sub.SubnetId, sub.SubnetArn = "subnet-1", "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1"
	b, err := json.Marshal(sub)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"SubnetId":"subnet-1","SubnetArn":"arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1","State":"available","VpcId":"vpc-1","OwnerId":"123456789012","CidrBlock":"10.0.1.0/24","Ipv6CidrBlockAssociationSet":null,"AvailableIpAddressCount":251,"AvailabilityZone":"us-east-1a","AvailabilityZoneId":"use1-az1","DefaultForAz":false,"MapPublicIpOnLaunch":false,"MapCustomerOwnedIpOnLaunch":false,"AssignIpv6AddressOnCreation":false,"EnableDns64":false,"Ipv6Native":false,"PrivateDnsNameOptionsOnLaunch":{"HostnameType":"ip-name","EnableResourceNameDnsARecord":false,"EnableResourceNameDnsAAAARecord":false},"Tags":[{"Key":"Name","Value":"a"}]}`
	if string(b) != want {
		t.Errorf("stored subnet =\n%s\nwant\n%s", b, want)
	}
}

// TestListXML checks EC2's list shape: items in the member's element, an
// empty list written empty, or left out when the field says omitempty.
func TestListXML(t *testing.T) {
	v := &Vpc{VpcId: "vpc-1"}
	b, err := xml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.Contains(got, "<cidrBlockAssociationSet></cidrBlockAssociationSet>") || strings.Contains(got, "tagSet") {
		t.Errorf("untagged VPC = %s, want an empty cidrBlockAssociationSet and no tagSet", got)
	}
	v.Tags = awsproto.EC2List[Tag]{{Key: "k", Value: "v"}}
	b, _ = xml.Marshal(v)
	if got := string(b); !strings.Contains(got, "<tagSet><item><key>k</key><value>v</value></item></tagSet>") {
		t.Errorf("tagged VPC = %s, want <tagSet><item>...", got)
	}
}
