package barge

// EC2Resource is one EC2 networking resource as the EC2 API stores it: the
// store keeps its document as given and knows only what it indexes.
type EC2Resource struct {
	ID    string // vpc-..., subnet-..., sg-..., vpce-...
	Kind  string // "vpc", "subnet", "security-group", "vpc-endpoint", ...
	VPCID string // the VPC the resource is in; "" for a VPC
	// UniqueKey, when not "", must differ from every other resource's
	// (a security group's VPC and name).
	UniqueKey string
	Doc       []byte // JSON
}
