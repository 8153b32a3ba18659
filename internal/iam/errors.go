package iam

import (
	"net/http"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/iamservice"
)

// errorTable maps error codes to IAM's error codes and statuses, from the
// model. barge.EInvalid is a value that breaks the model's constraints
// (length, pattern, range), which IAM reports as ValidationError; an
// operation IAM has but barge does not serve is InvalidAction, as an
// unknown one is.
var errorTable = awsproto.ErrorTable{
	Codes: map[barge.ErrorCode]awsproto.ErrorType{
		barge.EInvalid:                  {Name: "ValidationError", Status: http.StatusBadRequest},
		barge.ENotFound:                 {Name: "NoSuchEntity", Status: http.StatusNotFound},
		barge.EConflict:                 {Name: "EntityAlreadyExists", Status: http.StatusConflict},
		barge.ELimit:                    {Name: "LimitExceeded", Status: http.StatusConflict},
		barge.EUnsupported:              {Name: "InvalidAction", Status: http.StatusBadRequest},
		iamservice.EInvalidInput:        {Name: "InvalidInput", Status: http.StatusBadRequest},
		iamservice.EMalformedPolicy:     {Name: "MalformedPolicyDocument", Status: http.StatusBadRequest},
		iamservice.EDeleteConflict:      {Name: "DeleteConflict", Status: http.StatusConflict},
		iamservice.EUnmodifiable:        {Name: "UnmodifiableEntity", Status: http.StatusBadRequest},
		iamservice.EPolicyNotAttachable: {Name: "PolicyNotAttachable", Status: http.StatusBadRequest},
	},
	Internal: awsproto.ErrorType{Name: "ServiceFailure", Status: http.StatusInternalServerError},
}
