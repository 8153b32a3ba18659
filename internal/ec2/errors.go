package ec2

import (
	"net/http"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// EC2's error codes are specific (InvalidVpcID.NotFound, not a generic not
// found), and scripts branch on them, so this package's error codes are
// EC2's own. They never leave the package except through errorTable.
const (
	eMissingParameter     barge.ErrorCode = "MissingParameter"
	eInvalidID            barge.ErrorCode = "InvalidID"
	eVpcNotFound          barge.ErrorCode = "InvalidVpcID.NotFound"
	eVpcMalformed         barge.ErrorCode = "InvalidVpcID.Malformed"
	eVpcRange             barge.ErrorCode = "InvalidVpc.Range"
	eSubnetNotFound       barge.ErrorCode = "InvalidSubnetID.NotFound"
	eSubnetMalformed      barge.ErrorCode = "InvalidSubnetID.Malformed"
	eSubnetRange          barge.ErrorCode = "InvalidSubnet.Range"
	eSubnetConflict       barge.ErrorCode = "InvalidSubnet.Conflict"
	eGroupNotFound        barge.ErrorCode = "InvalidGroup.NotFound"
	eGroupMalformed       barge.ErrorCode = "InvalidGroupId.Malformed"
	eGroupDuplicate       barge.ErrorCode = "InvalidGroup.Duplicate"
	eGroupReserved        barge.ErrorCode = "InvalidGroup.Reserved"
	eEndpointNotFound     barge.ErrorCode = "InvalidVpcEndpointId.NotFound"
	eEndpointMalformed    barge.ErrorCode = "InvalidVpcEndpointId.Malformed"
	eServiceName          barge.ErrorCode = "InvalidServiceName"
	eDependencyViolation  barge.ErrorCode = "DependencyViolation"
	eCannotDelete         barge.ErrorCode = "CannotDelete"
	eParameterCombination barge.ErrorCode = "InvalidParameterCombination"
	eTagLimit             barge.ErrorCode = "TagLimitExceeded"
)

// errorTable maps error codes to EC2's. EC2 answers every client error
// with 400, and an action it does not have with InvalidAction.
var errorTable = func() awsproto.ErrorTable {
	t := awsproto.ErrorTable{
		Codes: map[barge.ErrorCode]awsproto.ErrorType{
			barge.EInvalid:     {Name: "InvalidParameterValue", Status: http.StatusBadRequest},
			barge.ENotFound:    {Name: "InvalidID", Status: http.StatusBadRequest},
			barge.EConflict:    {Name: "IncorrectState", Status: http.StatusBadRequest},
			barge.ELimit:       {Name: "ResourceLimitExceeded", Status: http.StatusBadRequest},
			barge.EUnsupported: {Name: "InvalidAction", Status: http.StatusBadRequest},
		},
		Internal: awsproto.ErrorType{Name: "InternalError", Status: http.StatusInternalServerError},
	}
	for _, c := range []barge.ErrorCode{eMissingParameter, eInvalidID, eVpcNotFound, eVpcMalformed, eVpcRange,
		eSubnetNotFound, eSubnetMalformed, eSubnetRange, eSubnetConflict, eGroupNotFound, eGroupMalformed,
		eGroupDuplicate, eGroupReserved, eEndpointNotFound, eEndpointMalformed, eServiceName,
		eDependencyViolation, eCannotDelete, eParameterCombination, eTagLimit} {
		t.Codes[c] = awsproto.ErrorType{Name: string(c), Status: http.StatusBadRequest}
	}
	return t
}()

// missing is the error for a required parameter that is absent.
func missing(name string) error {
	return barge.Errorf(eMissingParameter, "The request must contain the parameter %s", name)
}
