-- EC2 networking: VPCs, subnets, security groups and VPC endpoints, the
-- part of EC2 that compute environments and the tools around AWS Batch use.
--
-- An account holds a few dozen such resources, and the EC2 API reads them a
-- kind at a time, so each is one row holding its document (JSON, in the EC2
-- API's own shape), keyed by its EC2 ID. seq keeps creation order, which
-- listings follow; vpc_id finds what a VPC holds before it is deleted;
-- unique_key, when set, is what must be unique among resources (a security
-- group's VPC and name).
CREATE TABLE ec2_resources (
    seq        {{seq_pk}},
    id         TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,  -- vpc, subnet, security-group, vpc-endpoint, defaults
    vpc_id     TEXT NOT NULL,  -- the VPC the resource is in; '' for a VPC
    unique_key TEXT UNIQUE,    -- NULL when nothing about it must be unique
    doc        {{blob}} NOT NULL
);
CREATE INDEX ec2_resources_kind ON ec2_resources (kind, seq);
CREATE INDEX ec2_resources_vpc ON ec2_resources (vpc_id);
