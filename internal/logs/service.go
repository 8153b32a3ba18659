// Package logs serves the CloudWatch Logs API (awsJson1.1): it decodes each
// operation's request, calls the Logs service (internal/logservice) with
// typed values, and encodes what it returns in AWS's wire shapes, so that
// the aws CLI (aws logs tail --follow included) and the SDKs read the logs
// of barge's jobs as they would on AWS. Validation, limits and the logs
// themselves are the service's; this package is the wire only.
package logs

import (
	"log/slog"

	"github.com/bargehq/barge/internal/logservice"
)

// API is the CloudWatch Logs wire in front of a Logs service.
type API struct {
	svc *logservice.Service
	log *slog.Logger
}

// New returns the Logs API of svc; log takes the server errors of requests.
func New(svc *logservice.Service, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &API{svc: svc, log: log}
}
