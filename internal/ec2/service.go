// Package ec2 serves the part of Amazon EC2 that AWS Batch users and their
// tools touch: VPCs, subnets, security groups and VPC endpoints, with tags
// and the filters the aws CLI sends, over EC2's own query protocol.
//
// Every account has a default VPC (172.31.0.0/16) with a default subnet in
// each Availability Zone of the region and a default security group, as in
// AWS, so that `aws ec2 describe-subnets` finds the subnets a compute
// environment names. barge does not build networks: these resources are
// records, kept so that the calls made around AWS Batch (Terraform, the CDK,
// scripts) answer as AWS does, and so that a compute environment can be told
// whether the subnets and security groups it names exist (Unknown).
package ec2

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// The EC2 API's XML namespace and version, from the model.
const (
	xmlns      = "http://ec2.amazonaws.com/doc/2016-11-15/"
	apiVersion = "2016-11-15"
)

// maxRequestBody bounds a request: the largest are a few hundred tags.
const maxRequestBody = 256 << 10

// Store is what the EC2 API needs from the durable store.
type Store interface {
	AddEC2Resources(ctx context.Context, rs ...barge.EC2Resource) error
	GetEC2Resource(ctx context.Context, id string) (*barge.EC2Resource, error)
	ListEC2Resources(ctx context.Context, kind string) ([]barge.EC2Resource, error)
	UpdateEC2Resources(ctx context.Context, rs ...barge.EC2Resource) error
	DeleteEC2Resources(ctx context.Context, ids ...string) error
}

// Config configures the EC2 API.
type Config struct {
	Store Store
	Scope barge.Scope
	Log   *slog.Logger
	Now   func() time.Time
}

// Service implements the EC2 operations.
type Service struct {
	store Store
	scope barge.Scope
	log   *slog.Logger
	now   func() time.Time
	proto *awsproto.EC2Query

	// mu serializes the API's changes, so that the checks a change makes
	// (a CIDR free, a VPC empty, a group name unused) still hold when it
	// is written. Changes are rare; reads do not take it.
	mu sync.Mutex
}

// New returns the EC2 API service.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, scope: cfg.Scope, log: cfg.Log, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.proto = &awsproto.EC2Query{Query: awsproto.Query{
		Namespace: xmlns, Version: apiVersion, MaxBody: maxRequestBody, Errors: &errorTable, Log: s.log, Ints: intRanges,
	}}
	return s
}

// Handler returns the EC2 API: POST / with the operation in the Action
// parameter.
func (s *Service) Handler() http.Handler {
	p := s.proto
	return p.Handler(map[string]awsproto.QueryAction{
		"CreateVpc":    awsproto.EC2Op(p, "CreateVpc", s.CreateVpc),
		"DescribeVpcs": awsproto.EC2Op(p, "DescribeVpcs", s.DescribeVpcs),
		"DeleteVpc":    awsproto.EC2Op(p, "DeleteVpc", s.DeleteVpc),

		"CreateSubnet":    awsproto.EC2Op(p, "CreateSubnet", s.CreateSubnet),
		"DescribeSubnets": awsproto.EC2Op(p, "DescribeSubnets", s.DescribeSubnets),
		"DeleteSubnet":    awsproto.EC2Op(p, "DeleteSubnet", s.DeleteSubnet),

		"CreateSecurityGroup":    awsproto.EC2Op(p, "CreateSecurityGroup", s.CreateSecurityGroup),
		"DescribeSecurityGroups": awsproto.EC2Op(p, "DescribeSecurityGroups", s.DescribeSecurityGroups),
		"DeleteSecurityGroup":    awsproto.EC2Op(p, "DeleteSecurityGroup", s.DeleteSecurityGroup),

		"CreateVpcEndpoint":    awsproto.EC2Op(p, "CreateVpcEndpoint", s.CreateVpcEndpoint),
		"DescribeVpcEndpoints": awsproto.EC2Op(p, "DescribeVpcEndpoints", s.DescribeVpcEndpoints),
		"DeleteVpcEndpoints":   awsproto.EC2Op(p, "DeleteVpcEndpoints", s.DeleteVpcEndpoints),

		"CreateTags": awsproto.EC2Op(p, "CreateTags", s.CreateTags),
		"DeleteTags": awsproto.EC2Op(p, "DeleteTags", s.DeleteTags),

		"DescribeAvailabilityZones": awsproto.EC2Op(p, "DescribeAvailabilityZones", s.DescribeAvailabilityZones),
	})
}

// newID returns an EC2 resource ID: prefix, a dash and 17 hex digits.
func newID(prefix string) string {
	var b [9]byte
	rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}

// arn returns the EC2 ARN of a resource of type kind ("subnet",
// "security-group", ...).
func (s *Service) arn(kind, id string) string {
	return s.scope.ARNPrefix("ec2") + kind + "/" + id
}
