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

// Check makes the checks that need no body: a well-formed claim, a known
// access key, the clock skew.
func (a SigV4) Check(r *http.Request) (Identity, error) {
	return identity(a.Verifier.Check(r))
}

// Authenticate verifies r's signature over body.
func (a SigV4) Authenticate(r *http.Request, body []byte) (Identity, error) {
	return identity(a.Verifier.Verify(r, body))
}

func identity(res sigv4.Result, err error) (Identity, error) {
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return Identity{}, &AuthError{Code: se.Code, Message: se.Message, Status: se.HTTPStatus()}
		}
		return Identity{}, err
	}
	return Identity{AccessKeyID: res.AccessKeyID, Region: res.Region, Service: strings.ToLower(res.Service),
		SignedHeaders: res.SignedHeaders}, nil
}
