package awsproto

import (
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testRanges = `{"operations":{"Op":[
 {"path":"n","type":"integer","min":1,"max":100},
 {"path":"big","type":"long"},
 {"path":"list[].inner.v","type":"integer"},
 {"path":"m{}","type":"integer","min":0}
]}}`

func TestIntRangesCheckJSON(t *testing.T) {
	r := MustParseIntRanges([]byte(testRanges))
	for _, tc := range []struct {
		body string
		want string // a fragment of the error; "" for none
	}{
		{`{"n":1,"big":9223372036854775807}`, ""},
		{`{"n":0}`, "n 0 is not valid: it must be between 1 and 100"},
		{`{"n":101}`, "n 101 is not valid: it must be between 1 and 100"},
		{`{"m":{"a":-1}}`, "m.a -1 is not valid: it must be greater than or equal to 0"},
		{`{"n":1,"n":9300000000}`, "n 9300000000"}, // the decoder keeps the last
		{`{"N":0}`, "N 0 is not valid"},            // the decoder matches names without regard to case
		{`{"\u004e":0}`, "N 0 is not valid"},       // found by FuzzIntRangesCheckJSON
		{`{"LIST":[{"Inner":{"V":2147483648}}]}`, "2147483648"},
		{`{"n":1.5}`, "whole number"},
		{`{"n":1e2}`, "whole number"},
		{`{"big":9223372036854775808}`, "a Long from"},
		{`{"list":[{"inner":{"v":1}},{"inner":{"v":2147483648}}]}`, "list[1].inner.v 2147483648"},
		{`{"m":{"a":1,"b":-1}}`, "m.b -1"},
		{`{"n":2147483648}`, "it must be an Integer from -2147483648 to 2147483647"},
		{`{"other":{"n":0},"n":"text"}`, ""}, // other members and wrong types are the decoder's
		{``, ""},
		{`{"n":`, "not valid JSON"},
	} {
		err := r.CheckJSON("Op", []byte(tc.body))
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckJSON(%s) = %v, want %q", tc.body, err, tc.want)
		}
	}
	if err := r.CheckJSON("OtherOp", []byte(`{"n":0}`)); err != nil {
		t.Errorf("CheckJSON of an operation not in the table = %v, want nil", err)
	}
	var none *IntRanges
	if err := none.CheckJSON("Op", []byte(`{"n":0}`)); err != nil {
		t.Errorf("nil table: CheckJSON = %v, want nil", err)
	}
}

func TestIntRangesCheckQuery(t *testing.T) {
	r := MustParseIntRanges([]byte(strings.Replace(testRanges, "{", `{"protocol":"query",`, 1)))
	for _, tc := range []struct {
		params url.Values
		want   string
	}{
		{url.Values{"n": {"5"}}, ""},
		{url.Values{"n": {"500"}}, "1 validation error detected: Value '500' at 'n' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{url.Values{"list.member.2.inner.v": {"2147483648"}}, "list.member.2.inner.v"},
		{url.Values{"m.entry.1.key": {"k"}, "m.entry.1.value": {"-3"}}, "Value '-3' at 'm.entry.1.value'"},
		{url.Values{"Action": {"Op"}}, ""},
	} {
		err := r.CheckQuery("Op", tc.params)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckQuery(%v) = %v, want %q", tc.params, err, tc.want)
		}
	}
}

// TestIntRangesCheckEC2Query: EC2's query protocol flattens lists (Name.N)
// and words a value out of range as Batch does, not as AWS's validation
// layer.
func TestIntRangesCheckEC2Query(t *testing.T) {
	r := MustParseIntRanges([]byte(strings.Replace(testRanges, "{", `{"protocol":"ec2",`, 1)))
	for _, tc := range []struct {
		params url.Values
		want   string
	}{
		{url.Values{"n": {"5"}, "list.1.inner.v": {"7"}}, ""},
		{url.Values{"n": {"500"}}, "n 500 is not valid: it must be between 1 and 100"},
		{url.Values{"list.2.inner.v": {"2147483648"}}, "list.2.inner.v 2147483648"},
		{url.Values{"list.member.2.inner.v": {"2147483648"}}, ""}, // not EC2's spelling: no such member
		{url.Values{"Action": {"Op"}}, ""},
	} {
		err := r.CheckQuery("Op", tc.params)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckQuery(%v) = %v, want %q", tc.params, err, tc.want)
		}
	}
}

// FuzzIntRangesCheckJSON feeds arbitrary bodies to the range check: it must
// not panic, and a body it lets through must not decode to a number out of
// range, whatever tricks (duplicate names, escapes, nesting) it plays.
func FuzzIntRangesCheckJSON(f *testing.F) {
	r := MustParseIntRanges([]byte(testRanges))
	for _, seed := range []string{`{"n":5}`, `{"n":1,"n":101}`, `{"\u006e":0}`, `{"list":[{"inner":{"v":1}}]}`, `{"m":{"a":-1}}`, `{"n":1e2}`, ``} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if r.CheckJSON("Op", body) != nil {
			return
		}
		var in struct {
			N    *int64 `json:"n"`
			List []struct {
				Inner struct {
					V *int64 `json:"v"`
				} `json:"inner"`
			} `json:"list"`
			M map[string]int64 `json:"m"`
		}
		if DecodeJSON(body, &in) != nil {
			return
		}
		if in.N != nil && (*in.N < 1 || *in.N > 100) {
			t.Fatalf("CheckJSON(%q) let n = %d through, want 1 to 100", body, *in.N)
		}
		for _, e := range in.List {
			if e.Inner.V != nil && (*e.Inner.V > math.MaxInt32 || *e.Inner.V < math.MinInt32) {
				t.Fatalf("CheckJSON(%q) let list[].inner.v = %d through", body, *e.Inner.V)
			}
		}
		for k, v := range in.M {
			if v < 0 {
				t.Fatalf("CheckJSON(%q) let m.%s = %d through, want at least 0", body, k, v)
			}
		}
	})
}

// BenchmarkCheckJSONSubmitJob measures the range check on a typical
// SubmitJob body against Batch's real table: the cost it adds to every
// submission.
func BenchmarkCheckJSONSubmitJob(b *testing.B) {
	table, err := os.ReadFile(filepath.Join("..", "batch", "intranges.json"))
	if err != nil {
		b.Fatal(err)
	}
	r := MustParseIntRanges(table)
	body := []byte(`{"jobName":"nightly-report","jobQueue":"default","jobDefinition":"report:3","arrayProperties":{"size":100},` +
		`"containerOverrides":{"command":["python","report.py","--day","2026-01-01"],"environment":[{"name":"STAGE","value":"prod"}],` +
		`"resourceRequirements":[{"type":"VCPU","value":"1"},{"type":"MEMORY","value":"2048"}]},` +
		`"retryStrategy":{"attempts":3},"timeout":{"attemptDurationSeconds":3600},"tags":{"team":"data"},"parameters":{"day":"2026-01-01"}}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.CheckJSON("SubmitJob", body); err != nil {
			b.Fatal(err)
		}
	}
}
