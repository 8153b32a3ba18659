package logservice

import "testing"

func TestParsePattern(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		miss    []string
	}{
		{"", []string{"", "anything"}, nil},
		{"  ", []string{"anything"}, nil},
		{"a b", []string{"a b", "b a", "xaxbx"}, []string{"a", "b", "A B"}},
		{`"a b"`, []string{"xa bx"}, []string{"b a", "a  b"}},
		{`"a:b" c`, []string{"c a:b"}, []string{"a:b"}},
		{"?a ?b", []string{"a", "b", "ab"}, []string{"c"}},
		{"x ?a ?b", []string{"x a"}, []string{"x", "a"}},
		{"a -b", []string{"a"}, []string{"a b"}},
		{`-"a b"`, []string{"a", "b a"}, []string{"a b"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			match, err := parsePattern(tt.pattern)
			if err != nil {
				t.Fatalf("parsePattern(%q) = %v", tt.pattern, err)
			}
			for _, m := range tt.match {
				if match != nil && !match(m) {
					t.Errorf("pattern %q does not match %q, want a match", tt.pattern, m)
				}
			}
			for _, m := range tt.miss {
				if match == nil || match(m) {
					t.Errorf("pattern %q matches %q, want no match", tt.pattern, m)
				}
			}
		})
	}
	for _, bad := range []string{`{ $.a = 1 }`, `[ip, user]`, `%ERR.*%`, `"open`} {
		if _, err := parsePattern(bad); err == nil {
			t.Errorf("parsePattern(%q) succeeded, want an error", bad)
		}
	}
}
