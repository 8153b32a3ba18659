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

		"CreateServiceLinkedRole":            awsproto.QueryOp(p, "CreateServiceLinkedRole", s.CreateServiceLinkedRole),
		"DeleteServiceLinkedRole":            awsproto.QueryOp(p, "DeleteServiceLinkedRole", s.DeleteServiceLinkedRole),
		"GetServiceLinkedRoleDeletionStatus": awsproto.QueryOp(p, "GetServiceLinkedRoleDeletionStatus", s.GetServiceLinkedRoleDeletionStatus),
	})
}
