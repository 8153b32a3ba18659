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
