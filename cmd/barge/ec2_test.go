package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/bargehq/barge/internal/awscli"
)

func (ts *testServer) ec2() *ec2.Client {
	return ec2.NewFromConfig(ts.awsConfig(), func(o *ec2.Options) { o.BaseEndpoint = aws.String(ts.URL) })
}

func filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// wantEC2Error fails the test unless err is the EC2 error code.
func wantEC2Error(t *testing.T, err error, code string) {
	t.Helper()
	if got := apiErrorCode(err); got != code {
		t.Errorf("error = %v, want %s", err, code)
	}
}

// defaultNetwork returns the default VPC's ID, its default subnets' IDs
// and its default security group's ID, as a user finds them.
func defaultNetwork(t *testing.T, c *ec2.Client) (vpc string, subnets []string, group string) {
	t.Helper()
	ctx := context.Background()
	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("is-default", "true")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vpcs.Vpcs) != 1 || aws.ToString(vpcs.Vpcs[0].CidrBlock) != "172.31.0.0/16" || !aws.ToBool(vpcs.Vpcs[0].IsDefault) {
		t.Fatalf("default VPCs = %+v, want one, 172.31.0.0/16", vpcs.Vpcs)
	}
	vpc = aws.ToString(vpcs.Vpcs[0].VpcId)
	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("default-for-az", "true")}})
	if err != nil {
		t.Fatal(err)
	}
	var zones []string
	for _, s := range subs.Subnets {
		zones = append(zones, aws.ToString(s.AvailabilityZone))
		subnets = append(subnets, aws.ToString(s.SubnetId))
	}
	if want := []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}; !slices.Equal(zones, want) {
		t.Errorf("default subnets' zones = %v, want %v", zones, want)
	}
	if len(subs.Subnets) > 1 && aws.ToString(subs.Subnets[1].CidrBlock) != "172.31.16.0/20" {
		t.Errorf("second default subnet = %s, want 172.31.16.0/20", aws.ToString(subs.Subnets[1].CidrBlock))
	}
	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("group-name", "default")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.SecurityGroups) != 1 {
		t.Fatalf("default security groups = %+v, want one", groups.SecurityGroups)
	}
	return vpc, subnets, aws.ToString(groups.SecurityGroups[0].GroupId)
}

// TestEC2DefaultVPC finds the default VPC, subnets and security group that
// every account has, with the SDK, and again after a restart.
func TestEC2DefaultVPC(t *testing.T) {
	ts := startServer(t, "")
	vpc, subnets, group := defaultNetwork(t, ts.ec2())
	ts = ts.restart()
	vpc2, subnets2, group2 := defaultNetwork(t, ts.ec2())
	if vpc2 != vpc || !slices.Equal(subnets2, subnets) || group2 != group {
		t.Errorf("after a restart: %s %v %s, want the same %s %v %s", vpc2, subnets2, group2, vpc, subnets, group)
	}
}

