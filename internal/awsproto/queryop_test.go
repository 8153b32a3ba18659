package awsproto

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

type queryTag struct {
	Key   string
	Value string
}

type queryIn struct {
	Name     string
	Count    *int
	Small    int8
	Flag     bool
	Ratio    float64
	Names    []string
	Tags     []queryTag
	Nested   *queryTag
	Renamed  string `query:"Other"`
	Skipped  string `query:"-"`
	internal string
}

func TestDecodeQuery(t *testing.T) {
	three := 3
	tests := []struct {
		query   string
		want    queryIn
		wantErr string
	}{
		{query: "", want: queryIn{}},
		{query: "Name=r&Unknown=1&Count=3", want: queryIn{Name: "r", Count: &three}},
		{query: "Flag=TRUE&Ratio=0.5&Small=-7", want: queryIn{Flag: true, Ratio: 0.5, Small: -7}},
		{query: "Names.member.2=b&Names.member.1=a&Names.member.10=c", want: queryIn{Names: []string{"a", "b", "c"}}},
		{query: "Names=", want: queryIn{Names: []string{}}},
		{query: "Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&Tags.member.2.Value=",
			want: queryIn{Tags: []queryTag{{"k1", "v1"}, {"k2", ""}}}},
		{query: "Nested.Key=k", want: queryIn{Nested: &queryTag{Key: "k"}}},
		{query: "Other=x&Renamed=y&Skipped=z&internal=w", want: queryIn{Renamed: "x"}},
		{query: "Name=first&Name=second", want: queryIn{Name: "first"}},
		{query: "Count=many", wantErr: "Invalid value \"many\" for parameter Count: expected an integer"},
		{query: "Small=300", wantErr: "parameter Small: expected an integer of at most 8 bits"},
		{query: "Flag=yes", wantErr: "expected true or false"},
		{query: "Ratio=x", wantErr: "expected a number"},
		{query: "Names.member.0=a", wantErr: "no valid list index"},
		{query: "Names.member.01=a", wantErr: "no valid list index"},
		{query: "Tags.member.x.Key=a", wantErr: "no valid list index"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			params, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			var got queryIn
			err = DecodeQuery(params, &got)
			if tt.wantErr != "" {
				if barge.ErrorCodeOf(err) != barge.EInvalid || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("DecodeQuery(%q) = %v, want EInvalid containing %q", tt.query, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeQuery(%q) = %+v, %v; want %+v", tt.query, got, err, tt.want)
			}
		})
	}
}

func TestDecodeQueryNeedsStructPointer(t *testing.T) {
	var s string
	for _, v := range []any{nil, s, &s, queryIn{}, (*queryIn)(nil)} {
		if err := DecodeQuery(url.Values{}, v); err == nil || barge.ErrorCodeOf(err) != barge.EInternal {
			t.Errorf("DecodeQuery(%T) = %v, want an internal error", v, err)
		}
	}
	var bad struct{ M map[string]string }
	if err := DecodeQuery(url.Values{"M": {"x"}}, &bad); barge.ErrorCodeOf(err) != barge.EInternal {
		t.Errorf("DecodeQuery into a map = %v, want an internal error", err)
	}
}

type echoOut struct {
	Name  string         `xml:"Name"`
	Names queryMembers   `xml:"Names"`
	Note  string         `xml:"Note,omitempty"`
	Tags  []queryTagXML  `xml:"Tags>member"`
	Empty *struct{}      `xml:"Empty,omitempty"`
	Count int            `xml:"Count"`
	Inner *queryInnerXML `xml:"Inner,omitempty"`
}

type queryMembers struct {
	Member []string `xml:"member"`
}

type queryTagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type queryInnerXML struct {
	Text string `xml:"Text"`
}

func testQuery() (*Query, http.Handler) {
	p := &Query{
		Namespace: "https://example.com/doc/2010-05-08/",
		Version:   "2010-05-08",
		MaxBody:   256,
		Errors: &ErrorTable{
			Codes: map[barge.ErrorCode]ErrorType{
				barge.EInvalid:     {Name: "ValidationError", Status: 400},
				barge.ENotFound:    {Name: "NoSuchEntity", Status: 404},
				barge.EUnsupported: {Name: "InvalidAction", Status: 400},
			},
			Internal: ErrorType{Name: "ServiceFailure", Status: 500},
		},
	}
	echo := func(ctx context.Context, in *queryIn) (*echoOut, error) {
		switch in.Name {
		case "missing":
			return nil, barge.Errorf(barge.ENotFound, "The thing with name missing cannot be found.")
		case "crash":
			return nil, errors.New("disk on fire")
		}
		out := &echoOut{Name: in.Name, Names: queryMembers{Member: in.Names}, Note: "a <b> & \"c\""}
		for _, t := range in.Tags {
			out.Tags = append(out.Tags, queryTagXML(t))
		}
		return out, nil
	}
	del := func(ctx context.Context, in *queryIn) (*NoResult, error) { return &NoResult{}, nil }
	return p, p.Handler(map[string]QueryAction{
		"Echo":   QueryOp(p, "Echo", echo),
		"Delete": QueryOp(p, "Delete", del),
	})
}

func TestQueryResponses(t *testing.T) {
	_, h := testQuery()
	tests := []struct {
		name, body string
	}{
		{"query-result.golden", "Action=Echo&Version=2010-05-08&Name=r%201&Names.member.1=a&Names.member.2=b&Tags.member.1.Key=k&Tags.member.1.Value=v"},
		{"query-result-empty-list.golden", "Action=Echo&Version=2010-05-08&Name=r"},
		{"query-noresult.golden", "Action=Delete&Version=2010-05-08&Name=r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			h.ServeHTTP(rec, r.WithContext(WithRequestID(r.Context(), "req-1")))
			golden(t, tt.name, dump(rec))
		})
	}
}

