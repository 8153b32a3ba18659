package iam

import (
	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/iamservice"
)

// The wire shapes of the managed-policy and instance-profile operations.

type createPolicyInput struct {
	PolicyName     string
	Path           string
	PolicyDocument string
	Description    string
	Tags           []tagInput
}

type policyArnInput struct {
	PolicyArn string
}

type policyOutput struct {
	Policy policyXML `xml:"Policy"`
}

type listPoliciesInput struct {
	Scope             string
	OnlyAttached      bool
	PathPrefix        string
	PolicyUsageFilter string
	Marker            string
	MaxItems          *int
}

type listPoliciesOutput struct {
	Policies    members[policyXML] `xml:"Policies"`
	IsTruncated bool               `xml:"IsTruncated"`
	Marker      string             `xml:"Marker,omitempty"`
}

type createPolicyVersionInput struct {
	PolicyArn      string
	PolicyDocument string
	SetAsDefault   bool
}

type policyVersionInput struct {
	PolicyArn string
	VersionId string
}

type policyVersionOutput struct {
	PolicyVersion policyVersionXML `xml:"PolicyVersion"`
}

type listPolicyVersionsInput struct {
	PolicyArn string
	Marker    string
	MaxItems  *int
}

type listPolicyVersionsOutput struct {
	Versions    members[policyVersionXML] `xml:"Versions"`
	IsTruncated bool                      `xml:"IsTruncated"`
	Marker      string                    `xml:"Marker,omitempty"`
}

type listEntitiesForPolicyInput struct {
	PolicyArn         string
	EntityFilter      string
	PathPrefix        string
	PolicyUsageFilter string
	Marker            string
	MaxItems          *int
}

type policyRoleXML struct {
	RoleName string `xml:"RoleName"`
	RoleId   string `xml:"RoleId"`
}

type listEntitiesForPolicyOutput struct {
	PolicyGroups members[struct{}]      `xml:"PolicyGroups"`
	PolicyUsers  members[struct{}]      `xml:"PolicyUsers"`
	PolicyRoles  members[policyRoleXML] `xml:"PolicyRoles"`
	IsTruncated  bool                   `xml:"IsTruncated"`
	Marker       string                 `xml:"Marker,omitempty"`
}

// policyXML is the Policy shape. ListPolicies leaves out Description and
// Tags, as IAM does.
type policyXML struct {
	PolicyName                    string           `xml:"PolicyName"`
	PolicyId                      string           `xml:"PolicyId"`
	Arn                           string           `xml:"Arn"`
	Path                          string           `xml:"Path"`
	DefaultVersionId              string           `xml:"DefaultVersionId"`
	AttachmentCount               int              `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int              `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool             `xml:"IsAttachable"`
	Description                   string           `xml:"Description,omitempty"`
	CreateDate                    string           `xml:"CreateDate"`
	UpdateDate                    string           `xml:"UpdateDate"`
	Tags                          *members[tagXML] `xml:"Tags,omitempty"`
}

func toPolicyXML(p *barge.ManagedPolicy, listed bool) policyXML {
	x := policyXML{
		PolicyName:       p.Name,
		PolicyId:         p.ID,
		Arn:              p.ARN,
		Path:             p.Path,
		DefaultVersionId: (&barge.PolicyVersion{Version: p.DefaultVersion}).VersionID(),
		AttachmentCount:  p.AttachmentCount,
		IsAttachable:     iamservice.IsAttachable(p),
		CreateDate:       p.Created.UTC().Format(isoTime),
		UpdateDate:       p.Updated.UTC().Format(isoTime),
	}
	if !listed {
		x.Description = p.Description
		if len(p.Tags) > 0 {
			x.Tags = &members[tagXML]{Member: toTagsXML(p.Tags)}
		}
	}
	return x
}

// policyVersionXML is the PolicyVersion shape; ListPolicyVersions leaves
// out the document.
type policyVersionXML struct {
	Document         string `xml:"Document,omitempty"` // percent-encoded
	VersionId        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

func toPolicyVersionXML(v *barge.PolicyVersion) policyVersionXML {
	x := policyVersionXML{VersionId: v.VersionID(), IsDefaultVersion: v.IsDefault, CreateDate: v.Created.UTC().Format(isoTime)}
	if v.Document != "" {
		x.Document = encodeDocument(v.Document)
	}
	return x
}

// Instance profiles.

type createInstanceProfileInput struct {
	InstanceProfileName string
	Path                string
	Tags                []tagInput
}

type instanceProfileNameInput struct {
	InstanceProfileName string
}

type instanceProfileRoleInput struct {
	InstanceProfileName string
	RoleName            string
}

type instanceProfileOutput struct {
	InstanceProfile instanceProfileXML `xml:"InstanceProfile"`
}

type listInstanceProfilesInput struct {
	PathPrefix string
	Marker     string
	MaxItems   *int
}

type listInstanceProfilesForRoleInput struct {
	RoleName string
	Marker   string
	MaxItems *int
}

type listInstanceProfilesOutput struct {
	InstanceProfiles members[instanceProfileXML] `xml:"InstanceProfiles"`
	IsTruncated      bool                        `xml:"IsTruncated"`
	Marker           string                      `xml:"Marker,omitempty"`
}

type instanceProfileXML struct {
	Path                string           `xml:"Path"`
	InstanceProfileName string           `xml:"InstanceProfileName"`
	InstanceProfileId   string           `xml:"InstanceProfileId"`
	Arn                 string           `xml:"Arn"`
	CreateDate          string           `xml:"CreateDate"`
	Roles               members[roleXML] `xml:"Roles"`
	Tags                *members[tagXML] `xml:"Tags,omitempty"`
}

func toInstanceProfileXML(p *iamservice.InstanceProfile) instanceProfileXML {
	x := instanceProfileXML{
		Path:                p.Path,
		InstanceProfileName: p.Name,
		InstanceProfileId:   p.ID,
		Arn:                 p.ARN,
		CreateDate:          p.Created.UTC().Format(isoTime),
		Roles:               members[roleXML]{Member: []roleXML{}},
	}
	for _, r := range p.Roles {
		x.Roles.Member = append(x.Roles.Member, toRoleXML(r, viewInProfile))
	}
	if len(p.Tags) > 0 {
		x.Tags = &members[tagXML]{Member: toTagsXML(p.Tags)}
	}
	return x
}
