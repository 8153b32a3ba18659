package barge

// IAM roles, shared by the IAM API and the store.

import (
	"time"
	"unicode"
)

// Role is an IAM role.
type Role struct {
	Name string // unique in the account regardless of case; kept as created
	ID   string // AROA followed by 17 upper-case letters and digits
	Path string // "/" or "/a/b/"
	ARN  string // arn:aws:iam::<account>:role<Path><Name>

	Created time.Time

	// AssumeRolePolicy is the trust policy document, exactly as the client
	// sent it: IAM returns documents as written, whitespace included.
	AssumeRolePolicy string

	Description         string
	MaxSessionDuration  int       // seconds
	PermissionsBoundary string    // a managed policy ARN, or ""
	Tags                []RoleTag // in the order they were added
}

// RoleTag is a key and value attached to a role. Keys are unique in a role
// regardless of case.
type RoleTag struct {
	Key   string
	Value string
}

// InlinePolicy is a policy document embedded in one role (PutRolePolicy).
type InlinePolicy struct {
	RoleName string // the role's name as created
	Name     string
	Document string // as the client sent it
}

// PolicySize is the size IAM counts against a role's inline-policy quota:
// the document's characters other than white space.
func PolicySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