func TestQueryHandler(t *testing.T) {
	_, h := testQuery()
	tests := []struct {
		name       string
		method     string
		query      string // URL query
		body       string
		wantStatus int
		wantBody   []string
	}{
		{"POST", "POST", "", "Action=Echo&Version=2010-05-08&Name=x", 200, []string{"<EchoResponse xmlns=\"https://example.com/doc/2010-05-08/\"><EchoResult><Name>x</Name>"}},
		{"GET with a query", "GET", "Action=Echo&Version=2010-05-08&Name=q", "", 200, []string{"<Name>q</Name>"}},
		{"POST with parameters in both", "POST", "Name=fromURL&Version=2010-05-08", "Action=Echo&Name=fromBody", 200, []string{"<Name>fromBody</Name>"}},
		{"no action", "POST", "", "Version=2010-05-08", 400, []string{"<Code>InvalidAction</Code>", "no Action parameter"}},
		{"unknown action", "POST", "", "Action=Launch&Version=2010-05-08", 400, []string{"<Code>InvalidAction</Code>", "Could not find operation Launch for version 2010-05-08."}},
		{"wrong version", "POST", "", "Action=Echo&Version=2099-01-01", 400, []string{"<Code>InvalidAction</Code>", "this server speaks version 2010-05-08"}},
		{"no version", "POST", "", "Action=Echo", 400, []string{"<Code>InvalidAction</Code>", "no Version parameter"}},
		{"wrong method", "PUT", "", "Action=Echo&Version=2010-05-08", 400, []string{"<Code>InvalidAction</Code>", "PUT method is not supported"}},
		{"bad form", "POST", "", "Action=Echo&Version=2010-05-08&Name=%zz", 400, []string{"<Code>ValidationError</Code>", "not a valid form-encoded"}},
		{"bad URL query", "POST", "Name=%zz", "Action=Echo&Version=2010-05-08", 400, []string{"<Code>ValidationError</Code>", "URL query is not a valid parameter list"}},
		{"too big", "POST", "", "Action=Echo&Version=2010-05-08&Name=" + strings.Repeat("x", 300), 400, []string{"<Code>ValidationError</Code>", "larger than 256 bytes"}},
		{"bad parameter", "POST", "", "Action=Echo&Version=2010-05-08&Count=x", 400, []string{"<Type>Sender</Type><Code>ValidationError</Code>", "parameter Count"}},
		{"operation error", "POST", "", "Action=Echo&Version=2010-05-08&Name=missing", 404, []string{"<Code>NoSuchEntity</Code>", "<Message>The thing with name missing cannot be found.</Message>"}},
		{"internal error", "POST", "", "Action=Echo&Version=2010-05-08&Name=crash", 500, []string{"<Type>Receiver</Type><Code>ServiceFailure</Code>", "An internal error occurred"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(tt.method, "/?"+tt.query, strings.NewReader(tt.body))
			h.ServeHTTP(rec, r)
			body := rec.Body.String()
			if rec.Code != tt.wantStatus {
				t.Errorf("%s %q = %d %s, want %d", tt.method, tt.body, rec.Code, body, tt.wantStatus)
			}
			for _, w := range tt.wantBody {
				if !strings.Contains(body, w) {
					t.Errorf("%s %q = %s, want it to contain %q", tt.method, tt.body, body, w)
				}
			}
			if strings.Contains(body, "disk on fire") {
				t.Errorf("%s %q leaked the internal error: %s", tt.method, tt.body, body)
			}
			// Without a server in front, the adapter makes the request ID
			// and announces it.
			id := rec.Header().Get("x-amzn-RequestId")
			if id == "" || !strings.Contains(body, id) {
				t.Errorf("%s %q: x-amzn-RequestId %q, body %s; want the ID in both", tt.method, tt.body, id, body)
			}
		})
	}
}

// FuzzDecodeQuery feeds arbitrary bodies and queries to the parameter
// parser and decoder: they may reject them, but must not panic, and an
// accepted list must be in index order.
func FuzzDecodeQuery(f *testing.F) {
	for _, seed := range []string{
		"",
		"Action=CreateRole&Version=2010-05-08&RoleName=r&Tags.member.1.Key=k&Tags.member.1.Value=v",
		"Names.member.1=a&Names.member.3=c&Names.member.2=b",
		"Names=&Count=12&Flag=false&Ratio=1e3",
		"Tags.member.99999999999999999999.Key=x",
		"Nested.Key=%41&Nested.Value=%zz",
		"Small=-129;Count=1",
	} {
		f.Add(seed, "Other=x")
	}
	f.Fuzz(func(t *testing.T, body, rawQuery string) {
		params, err := ParseQuery(body, rawQuery)
		if err != nil {
			return
		}
		var in queryIn
		if err := DecodeQuery(params, &in); err != nil {
			if code := barge.ErrorCodeOf(err); code != barge.EInvalid {
				t.Fatalf("DecodeQuery(%q) = %v (code %q), want EInvalid", body, err, code)
			}
			return
		}
		if in.Names != nil && len(in.Names) > len(params) {
			t.Fatalf("DecodeQuery(%q) made a list of %d from %d parameters", body, len(in.Names), len(params))
		}
	})
}
