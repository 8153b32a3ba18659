package awsproto

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bargehq/barge"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", name, got, want)
	}
}

// dump renders a response's status, error-relevant headers and body.
func dump(rec *httptest.ResponseRecorder) []byte {
	var b bytes.Buffer
	b.WriteString(http.StatusText(rec.Code) + "\n")
	for _, h := range []string{"Content-Type", "X-Amzn-Errortype"} {
		if v := rec.Header().Get(h); v != "" {
			b.WriteString(h + ": " + v + "\n")
		}
	}
	b.Write(rec.Body.Bytes())
	b.WriteString("\n")
	return b.Bytes()
}

func TestErrorWriters(t *testing.T) {
	tests := []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"restjson-client.golden", func(w http.ResponseWriter) {
			WriteRestJSONError(w, "ClientException", 400, "JobQueue q not found.")
		}},
		{"awsjson-notfound.golden", func(w http.ResponseWriter) {
			WriteAWSJSONError(w, "ResourceNotFoundException", 400, "The specified log group does not exist.")
		}},
		{"query-sender.golden", func(w http.ResponseWriter) {
			WriteQueryError(w, "https://iam.amazonaws.com/doc/2010-05-08/", "req-1", "NoSuchEntity", 404, "The role with name r cannot be found.")
		}},
		{"query-receiver.golden", func(w http.ResponseWriter) {
			WriteQueryError(w, "https://iam.amazonaws.com/doc/2010-05-08/", "req-2", "ServiceFailure", 500, "<internal> & failing")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.write(rec)
			golden(t, tt.name, dump(rec))
		})
	}
}

type in struct {
	Name  string `json:"name"`
	Count *int   `json:"count"`
}
type out struct {
	Echo string `json:"echo"`
}

func TestRestJSONOp(t *testing.T) {
	table := &ErrorTable{
		Codes:    map[barge.ErrorCode]ErrorType{barge.EInvalid: {Name: "ClientException", Status: 400}},
		Internal: ErrorType{Name: "ServerException", Status: 500},
	}
	h := RestJSONOp(&RestJSON{Errors: table}, "Echo", 64, nil, func(ctx context.Context, i *in) (*out, error) {
		switch i.Name {
		case "bad":
			return nil, barge.Errorf(barge.EInvalid, "name must not be bad.")
		case "crash":
			return nil, errors.New("disk on fire")
		}
		return &out{Echo: i.Name}, nil
	})
	tests := []struct {
		body       string
		wantStatus int
		wantBody   string
	}{
		{`{"name":"x","unknownNewMember":1}`, 200, `{"echo":"x"}`},
		{``, 200, `{"echo":""}`},
		{`{"name":`, 400, `not valid JSON`},
		{`{"count":"many"}`, 400, `Invalid type for count: expected a number`},
		{`{"name":"a"} {"name":"b"}`, 400, `single JSON object`},
		{`{"name":"` + strings.Repeat("x", 80) + `"}`, 400, `the limit is 64 bytes`},
		{`{"name":"bad"}`, 400, `name must not be bad.`},
		{`{"name":"crash"}`, 500, `An internal error occurred`},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/echo", strings.NewReader(tt.body)))
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("POST %q = %d %s, want %d containing %q", tt.body, rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
			if strings.Contains(rec.Body.String(), "disk on fire") {
				t.Errorf("POST %q leaked the internal error: %s", tt.body, rec.Body)
			}
		})
	}
}

// NewUUIDv7 makes canonical version 7 UUIDs that carry their time and sort
// by it, and differ within one millisecond.
func TestNewUUIDv7(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	at := time.Date(2026, 11, 26, 21, 30, 0, 0, time.UTC)
	a, b, later := NewUUIDv7(at), NewUUIDv7(at), NewUUIDv7(at.Add(time.Millisecond))
	for _, id := range []string{a, b, later} {
		if !shape.MatchString(id) {
			t.Errorf("NewUUIDv7 = %q, want a canonical version 7 UUID", id)
		}
	}
	if a == b {
		t.Errorf("NewUUIDv7 twice in one millisecond = %q both times", a)
	}
	if later <= a || later <= b {
		t.Errorf("NewUUIDv7 a millisecond later = %q, want it after %q and %q", later, a, b)
	}
	ms, err := strconv.ParseInt(strings.ReplaceAll(a[:13], "-", ""), 16, 64)
	if err != nil || ms != at.UnixMilli() {
		t.Errorf("time in %q = %d, %v; want %d", a, ms, err, at.UnixMilli())
	}
}

// NewUUID makes distinct canonical version 4 UUIDs, as AWS's request IDs.
func TestNewUUID(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := NewUUID(), NewUUID()
	if !shape.MatchString(a) || !shape.MatchString(b) || a == b {
		t.Errorf("NewUUID twice = %q, %q; want two distinct canonical version 4 UUIDs", a, b)
	}
}
