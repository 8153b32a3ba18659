// Package sts serves the one AWS Security Token Service operation that tools
// call before anything else, GetCallerIdentity, over awsQuery as STS speaks
// it, so that Terraform, the CDK and `aws sts get-caller-identity` learn
// which account they are talking to.
//
// barge has one principal, the account's root credentials, so every caller
// is the account root: arn:aws:iam::<account>:root, whose UserId is the
// account ID, as AWS shows the root user.
package sts

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// The STS API's XML namespace and version, from the model.
const (
	xmlns      = "https://sts.amazonaws.com/doc/2011-06-15/"
	apiVersion = "2011-06-15"
)

// maxRequestBody bounds a request: GetCallerIdentity has no parameters.
const maxRequestBody = 64 << 10

// errorTable maps error codes to STS's. STS answers an action it does not
// have with InvalidAction.
var errorTable = awsproto.ErrorTable{
	Codes: map[barge.ErrorCode]awsproto.ErrorType{
		barge.EInvalid:     {Name: "ValidationError", Status: http.StatusBadRequest},
		barge.EUnsupported: {Name: "InvalidAction", Status: http.StatusBadRequest},
	},
	Internal: awsproto.ErrorType{Name: "InternalFailure", Status: http.StatusInternalServerError},
}

// Config configures the STS API.
type Config struct {
	Scope barge.Scope // the account callers belong to, and its region's partition
	Log   *slog.Logger
}

// Service implements the STS operations.
type Service struct {
	scope barge.Scope
	proto *awsproto.Query
}

// New returns the STS API service.
func New(cfg Config) *Service {
	return &Service{scope: cfg.Scope, proto: &awsproto.Query{
		Namespace: xmlns, Version: apiVersion, MaxBody: maxRequestBody, Errors: &errorTable, Log: cfg.Log, Ints: intRanges,
	}}
}

// Handler returns the STS API: POST / (or GET /) with the operation in the
// Action parameter.
func (s *Service) Handler() http.Handler {
	return s.proto.Handler(map[string]awsproto.QueryAction{
		"GetCallerIdentity": awsproto.QueryOp(s.proto, "GetCallerIdentity", s.GetCallerIdentity),
	})
}

// ErrorNamespace is the xmlns of STS's error responses, for errors the
// server writes before a request reaches the API.
const ErrorNamespace = xmlns

// GetCallerIdentityInput is GetCallerIdentity's request: it has no members.
type GetCallerIdentityInput struct{}

// GetCallerIdentityOutput is GetCallerIdentity's result.
type GetCallerIdentityOutput struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// GetCallerIdentity returns who the caller is: the account root, the only
// principal barge has.
func (s *Service) GetCallerIdentity(ctx context.Context, in *GetCallerIdentityInput) (*GetCallerIdentityOutput, error) {
	return &GetCallerIdentityOutput{
		UserID:  s.scope.Account,
		Account: s.scope.Account,
		Arn:     "arn:" + s.scope.Partition() + ":iam::" + s.scope.Account + ":root",
	}, nil
}
