package iam

import (
	"strings"

	"github.com/bargehq/barge"
)

// The wire shapes of IAM's requests and responses. Input fields are named
// as the model's members, which is how awsproto.DecodeQuery finds their
// parameters; output fields carry the members' XML names, in the model's
// order, which the SDKs do not need but AWS keeps.

type tagInput struct {
	Key   string
	Value string
}

type createRoleInput struct {
	Path                     string
	RoleName                 string
	AssumeRolePolicyDocument string
	Description              string
	MaxSessionDuration       *int
	PermissionsBoundary      string
	Tags                     []tagInput
}

type roleNameInput struct {
	RoleName string
}

type roleOutput struct {
	Role roleXML `xml:"Role"`
}

type listRolesInput struct {
	PathPrefix string
	Marker     string
	MaxItems   *int
}

type listRolesOutput struct {
	Roles       members[roleXML] `xml:"Roles"`
	IsTruncated bool             `xml:"IsTruncated"`
	Marker      string           `xml:"Marker,omitempty"`
}

type updateRoleInput struct {
	RoleName           string
	Description        *string
	MaxSessionDuration *int
}

// updateRoleOutput is UpdateRole's result: an empty element, as the model's
// output shape has no members.
type updateRoleOutput struct{}

type updateRoleDescriptionInput struct {
	RoleName    string
	Description string
}

type updateAssumeRolePolicyInput struct {
	RoleName       string
	PolicyDocument string
}

type rolePolicyArnInput struct {
	RoleName  string
	PolicyArn string
}

type listAttachedRolePoliciesInput struct {
	RoleName   string
	PathPrefix string
	Marker     string
	MaxItems   *int
}

type attachedPolicyXML struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type listAttachedRolePoliciesOutput struct {
	AttachedPolicies members[attachedPolicyXML] `xml:"AttachedPolicies"`
	IsTruncated      bool                       `xml:"IsTruncated"`
	Marker           string                     `xml:"Marker,omitempty"`
}

type putRolePolicyInput struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string
}

type rolePolicyInput struct {
	RoleName   string
	PolicyName string
}

type getRolePolicyOutput struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"` // percent-encoded, as IAM returns documents
}

type listRolePoliciesInput struct {
	RoleName string
	Marker   string
	MaxItems *int
}

type listRolePoliciesOutput struct {
	PolicyNames members[string] `xml:"PolicyNames"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

type tagRoleInput struct {
	RoleName string
	Tags     []tagInput
}

type untagRoleInput struct {
	RoleName string
	TagKeys  []string
}

type listRoleTagsInput struct {
	RoleName string
	Marker   string
	MaxItems *int
}

type listRoleTagsOutput struct {
	Tags        members[tagXML] `xml:"Tags"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

type createServiceLinkedRoleInput struct {
	AWSServiceName string
	Description    string
	CustomSuffix   string
}

type deleteServiceLinkedRoleOutput struct {
	DeletionTaskId string `xml:"DeletionTaskId"`
}

type deletionStatusInput struct {
	DeletionTaskId string
}

type deletionStatusOutput struct {
	Status string `xml:"Status"`
}

// members is an awsQuery list: <member> elements inside the list's own
// element, which is written even when the list is empty, as AWS does.
type members[T any] struct {
	Member []T `xml:"member"`
}

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type permissionsBoundaryXML struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

// roleLastUsedXML is empty: barge does not track when roles are used, and
// IAM answers a role never used with an empty RoleLastUsed.
type roleLastUsedXML struct{}

// roleXML is the Role shape. Which optional members appear depends on the
// operation: see toRoleXML.
type roleXML struct {
	Path                     string                  `xml:"Path"`
	RoleName                 string                  `xml:"RoleName"`
	RoleId                   string                  `xml:"RoleId"`
	Arn                      string                  `xml:"Arn"`
	CreateDate               string                  `xml:"CreateDate"`
	AssumeRolePolicyDocument string                  `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string                  `xml:"Description,omitempty"`
	MaxSessionDuration       int                     `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *permissionsBoundaryXML `xml:"PermissionsBoundary,omitempty"`
	Tags                     *members[tagXML]        `xml:"Tags,omitempty"`
	RoleLastUsed             *roleLastUsedXML        `xml:"RoleLastUsed,omitempty"`
}

// roleView selects the optional members of a Role, which differ by
// operation as on AWS: CreateRole returns what was given, GetRole
// everything, ListRoles neither tags, boundary nor last use.
type roleView int

const (
	viewCreated   roleView = iota // CreateRole, CreateServiceLinkedRole
	viewFull                      // GetRole, UpdateRoleDescription
	viewListed                    // ListRoles
	viewInProfile                 // the roles of an instance profile: only the identity and trust policy
)

// isoTime is IAM's timestamp format: ISO 8601 in UTC, to the second.
const isoTime = "2006-01-02T15:04:05Z"

func toRoleXML(r *barge.Role, view roleView) roleXML {
	x := roleXML{
		Path:                     r.Path,
		RoleName:                 r.Name,
		RoleId:                   r.ID,
		Arn:                      r.ARN,
		CreateDate:               r.Created.UTC().Format(isoTime),
		AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicy),
		Description:              r.Description,
	}
	if view != viewCreated && view != viewInProfile {
		x.MaxSessionDuration = r.MaxSessionDuration
	}
	if view != viewListed && view != viewInProfile {
		if r.PermissionsBoundary != "" {
			x.PermissionsBoundary = &permissionsBoundaryXML{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.PermissionsBoundary}
		}
		if len(r.Tags) > 0 {
			x.Tags = &members[tagXML]{Member: toTagsXML(r.Tags)}
		}
	}
	if view == viewFull {
		x.RoleLastUsed = &roleLastUsedXML{}
	}
	return x
}

func toTagsXML(tags []barge.RoleTag) []tagXML {
	out := make([]tagXML, len(tags))
	for i, t := range tags {
		out[i] = tagXML{Key: t.Key, Value: t.Value}
	}
	return out
}

func fromTagInputs(in []tagInput) []barge.RoleTag {
	out := make([]barge.RoleTag, len(in))
	for i, t := range in {
		out[i] = barge.RoleTag{Key: t.Key, Value: t.Value}
	}
	return out
}

// encodeDocument percent-encodes a policy document as IAM returns it
// (RFC 3986): everything but letters, digits and -._~ is encoded, spaces as
// %20. Clients decode it: botocore (and so the aws CLI) into JSON, other
// SDKs leave that to the caller.
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
