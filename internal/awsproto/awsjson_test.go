package awsproto

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

func TestAWSJSON(t *testing.T) {
	table := &ErrorTable{
		Codes: map[barge.ErrorCode]ErrorType{
			barge.EInvalid:     {Name: "InvalidParameterException", Status: 400},
			barge.EUnsupported: {Name: "UnknownOperationException", Status: 400},
		},
		Internal: ErrorType{Name: "ServiceUnavailableException", Status: 500},
	}
	p := NewAWSJSON("Svc_20140328", table, nil)
	p.Handle("Echo", AWSJSONOp(p, "Echo", 64, func(ctx context.Context, i *in) (*out, error) {
		switch i.Name {
		case "bad":
			return nil, barge.Errorf(barge.EInvalid, "name must not be bad.")
		case "crash":
			return nil, errors.New("disk on fire")
		case "nothing":
			return nil, nil
		}
		return &out{Echo: i.Name}, nil
	}))
	tests := []struct {
		name       string
		method     string
		target     string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"ok", "POST", "Svc_20140328.Echo", `{"name":"x","unknownNewMember":1}`, 200, `{"echo":"x"}`},
		{"empty body", "POST", "Svc_20140328.Echo", ``, 200, `{"echo":""}`},
		{"nil output", "POST", "Svc_20140328.Echo", `{"name":"nothing"}`, 200, `{"echo":""}`},
		{"unknown operation", "POST", "Svc_20140328.Frobnicate", `{}`, 400, `"__type":"UnknownOperationException"`},
		{"other prefix", "POST", "Other_1.Echo", `{}`, 400, `Svc_20140328.\u003cOperation\u003e`},
		{"no target", "POST", "", `{}`, 400, `UnknownOperationException`},
		{"GET", "GET", "Svc_20140328.Echo", ``, 400, `called with POST, not GET`},
		{"bad JSON", "POST", "Svc_20140328.Echo", `{"name":`, 400, `not valid JSON`},
		{"wrong type", "POST", "Svc_20140328.Echo", `{"count":"many"}`, 400, `Invalid type for count`},
		{"too large", "POST", "Svc_20140328.Echo", `{"name":"` + strings.Repeat("x", 80) + `"}`, 400, `the limit is 64 bytes`},
		{"client error", "POST", "Svc_20140328.Echo", `{"name":"bad"}`, 400, `{"__type":"InvalidParameterException","message":"name must not be bad."}`},
		{"internal error", "POST", "Svc_20140328.Echo", `{"name":"crash"}`, 500, `"__type":"ServiceUnavailableException"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/", strings.NewReader(tt.body))
			if tt.target != "" {
				req.Header.Set("X-Amz-Target", tt.target)
			}
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("%s %s %q = %d %s, want %d containing %s", tt.method, tt.target, tt.body, rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.1" {
				t.Errorf("Content-Type = %q, want application/x-amz-json-1.1", ct)
			}
			if strings.Contains(rec.Body.String(), "disk on fire") {
				t.Errorf("%s leaked the internal error: %s", tt.name, rec.Body)
			}
		})
	}
}

func TestAWSJSONErrorGolden(t *testing.T) {
	p := NewAWSJSON("Logs_20140328", &ErrorTable{
		Codes: map[barge.ErrorCode]ErrorType{barge.ENotFound: {Name: "ResourceNotFoundException", Status: http.StatusBadRequest}},
	}, nil)
	rec := httptest.NewRecorder()
	p.WriteError(rec, httptest.NewRequest("POST", "/", nil), "DeleteLogGroup",
		barge.Errorf(barge.ENotFound, "The specified log group does not exist."))
	golden(t, "awsjson-notfound.golden", dump(rec))
}
