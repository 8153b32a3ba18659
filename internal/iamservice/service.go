// Package iamservice is the part of AWS Identity and Access Management that
// an AWS Batch workflow and the tools around it use, without the wire: roles
// with their trust policies, inline policies, tags and service-linked
// roles; customer managed policies with their versions and the AWS managed
// policies barge knows, attached to roles; instance profiles. It applies
// IAM's validation, quotas and error messages, taking and returning typed
// values. The IAM API (internal/iam)
// decodes awsQuery requests into calls of this package and encodes what it
// returns.
//
// barge does not enforce IAM permissions on API calls. Roles matter where
// Fargate looks at them: a job whose execution role is missing, or does not
// trust ecs-tasks.amazonaws.com, cannot start (CheckExecutionRole).
package iamservice

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/bargehq/barge"
)

// Store is what the IAM service needs from the durable store. Role names are
// matched regardless of case. Errors are barge errors: ENotFound for a
// missing role or policy, EConflict for a duplicate role or, from DeleteRole,
// policies still in the role, ELimit for a quota, with IAM's messages.
type Store interface {
	CreateRole(ctx context.Context, r *barge.Role) error
	GetRole(ctx context.Context, name string) (*barge.Role, error)
	ListRoles(ctx context.Context, pathPrefix, after string, limit int) ([]*barge.Role, error)
	UpdateRole(ctx context.Context, name string, fn func(*barge.Role) error) (*barge.Role, error)
	DeleteRole(ctx context.Context, name string) error

	AttachRolePolicy(ctx context.Context, role, policyARN string, limit int) error
	DetachRolePolicy(ctx context.Context, role, policyARN string) error
	ListAttachedRolePolicies(ctx context.Context, role string) ([]string, error)

	ListInstanceProfilesForRole(ctx context.Context, role string) ([]*barge.InstanceProfile, error)

	PutRolePolicy(ctx context.Context, p *barge.InlinePolicy, maxSize int) error
	GetRolePolicy(ctx context.Context, role, policy string) (*barge.InlinePolicy, error)
	DeleteRolePolicy(ctx context.Context, role, policy string) error
	ListRolePolicies(ctx context.Context, role string) ([]string, error)

	CreateManagedPolicy(ctx context.Context, p *barge.ManagedPolicy, document string) error
	GetManagedPolicy(ctx context.Context, arn string) (*barge.ManagedPolicy, error)
	ListManagedPolicies(ctx context.Context, pathPrefix, after string, limit int) ([]*barge.ManagedPolicy, error)
	DeleteManagedPolicy(ctx context.Context, arn string) error
	CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool, at time.Time, max int) (*barge.PolicyVersion, error)
	GetPolicyVersion(ctx context.Context, arn string, n int) (*barge.PolicyVersion, error)
	ListPolicyVersions(ctx context.Context, arn string) ([]*barge.PolicyVersion, error)
	DeletePolicyVersion(ctx context.Context, arn string, n int) error
	SetDefaultPolicyVersion(ctx context.Context, arn string, n int, at time.Time) error
	ListPolicyRoles(ctx context.Context, policyARN string) ([]*barge.Role, error)

	CreateInstanceProfile(ctx context.Context, p *barge.InstanceProfile) error
	GetInstanceProfile(ctx context.Context, name string) (*barge.InstanceProfile, error)
	ListInstanceProfiles(ctx context.Context, pathPrefix, after string, limit int) ([]*barge.InstanceProfile, error)
	DeleteInstanceProfile(ctx context.Context, name string) error
	AddRoleToInstanceProfile(ctx context.Context, profile, role string) error
	RemoveRoleFromInstanceProfile(ctx context.Context, profile, role string) error
}

// IAM's quotas and defaults that barge applies.
const (
	maxManagedPoliciesPerRole = 10    // PoliciesPerRole, AWS's default
	maxInlinePolicySize       = 10240 // all inline policies of a role, white space not counted
	maxTrustPolicySize        = 2048  // ACLSizePerRole, AWS's default
	maxTagsPerRole            = 50    // also the most one request may carry
	defaultMaxSession         = 3600  // seconds
	maxManagedPolicySize      = 6144  // PolicySize: a managed policy's document, white space not counted
	maxPolicyVersions         = 5     // versions of a managed policy
)

// Config configures the IAM service.
type Config struct {
	Store   Store
	Account string // the account ID in role ARNs
	// Partition starts every ARN (arn:<partition>:iam::...): aws, or
	// aws-cn or aws-us-gov for a server in those partitions' regions.
	// Empty is aws.
	Partition string
	Log       *slog.Logger
	Now       func() time.Time
	// NewRoleID returns role IDs; the default makes AWS-like random ones:
	// AROA and 17 upper-case letters and digits.
	NewRoleID func() string
	// NewID returns the unique part of deletion task IDs; the default is
	// crypto/rand's Text.
	NewID func() string
}

// Service implements the IAM operations on typed values.
type Service struct {
	store     Store
	account   string
	partition string
	log       *slog.Logger
	now       func() time.Time
	newRoleID func() string
	newID     func() string
}

// New returns the IAM service.
func New(cfg Config) *Service {
	s := &Service{
		store:     cfg.Store,
		account:   cfg.Account,
		partition: cfg.Partition,
		log:       cfg.Log,
		now:       cfg.Now,
		newRoleID: cfg.NewRoleID,
		newID:     cfg.NewID,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newRoleID == nil {
		s.newRoleID = randomRoleID
	}
	if s.newID == nil {
		s.newID = rand.Text
	}
	if s.partition == "" {
		s.partition = "aws"
	}
	return s
}

// randomRoleID returns "AROA" and 17 random upper-case letters and digits,
// the shape of AWS's role IDs.
func randomRoleID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	id := []byte("AROA")
	var b [32]byte
	for len(id) < 21 {
		rand.Read(b[:])
		for _, c := range b {
			// 252 is the largest multiple of 36 under 256: taking only
			// bytes below it keeps every character equally likely.
			if c < 252 && len(id) < 21 {
				id = append(id, alphabet[c%36])
			}
		}
	}
	return string(id)
}

// IAM tells apart more client errors than barge's neutral codes do, and SDK
// users branch on them (EntityAlreadyExists and DeleteConflict are both
// conflicts, MalformedPolicyDocument and InvalidInput both bad input), so
// the service has codes of its own, which the IAM API maps to IAM's.
const (
	EInvalidInput        barge.ErrorCode = "iam_invalid_input"
	EMalformedPolicy     barge.ErrorCode = "iam_malformed_policy"
	EDeleteConflict      barge.ErrorCode = "iam_delete_conflict"
	EUnmodifiable        barge.ErrorCode = "iam_unmodifiable"
	EPolicyNotAttachable barge.ErrorCode = "iam_policy_not_attachable"
)

// Page is a page of a listing and the Marker of the next page, "" when this
// is the last.
type Page[T any] struct {
	Items  []T
	Marker string
}

// ListInput is where a listing starts (Marker, "" for the first page) and
// how many items a page may hold (MaxItems: 1 to 1000, 100 when nil).
type ListInput struct {
	Marker   string
	MaxItems *int
}
