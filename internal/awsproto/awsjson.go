package awsproto

import "net/http"

// WriteAWSJSONError writes an awsJson1.1 error (CloudWatch Logs): the error
// type in the body's __type member.
func WriteAWSJSONError(w http.ResponseWriter, errType string, status int, message string) {
	WriteJSON(w, status, "application/x-amz-json-1.1", struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{errType, message})
}
