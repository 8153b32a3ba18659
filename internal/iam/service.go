// Package iam serves the part of AWS Identity and Access Management that an
// AWS Batch on Fargate workflow uses, over awsQuery: roles with their trust
// policies, AWS managed policies attached to them, inline policies, tags and
// service-linked roles, with IAM's wire shapes, validation and errors.
//
// barge does not enforce IAM permissions on API calls. Roles matter where
// Fargate looks at them: a job whose execution role is missing, or does not
// trust ecs-tasks.amazonaws.com, cannot start (CheckExecutionRole).
package iam

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/bargehq/barge"

	"github.com/bargehq/barge/internal/awsproto"
)

// Store is what the IAM API needs from the durable store. Role names are
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

	PutRolePolicy(ctx context.Context, p *barge.InlinePolicy, maxSize int) error
	GetRolePolicy(ctx context.Context, role, policy string) (*barge.InlinePolicy, error)
	DeleteRolePolicy(ctx context.Context, role, policy string) error
	ListRolePolicies(ctx context.Context, role string) ([]string, error)
}

// IAM's quotas and defaults that barge applies.
const (
	maxManagedPoliciesPerRole = 10      // PoliciesPerRole, AWS's default
	maxInlinePolicySize       = 10240   // all inline policies of a role, white space not counted
	maxTrustPolicySize        = 2048    // ACLSizePerRole, AWS's default
	maxTagsPerRole            = 50      // also the most one request may carry
	defaultMaxSession         = 3600    // seconds
	maxRequestBody            = 1 << 20 // a 128 KiB document percent-encodes to under 400 KiB
)

// Config configures the IAM API.
type Config struct {
	Store   Store
	Account string // the account ID in role ARNs
	Log     *slog.Logger
	Now     func() time.Time
	// NewRoleID returns role IDs; the default makes AWS-like random ones:
	// AROA and 17 upper-case letters and digits.
	NewRoleID func() string
}

// Service implements the IAM operations.
type Service struct {
	store     Store
	account   string
	log       *slog.Logger
	now       func() time.Time
	newRoleID func() string
	proto     *awsproto.Query
}

// New returns the IAM API service.
func New(cfg Config) *Service {
	s := &Service{
		store:     cfg.Store,
		account:   cfg.Account,
		log:       cfg.Log,
		now:       cfg.Now,
		newRoleID: cfg.NewRoleID,
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
	s.proto = &awsproto.Query{
		Namespace: xmlns,
		Version:   apiVersion,
		MaxBody:   maxRequestBody,
		Errors:    &errorTable,
		Log:       s.log,
		Ints:      intRanges,
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
