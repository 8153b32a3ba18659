package iam

import (
	"net/url"
	"testing"
)

func TestEncodeDocument(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": "b"}`, "%7B%22a%22%3A%20%22b%22%7D"},
		{"AZaz09-._~", "AZaz09-._~"},
		{"a+b*c/d\n", "a%2Bb%2Ac%2Fd%0A"},
		{"é", "%C3%A9"},
	}
	for _, tt := range tests {
		if got := encodeDocument(tt.in); got != tt.want {
			t.Errorf("encodeDocument(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// What clients do with it.
		if back, err := url.QueryUnescape(encodeDocument(tt.in)); err != nil || back != tt.in {
			t.Errorf("QueryUnescape(encodeDocument(%q)) = %q, %v", tt.in, back, err)
		}
	}
}
