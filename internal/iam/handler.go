package iam

import (
	"net/http"

	"github.com/bargehq/barge/internal/awsproto"
)

// The IAM API's XML namespace and version, from the model, and the bound
// of a request's body: a 128 KiB document percent-encodes to under 400 KiB.
const (
	xmlns          = "https://iam.amazonaws.com/doc/2010-05-08/"
	apiVersion     = "2010-05-08"
	maxRequestBody = 1 << 20
)

// Handler returns the IAM API: POST / (or GET /) with the operation in the
// Action parameter. Any other Action, IAM's or not, is InvalidAction.
func (s *API) Handler() http.Handler {
	p := &awsproto.Query{
		Namespace: xmlns,
		Version:   apiVersion,
		MaxBody:   maxRequestBody,
		Errors:    &errorTable,
		Log:       s.log,
		Ints:      intRanges,
	}
	return p.Handler(map[string]awsproto.QueryAction{
		"CreateRole":             awsproto.QueryOp(p, "CreateRole", s.CreateRole),
		"GetRole":                awsproto.QueryOp(p, "GetRole", s.GetRole),
		"ListRoles":              awsproto.QueryOp(p, "ListRoles", s.ListRoles),
		"UpdateRole":             awsproto.QueryOp(p, "UpdateRole", s.UpdateRole),
		"UpdateRoleDescription":  awsproto.QueryOp(p, "UpdateRoleDescription", s.UpdateRoleDescription),
		"UpdateAssumeRolePolicy": awsproto.QueryOp(p, "UpdateAssumeRolePolicy", s.UpdateAssumeRolePolicy),
		"DeleteRole":             awsproto.QueryOp(p, "DeleteRole", s.DeleteRole),

		"AttachRolePolicy":         awsproto.QueryOp(p, "AttachRolePolicy", s.AttachRolePolicy),
		"DetachRolePolicy":         awsproto.QueryOp(p, "DetachRolePolicy", s.DetachRolePolicy),
		"ListAttachedRolePolicies": awsproto.QueryOp(p, "ListAttachedRolePolicies", s.ListAttachedRolePolicies),

		"PutRolePolicy":    awsproto.QueryOp(p, "PutRolePolicy", s.PutRolePolicy),
		"GetRolePolicy":    awsproto.QueryOp(p, "GetRolePolicy", s.GetRolePolicy),
		"DeleteRolePolicy": awsproto.QueryOp(p, "DeleteRolePolicy", s.DeleteRolePolicy),
		"ListRolePolicies": awsproto.QueryOp(p, "ListRolePolicies", s.ListRolePolicies),

		"TagRole":      awsproto.QueryOp(p, "TagRole", s.TagRole),
		"UntagRole":    awsproto.QueryOp(p, "UntagRole", s.UntagRole),
		"ListRoleTags": awsproto.QueryOp(p, "ListRoleTags", s.ListRoleTags),

		"CreatePolicy":            awsproto.QueryOp(p, "CreatePolicy", s.CreatePolicy),
		"GetPolicy":               awsproto.QueryOp(p, "GetPolicy", s.GetPolicy),
		"ListPolicies":            awsproto.QueryOp(p, "ListPolicies", s.ListPolicies),
		"DeletePolicy":            awsproto.QueryOp(p, "DeletePolicy", s.DeletePolicy),
		"CreatePolicyVersion":     awsproto.QueryOp(p, "CreatePolicyVersion", s.CreatePolicyVersion),
		"GetPolicyVersion":        awsproto.QueryOp(p, "GetPolicyVersion", s.GetPolicyVersion),
		"ListPolicyVersions":      awsproto.QueryOp(p, "ListPolicyVersions", s.ListPolicyVersions),
		"DeletePolicyVersion":     awsproto.QueryOp(p, "DeletePolicyVersion", s.DeletePolicyVersion),
		"SetDefaultPolicyVersion": awsproto.QueryOp(p, "SetDefaultPolicyVersion", s.SetDefaultPolicyVersion),
		"ListEntitiesForPolicy":   awsproto.QueryOp(p, "ListEntitiesForPolicy", s.ListEntitiesForPolicy),

		"CreateInstanceProfile":         awsproto.QueryOp(p, "CreateInstanceProfile", s.CreateInstanceProfile),
		"GetInstanceProfile":            awsproto.QueryOp(p, "GetInstanceProfile", s.GetInstanceProfile),
		"ListInstanceProfiles":          awsproto.QueryOp(p, "ListInstanceProfiles", s.ListInstanceProfiles),
		"ListInstanceProfilesForRole":   awsproto.QueryOp(p, "ListInstanceProfilesForRole", s.ListInstanceProfilesForRole),
		"DeleteInstanceProfile":         awsproto.QueryOp(p, "DeleteInstanceProfile", s.DeleteInstanceProfile),
		"AddRoleToInstanceProfile":      awsproto.QueryOp(p, "AddRoleToInstanceProfile", s.AddRoleToInstanceProfile),
		"RemoveRoleFromInstanceProfile": awsproto.QueryOp(p, "RemoveRoleFromInstanceProfile", s.RemoveRoleFromInstanceProfile),

		"CreateServiceLinkedRole":            awsproto.QueryOp(p, "CreateServiceLinkedRole", s.CreateServiceLinkedRole),
		"DeleteServiceLinkedRole":            awsproto.QueryOp(p, "DeleteServiceLinkedRole", s.DeleteServiceLinkedRole),
		"GetServiceLinkedRoleDeletionStatus": awsproto.QueryOp(p, "GetServiceLinkedRoleDeletionStatus", s.GetServiceLinkedRoleDeletionStatus),
	})
}
