package barge

// IAM roles, shared by the IAM API and the store.

import (
	"strconv"
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

// ManagedPolicy is a managed policy: a customer managed policy of the
// account (CreatePolicy), or one of AWS's.
type ManagedPolicy struct {
	Name           string // unique in the account regardless of case
	ID             string // ANPA followed by 17 upper-case letters and digits
	Path           string
	ARN            string // arn:aws:iam::<account or "aws">:policy<Path><Name>
	Description    string
	DefaultVersion int // the n of the default version, v<n>
	Created        time.Time
	Updated        time.Time // when the default version last changed
	Tags           []RoleTag

	// AttachmentCount is the number of roles it is attached to.
	AttachmentCount int
}

// PolicyVersion is one version of a managed policy's document.
type PolicyVersion struct {
	Version   int    // v<n>
	Document  string // as the client sent it
	IsDefault bool
	Created   time.Time
}

// VersionID returns the version's ID as IAM names it: v1, v2, ...
func (v *PolicyVersion) VersionID() string { return "v" + strconv.Itoa(v.Version) }

// InstanceProfile is an IAM instance profile: a container for one role,
// which EC2 instances are launched with.
type InstanceProfile struct {
	Name    string // unique in the account regardless of case
	ID      string // AIPA followed by 17 upper-case letters and digits
	Path    string
	ARN     string // arn:aws:iam::<account>:instance-profile<Path><Name>
	Created time.Time
	Tags    []RoleTag
	Role    string // the name of the role it holds, or ""
}