// TestEC2Networking creates, tags, filters and deletes a VPC with its
// subnets, security groups and endpoints, through the SDK, with EC2's
// errors where a user gets them.
func TestEC2Networking(t *testing.T) {
	ts := startServer(t, "")
	c := ts.ec2()
	ctx := context.Background()
	nameTag := func(kind types.ResourceType, name string) []types.TagSpecification {
		return []types.TagSpecification{{ResourceType: kind, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}}}
	}

	v, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: nameTag(types.ResourceTypeVpc, "batch")})
	if err != nil {
		t.Fatal(err)
	}
	vpc := aws.ToString(v.Vpc.VpcId)
	if !strings.HasPrefix(vpc, "vpc-") || v.Vpc.State != types.VpcStateAvailable || aws.ToBool(v.Vpc.IsDefault) || len(v.Vpc.Tags) != 1 {
		t.Errorf("CreateVpc = %+v, want an available, non-default vpc- with its Name tag", v.Vpc)
	}
	_, err = c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")})
	wantEC2Error(t, err, "InvalidVpc.Range")

	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("tag:Name", "bat*")}})
	if err != nil || len(vpcs.Vpcs) != 1 || aws.ToString(vpcs.Vpcs[0].VpcId) != vpc {
		t.Errorf("DescribeVpcs(tag:Name=bat*) = %+v, %v, want the new VPC", vpcs, err)
	}
	_, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("colour", "red")}})
	wantEC2Error(t, err, "InvalidParameterValue")

	sub := func(cidr, zone string) (*ec2.CreateSubnetOutput, error) {
		return c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr),
			AvailabilityZone: aws.String(zone), TagSpecifications: nameTag(types.ResourceTypeSubnet, "private-"+zone)})
	}
	a, err := sub("10.0.1.0/24", "us-east-1a")
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(a.Subnet.AvailableIpAddressCount); got != 251 {
		t.Errorf("a /24's AvailableIpAddressCount = %d, want 251", got)
	}
	if _, err := sub("10.0.2.0/24", "us-east-1b"); err != nil {
		t.Fatal(err)
	}
	_, err = sub("10.0.1.128/25", "us-east-1c")
	wantEC2Error(t, err, "InvalidSubnet.Conflict")
	_, err = sub("192.168.0.0/24", "us-east-1c")
	wantEC2Error(t, err, "InvalidSubnet.Range")
	_, err = sub("10.0.3.0/24", "us-east-1z")
	wantEC2Error(t, err, "InvalidParameterValue")
	_, err = c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String("vpc-0000000000000000a"), CidrBlock: aws.String("10.0.3.0/24")})
	wantEC2Error(t, err, "InvalidVpcID.NotFound")

	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("vpc-id", vpc), filter("availability-zone", "us-east-1b")}})
	if err != nil || len(subs.Subnets) != 1 || aws.ToString(subs.Subnets[0].CidrBlock) != "10.0.2.0/24" {
		t.Errorf("DescribeSubnets(vpc-id, availability-zone) = %+v, %v, want the us-east-1b subnet", subs, err)
	}
	_, err = c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-0000000000000000a"}})
	wantEC2Error(t, err, "InvalidSubnetID.NotFound")

	g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("batch-sg"), Description: aws.String("jobs"),
		VpcId: aws.String(vpc), TagSpecifications: nameTag(types.ResourceTypeSecurityGroup, "batch-sg")})
	if err != nil {
		t.Fatal(err)
	}
	group := aws.ToString(g.GroupId)
	_, err = c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("BATCH-sg"), Description: aws.String("again"), VpcId: aws.String(vpc)})
	wantEC2Error(t, err, "InvalidGroup.Duplicate")
	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("vpc-id", vpc)}})
	if err != nil || len(groups.SecurityGroups) != 2 {
		t.Fatalf("DescribeSecurityGroups(vpc-id) = %+v, %v, want the new VPC's default group and batch-sg", groups, err)
	}

	// Tags: added, overwritten, filtered on, deleted.
	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{vpc, group},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}); err != nil {
		t.Fatal(err)
	}
	groups, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filter("tag:team", "data")}})
	if err != nil || len(groups.SecurityGroups) != 1 || aws.ToString(groups.SecurityGroups[0].GroupId) != group || len(groups.SecurityGroups[0].Tags) != 2 {
		t.Errorf("DescribeSecurityGroups(tag:team=data) = %+v, %v, want batch-sg with two tags", groups, err)
	}
	if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{vpc}, Tags: []types.Tag{{Key: aws.String("team")}}}); err != nil {
		t.Fatal(err)
	}
	vpcs, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{filter("tag-key", "team")}})
	if err != nil || len(vpcs.Vpcs) != 0 {
		t.Errorf("DescribeVpcs(tag-key=team) after DeleteTags = %+v, %v, want none", vpcs, err)
	}
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"subnet-0000000000000000a"}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantEC2Error(t, err, "InvalidSubnetID.NotFound")

	// An interface endpoint in a subnet, and an S3 gateway endpoint.
	e, err := c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.ecr.dkr"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: []string{aws.ToString(a.Subnet.SubnetId)}, SecurityGroupIds: []string{group}})
	if err != nil {
		t.Fatal(err)
	}
	endpoint := aws.ToString(e.VpcEndpoint.VpcEndpointId)
	// EC2 writes endpoint states in lower case, whatever the model's enum says.
	if e.VpcEndpoint.State != "available" || len(e.VpcEndpoint.NetworkInterfaceIds) != 1 || len(e.VpcEndpoint.Groups) != 1 {
		t.Errorf("CreateVpcEndpoint = %+v, want an available endpoint with a network interface in the group", e.VpcEndpoint)
	}
	gw, err := c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3")})
	if err != nil || gw.VpcEndpoint.VpcEndpointType != types.VpcEndpointTypeGateway {
		t.Fatalf("CreateVpcEndpoint(s3) = %+v, %v, want a Gateway endpoint", gw, err)
	}
	_, err = c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.example.nothing")})
	wantEC2Error(t, err, "InvalidServiceName")
	es, err := c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: []types.Filter{filter("vpc-endpoint-type", "Interface")}})
	if err != nil || len(es.VpcEndpoints) != 1 || aws.ToString(es.VpcEndpoints[0].VpcEndpointId) != endpoint {
		t.Errorf("DescribeVpcEndpoints(Interface) = %+v, %v, want the interface endpoint", es, err)
	}

	// A dry run changes nothing.
	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc), DryRun: aws.Bool(true)})
	wantEC2Error(t, err, "DryRunOperation")
	if _, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}}); err != nil {
		t.Errorf("DescribeVpcs after a dry-run DeleteVpc = %v, want the VPC still there", err)
	}

	// What is in use cannot go.
	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
	wantEC2Error(t, err, "DependencyViolation")
	_, err = c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: a.Subnet.SubnetId})
	wantEC2Error(t, err, "DependencyViolation")
	_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(group)})
	wantEC2Error(t, err, "DependencyViolation")

	del, err := c.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{endpoint, aws.ToString(gw.VpcEndpoint.VpcEndpointId), "vpce-0000000000000000a"}})
	if err != nil || len(del.Unsuccessful) != 1 || aws.ToString(del.Unsuccessful[0].ResourceId) != "vpce-0000000000000000a" {
		t.Fatalf("DeleteVpcEndpoints = %+v, %v, want the unknown one unsuccessful", del, err)
	}
	if _, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{aws.ToString(a.Subnet.SubnetId), aws.ToString(subs.Subnets[0].SubnetId)} {
		if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}})
	wantEC2Error(t, err, "InvalidVpcID.NotFound")

	// A VPC's default group goes with its VPC only.
	_, _, defaultGroup := defaultNetwork(t, c)
	_, err = c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(defaultGroup)})
	wantEC2Error(t, err, "CannotDelete")
}

