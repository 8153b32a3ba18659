package batch

import (
	"net/http"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// errorTable maps barge error codes to AWS Batch's two error types: every
// client-side failure is a ClientException (HTTP 400), as on AWS.
var errorTable = awsproto.ErrorTable{
	Codes: map[barge.ErrorCode]awsproto.ErrorType{
		barge.EInvalid:     {Name: "ClientException", Status: http.StatusBadRequest},
		barge.ENotFound:    {Name: "ClientException", Status: http.StatusBadRequest},
		barge.EConflict:    {Name: "ClientException", Status: http.StatusBadRequest},
		barge.ELimit:       {Name: "ClientException", Status: http.StatusBadRequest},
		barge.EUnsupported: {Name: "ClientException", Status: http.StatusBadRequest},
	},
	Internal: awsproto.ErrorType{Name: "ServerException", Status: http.StatusInternalServerError},
}
