package cli

import (
	"encoding/json"
	"testing"
)

// TestShorthand checks the parser against what the aws CLI's own parser
// (awscli/shorthand.py, ShorthandParser.parse) returns for the same input;
// an empty want is an input it refuses.
func TestShorthand(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"command=[sh,-c,\"echo a; echo b\"]", `{"command":["sh","-c","echo a; echo b"]}`},
		{"command=[sh,-c,'echo a, b']", `{"command":["sh","-c","echo a, b"]}`},
		{"command=echo,hi,environment=[{name=K,value=V}]", `{"command":["echo","hi"],"environment":[{"name":"K","value":"V"}]}`},
		{"command=echo,hi", `{"command":["echo","hi"]}`},
		{"a=b,c=d", `{"a":"b","c":"d"}`},
		{"a=b,c,d=e", `{"a":["b","c"],"d":"e"}`},
		{"command=[echo,\"a \\\"quoted\\\" word\"]", `{"command":["echo","a \"quoted\" word"]}`},
		{"environment=[{name=K,value=a b},{name=K2,value=x=y}]", `{"environment":[{"name":"K","value":"a b"},{"name":"K2","value":"x=y"}]}`},
		{"command=[a\\,b,c]", `{"command":["a,b","c"]}`},
		{"command=true", `{"command":"true"}`},
		{"a= spaced ,b=x", `{"a":"spaced","b":"x"}`},
		{"vcpus=2,memory=2048", `{"memory":"2048","vcpus":"2"}`},
		{"k={a=[1,2],b={c=d}}", `{"k":{"a":["1","2"],"b":{"c":"d"}}}`},
		{"a=", `{"a":""}`},
		{"x=[]", `{"x":[]}`},
		{"command=[\"a\",\"b\"]", `{"command":["a","b"]}`},
		{"command=[echo", ``},
		{"a=b,a=c", ``},
		{"nokey", ``},
		{"a=[x,\"unterminated]", ``},
		{"=b", `{"":"b"}`},
	} {
		got, err := parseShorthand(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("parseShorthand(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseShorthand(%q) = %v", tt.in, err)
			continue
		}
		b, _ := json.Marshal(got) // maps marshal with sorted keys, as the want is written
		if string(b) != tt.want {
			t.Errorf("parseShorthand(%q) = %s, want %s", tt.in, b, tt.want)
		}
	}
}
