package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bargehq/barge/internal/sigv4"
)

// SigV4 is the Authenticator of AWS Signature Version 4: it verifies
// requests with v and reports its failures as AuthErrors.
type SigV4 struct{ Verifier *sigv4.Verifier }

// Authenticate verifies r's signature over body.
func (a SigV4) Authenticate(r *http.Request, body []byte) (Identity, error) {
	res, err := a.Verifier.Verify(r, body)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return Identity{}, &AuthError{Code: se.Code, Message: se.Message, Status: se.HTTPStatus()}
		}
		return Identity{}, err
	}
	return Identity{AccessKeyID: res.AccessKeyID, Region: res.Region, Service: strings.ToLower(res.Service)}, nil
}
