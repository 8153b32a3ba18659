package iamservice

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bargehq/barge"
)

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"sts:assumerole", "sts:assumerole", true},
		{"sts:*", "sts:assumerole", true},
		{"*", "sts:assumerole", true},
		{"sts:assume*", "sts:assumerole", true},
		{"sts:assume?ole", "sts:assumerole", true},
		{"sts:*role", "sts:assumerole", true},
		{"sts:*r*le", "sts:assumerole", true},
		{"sts:assumerole*", "sts:assumerole", true},
		{"sts:tag*", "sts:assumerole", false},
		{"sts:assumerol", "sts:assumerole", false},
		{"sts:assumeroles", "sts:assumerole", false},
		{"s?s:*", "sts:x", true},
		{"", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		kind    policyKind
		wantErr string // "" for a valid document
	}{
		{"trust", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, trustPolicy, ""},
		{"no version, one statement object", `{"Statement":{"Sid":"x","Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"NotAction":"sts:*"}}`, trustPolicy, ""},
		{"old version", `{"Version":"2008-10-17","Id":"p","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","*"]},"Action":["sts:AssumeRole"]}]}`, trustPolicy, ""},
		{"identity", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::secret/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, identityPolicy, ""},
		{"syntax error", `{"Version" "2012-10-17"}`, trustPolicy, "at character 12"},
		{"trailing data", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}} {}`, trustPolicy, "after the policy's closing }"},
		{"null", `null`, trustPolicy, "Missing required field Statement"},
		{"string", `"policy"`, trustPolicy, "not a JSON string"},
		{"version not a string", `{"Version":2012,"Statement":[]}`, trustPolicy, "legacy parsing"},
		{"statement not an object", `{"Statement":"x"}`, trustPolicy, "Statement must be a statement object or a list"},
		{"statement list of strings", `{"Statement":["x"]}`, trustPolicy, "Statement must be a statement object or a list"},
		{"sid not a string", `{"Statement":{"Sid":1,"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, trustPolicy, "Sid must be a string"},
		{"principal string", `{"Statement":{"Effect":"Allow","Principal":"ecs-tasks.amazonaws.com","Action":"sts:AssumeRole"}}`, trustPolicy, "Invalid principal"},
		{"principal type", `{"Statement":{"Effect":"Allow","Principal":{"Services":"x"},"Action":"sts:AssumeRole"}}`, trustPolicy, `unknown principal type "Services"`},
		{"principal empty list", `{"Statement":{"Effect":"Allow","Principal":{"Service":[]},"Action":"sts:AssumeRole"}}`, trustPolicy, "must be a string or a list of strings"},
		{"both principals", `{"Statement":{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"sts:AssumeRole"}}`, trustPolicy, "both Principal and NotPrincipal"},
		{"both actions", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotAction":"sts:TagSession"}}`, trustPolicy, "both Action and NotAction"},
		{"action list empty", `{"Statement":{"Effect":"Allow","Principal":"*","Action":[]}}`, trustPolicy, "non-empty list of strings"},
		{"condition not an object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":"x"}}`, trustPolicy, "Condition must be an object"},
		{"identity without actions", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, identityPolicy, "must contain actions"},
		{"both resources", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"}}`, identityPolicy, "both Resource and NotResource"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePolicy(tt.doc, tt.kind)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("parsePolicy(%s) = %v, want it valid", tt.doc, err)
				}
				return
			}
			if barge.ErrorCodeOf(err) != EMalformedPolicy || !strings.Contains(barge.ErrorMessage(err), tt.wantErr) {
				t.Errorf("parsePolicy(%s) = %v, want MalformedPolicyDocument containing %q", tt.doc, err, tt.wantErr)
			}
		})
	}
}

func TestAllowsService(t *testing.T) {
	tests := []struct {
		doc  string
		want bool
	}{
		{`{"Statement":{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}}`, true},
		{`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}`, true},
		{`{"Statement":{"Effect":"Allow","NotPrincipal":{"Service":"batch.amazonaws.com"},"Action":"sts:AssumeRole"}}`, true},
		{`{"Statement":{"Effect":"Allow","NotPrincipal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}}`, false},
		{`{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}`, false},
		{`{"Statement":{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"NotAction":"sts:AssumeRole"}}`, false},
		{`{"Statement":{"Effect":"Deny","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}}`, false},
		{`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`, false},
	}
	for _, tt := range tests {
		p, err := parsePolicy(tt.doc, trustPolicy)
		if err != nil {
			t.Fatalf("parsePolicy(%s) = %v", tt.doc, err)
		}
		if got := p.allowsService("ecs-tasks.amazonaws.com", "sts:AssumeRole"); got != tt.want {
			t.Errorf("%s allows ecs-tasks.amazonaws.com sts:AssumeRole = %v, want %v", tt.doc, got, tt.want)
		}
	}
}

func TestParseRoleARN(t *testing.T) {
	tests := []struct {
		arn                 string
		account, path, name string
		ok                  bool
	}{
		{"arn:aws:iam::123456789012:role/r", "123456789012", "/", "r", true},
		{"arn:aws:iam::123456789012:role/service-role/a/b", "123456789012", "/service-role/a/", "b", true},
		{"arn:aws:iam::123456789012:role/", "", "", "", false},
		{"arn:aws:iam::123456789012:role/path/", "", "", "", false},
		{"arn:aws:iam::123456789012:user/u", "", "", "", false},
		{"arn:aws:iam:us-east-1:123456789012:role/r", "", "", "", false},
		{"arn:aws:iam:::role/r", "", "", "", false},
		{"arn:aws:iam::123456789012:role/bad name", "", "", "", false},
		{"r", "", "", "", false},
	}
	for _, tt := range tests {
		account, path, name, ok := parseRoleARN(tt.arn)
		if account != tt.account || path != tt.path || name != tt.name || ok != tt.ok {
			t.Errorf("parseRoleARN(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tt.arn, account, path, name, ok, tt.account, tt.path, tt.name, tt.ok)
		}
	}
}

func TestRandomRoleID(t *testing.T) {
	re := regexp.MustCompile(`^AROA[A-Z0-9]{17}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := randomRoleID()
		if !re.MatchString(id) {
			t.Fatalf("randomRoleID() = %q, want AROA and 17 upper-case letters and digits", id)
		}
		if seen[id] {
			t.Fatalf("randomRoleID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestCheckPath(t *testing.T) {
	for path, ok := range map[string]bool{
		"/": true, "/a/": true, "/service-role/x.y/": true, "/a//b/": true,
		"": false, "a": false, "/a": false, "a/": false, "//": false, "/a b/": false, "/é/": false, "/" + strings.Repeat("a", 511) + "/": false,
	} {
		if err := checkPath(path); (err == nil) != ok {
			t.Errorf("checkPath(%q) = %v, want ok %v", path, err, ok)
		}
	}
}