// TestEC2AWSCLI runs the EC2 commands users run around AWS Batch with the
// aws CLIs installed here.
func TestEC2AWSCLI(t *testing.T) {
	clis := awscli.Installed()
	if len(clis) == 0 {
		t.Skip("no aws CLI installed")
	}
	ts := startServer(t, "")
	for _, cli := range clis {
		run := func(args ...string) []byte {
			t.Helper()
			cmd := awscli.Client{CLI: cli, Endpoint: ts.URL, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
				Region: "us-east-1", Home: t.TempDir()}.Command(context.Background(), args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			b, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", cli, strings.Join(args, " "), err, stderr.Bytes())
			}
			return b
		}
		var subnets struct {
			Subnets []struct{ SubnetId, AvailabilityZone string }
		}
		b := run("ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true")
		if err := json.Unmarshal(b, &subnets); err != nil || len(subnets.Subnets) != 6 {
			t.Errorf("%s ec2 describe-subnets printed %s, want the six default subnets", cli, b)
		}
		b = run("ec2", "describe-security-groups", "--group-names", "default", "--query", "SecurityGroups[0].GroupId", "--output", "text")
		if !strings.HasPrefix(string(b), "sg-") {
			t.Errorf("%s ec2 describe-security-groups --group-names default printed %q, want the group's ID", cli, b)
		}
		b = run("ec2", "create-vpc", "--cidr-block", "10.1.0.0/16", "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]")
		var vpc struct{ Vpc struct{ VpcId string } }
		if err := json.Unmarshal(b, &vpc); err != nil || vpc.Vpc.VpcId == "" {
			t.Fatalf("%s ec2 create-vpc printed %s", cli, b)
		}
		b = run("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli")
		if !bytes.Contains(b, []byte(vpc.Vpc.VpcId)) {
			t.Errorf("%s ec2 describe-vpcs --filters Name=tag:Name,Values=cli printed %s, want %s", cli, b, vpc.Vpc.VpcId)
		}
		run("ec2", "delete-vpc", "--vpc-id", vpc.Vpc.VpcId)
		b = run("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli")
		if !bytes.Contains(b, []byte(`"Vpcs": []`)) {
			t.Errorf("%s ec2 describe-vpcs after delete-vpc printed %s, want an empty Vpcs list", cli, b)
		}
	}
}

// TestEC2AuthenticationErrors: EC2 refuses bad credentials with its own
// codes, as users of the SDKs see them: SignatureDoesNotMatch for a wrong
// secret, AuthFailure for an access key it does not know.
func TestEC2AuthenticationErrors(t *testing.T) {
	ts := startServer(t, "")
	for _, tt := range []struct {
		name, keyID, secret, code, msg string
	}{
		{"wrong secret", testKeyID, "wrong-secret-key-00000000000000000000000", "SignatureDoesNotMatch", "The request signature we calculated does not match"},
		{"unknown access key", "AKIDNOBODY0000000000", testSecret, "AuthFailure", "AWS was not able to validate the provided access credentials"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ts.awsConfig()
			cfg.Credentials = credentials.NewStaticCredentialsProvider(tt.keyID, tt.secret, "")
			c := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(ts.URL) })
			_, err := c.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{})
			if code, msg := apiErrorCode(err), apiErrorMessage(err); code != tt.code || !strings.Contains(msg, tt.msg) {
				t.Errorf("DescribeVpcs = %v, want %s: %s", err, tt.code, tt.msg)
			}
		})
	}
}
