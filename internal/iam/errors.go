package iam

import (
	"net/http"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// IAM tells apart more client errors than barge's neutral codes do, and SDK
// users branch on them (EntityAlreadyExists and DeleteConflict are both
// conflicts, MalformedPolicyDocument and InvalidInput both bad input), so
// this package adds its own codes. They never leave the package except
// through errorTable.
const (
	eInvalidInput        barge.ErrorCode = "iam_invalid_input"
	eMalformedPolicy     barge.ErrorCode = "iam_malformed_policy"
	eDeleteConflict      barge.ErrorCode = "iam_delete_conflict"
	eUnmodifiable        barge.ErrorCode = "iam_unmodifiable"
	ePolicyNotAttachable barge.ErrorCode = "iam_policy_not_attachable"
)

// errorTable maps error codes to IAM's error codes and statuses, from the
// model. barge.EInvalid is a value that breaks the model's constraints
// (length, pattern, range), which IAM reports as ValidationError; an
// operation IAM has but barge does not serve is InvalidAction, as an
// unknown one is.
var errorTable = awsproto.ErrorTable{
	Codes: map[barge.ErrorCode]awsproto.ErrorType{
		barge.EInvalid:       {Name: "ValidationError", Status: http.StatusBadRequest},
		barge.ENotFound:      {Name: "NoSuchEntity", Status: http.StatusNotFound},
		barge.EConflict:      {Name: "EntityAlreadyExists", Status: http.StatusConflict},
		barge.ELimit:         {Name: "LimitExceeded", Status: http.StatusConflict},
		barge.EUnsupported:   {Name: "InvalidAction", Status: http.StatusBadRequest},
		eInvalidInput:        {Name: "InvalidInput", Status: http.StatusBadRequest},
		eMalformedPolicy:     {Name: "MalformedPolicyDocument", Status: http.StatusBadRequest},
		eDeleteConflict:      {Name: "DeleteConflict", Status: http.StatusConflict},
		eUnmodifiable:        {Name: "UnmodifiableEntity", Status: http.StatusBadRequest},
		ePolicyNotAttachable: {Name: "PolicyNotAttachable", Status: http.StatusBadRequest},
	},
	Internal: awsproto.ErrorType{Name: "ServiceFailure", Status: http.StatusInternalServerError},
}
