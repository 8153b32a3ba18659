// Package iam serves the part of AWS Identity and Access Management that an
// AWS Batch workflow and its tools use (roles, policies, instance
// profiles), over awsQuery: it decodes each
// operation's parameters, calls the IAM service (internal/iamservice) with
// typed values, and encodes what it returns in IAM's XML shapes. Validation,
// quotas and the roles and policies themselves are the service's; this
// package is the wire only.
package iam

import (
	"log/slog"

	"github.com/bargehq/barge/internal/iamservice"
)

// API is the IAM wire in front of an IAM service.
type API struct {
	svc *iamservice.Service
	log *slog.Logger
}

// New returns the IAM API of svc; log takes the server errors of requests.
func New(svc *iamservice.Service, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &API{svc: svc, log: log}
}
