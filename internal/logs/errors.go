package logs

import (
	"net/http"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
	"github.com/bargehq/barge/internal/logservice"
)

// errorTable maps barge error codes to CloudWatch Logs' error types. All are
// HTTP 400 but server faults, which are ServiceUnavailableException (500).
var errorTable = awsproto.ErrorTable{
	Codes: map[barge.ErrorCode]awsproto.ErrorType{
		barge.EInvalid:          {Name: "InvalidParameterException", Status: http.StatusBadRequest},
		barge.ENotFound:         {Name: "ResourceNotFoundException", Status: http.StatusBadRequest},
		barge.EConflict:         {Name: "ResourceAlreadyExistsException", Status: http.StatusBadRequest},
		barge.ELimit:            {Name: "LimitExceededException", Status: http.StatusBadRequest},
		barge.EUnsupported:      {Name: "UnknownOperationException", Status: http.StatusBadRequest},
		awsproto.ESerialization: {Name: "SerializationException", Status: http.StatusBadRequest},
		logservice.ETooManyTags: {Name: "TooManyTagsException", Status: http.StatusBadRequest},
	},
	Internal: awsproto.ErrorType{Name: "ServiceUnavailableException", Status: http.StatusInternalServerError},
}
