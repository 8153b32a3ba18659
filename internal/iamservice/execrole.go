package iamservice

import (
	"context"
	"strings"

	"github.com/bargehq/barge"
)

// The service principal of ECS tasks (Fargate included): it assumes a
// task's execution role to pull the image and send the logs.
const (
	ecsTasksPrincipal = "ecs-tasks.amazonaws.com"
	assumeRoleAction  = "sts:AssumeRole"
)

// CheckExecutionRole reports why a Fargate task using roleArn as its
// execution role could not start, or "" if it can: the role must exist and
// its trust policy must let ecs-tasks.amazonaws.com call sts:AssumeRole. The
// reason reads as AWS's do (ResourceInitializationError: ...) and says what
// to fix. A task without an execution role (roleArn "") can start. err is
// for failures to read the role, not for a role that fails the check.
func (s *Service) CheckExecutionRole(ctx context.Context, roleArn string) (reason string, err error) {
	if roleArn == "" {
		return "", nil
	}
	// Each reason names the role and says what to do within AWS's 255
	// characters (barge.FitReason shortens long ARNs and names, never the
	// fix).
	fail := func(format string, args ...any) string {
		return barge.FitReason("ResourceInitializationError: cannot assume execution role %s: "+format, append([]any{roleArn}, args...)...)
	}
	account, path, name, ok := parseRoleARN(roleArn)
	if !ok {
		return fail("it is not an IAM role ARN (arn:%s:iam::%s:role/<name>). Correct executionRoleArn.", s.partition, s.account), nil
	}
	if p := strings.SplitN(roleArn, ":", 3)[1]; p != s.partition {
		return fail("the role does not exist: the ARN is of partition %s; this server's region is in %s. Correct executionRoleArn.", p, s.partition), nil
	}
	if account != s.account {
		return fail("the role does not exist: the ARN names account %s; this server's account is %s. Correct executionRoleArn.", account, s.account), nil
	}
	r, err := s.store.GetRole(ctx, name)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return fail("the role does not exist. Create it trusting "+ecsTasksPrincipal+" (aws iam create-role --role-name %s) or fix the ARN.", name), nil
	}
	if err != nil {
		return "", err
	}
	if r.Path != path {
		return fail("the role does not exist: role %s has path %s. Set executionRoleArn to %s.", r.Name, r.Path, r.ARN), nil
	}
	p, err := parsePolicy(r.AssumeRolePolicy, trustPolicy)
	if err != nil {
		// Stored trust policies were checked when they were set; one that no
		// longer parses trusts no one.
		p = &policy{}
	}
	if !p.allowsService(ecsTasksPrincipal, assumeRoleAction) {
		return fail("its trust policy does not allow " + ecsTasksPrincipal + " to call " + assumeRoleAction + ". Add that to it (aws iam update-assume-role-policy)."), nil
	}
	return "", nil
}

// parseRoleARN splits arn:<partition>:iam::<account>:role<path><name>.
func parseRoleARN(arn string) (account, path, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !validPartition(parts[1]) || parts[2] != "iam" || parts[3] != "" || parts[4] == "" {
		return "", "", "", false
	}
	rest, ok := strings.CutPrefix(parts[5], "role/")
	if !ok || rest == "" || strings.HasSuffix(rest, "/") {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	path, name = "/"+rest[:i+1], rest[i+1:]
	if checkRoleName(name) != nil {
		return "", "", "", false
	}
	return parts[4], path, name, true
}
