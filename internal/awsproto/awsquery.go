package awsproto

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// WriteQueryError writes an awsQuery error (IAM): an XML ErrorResponse whose
// Type is Sender for client errors and Receiver for server faults.
func WriteQueryError(w http.ResponseWriter, xmlns, requestID, code string, status int, message string) {
	type errorBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	resp := struct {
		XMLName   xml.Name  `xml:"ErrorResponse"`
		Xmlns     string    `xml:"xmlns,attr"`
		Error     errorBody `xml:"Error"`
		RequestID string    `xml:"RequestId"`
	}{Xmlns: xmlns, RequestID: requestID, Error: errorBody{Type: "Sender", Code: code, Message: message}}
	if status >= 500 {
		resp.Error.Type = "Receiver"
	}
	b, _ := xml.Marshal(resp)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// queryAuthErrors are the awsQuery names (IAM's, STS's) of the SigV4 errors
// that the JSON protocols name with an Exception suffix or otherwise, and
// the message a query service gives instead, if it words it differently.
var queryAuthErrors = map[string]struct{ code, message string }{
	"MissingAuthenticationTokenException": {"MissingAuthenticationToken", "Request is missing Authentication Token"},
	"IncompleteSignatureException":        {"IncompleteSignature", ""},
	"UnrecognizedClientException":         {"InvalidClientTokenId", ""},
	"InvalidSignatureException":           {"SignatureDoesNotMatch", ""},
}

// QueryAuthError returns the code and message an awsQuery service answers a
// failed authentication with, given the JSON protocols' code and message:
// SignatureDoesNotMatch for InvalidSignatureException (a wrong signature,
// an expired one, or a credential scoped to another service), for example.
// Other codes are returned unchanged.
func QueryAuthError(code, message string) (string, string) {
	q, ok := queryAuthErrors[code]
	if !ok {
		return code, message
	}
	if q.message != "" {
		message = q.message
	}
	return q.code, message
}
