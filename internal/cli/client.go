package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// DefaultEndpoint is the server the CLI talks to when neither a flag, the
// environment nor the profile names one: barge server's default address.
const DefaultEndpoint = "http://127.0.0.1:8420"

// defaultRegion is barge server's default region, used when nothing sets one.
const defaultRegion = "us-east-1"

// clients are the SDK clients of one command run.
type clients struct {
	cfg      aws.Config
	batch    *batch.Client
	logs     *cloudwatchlogs.Client
	ecs      *ecs.Client // what runs on each compute environment, as AWS Batch's ECS clusters show it
	endpoint string      // the Batch endpoint in use
}

// connect loads the AWS configuration the way the aws CLI does and makes
// the clients: the SDK reads AWS_* variables, the shared config and
// credentials files and --profile; --endpoint and --region win over them.
// With no AWS credentials anywhere, BARGE_ACCESS_KEY_ID and
// BARGE_SECRET_ACCESS_KEY (what barge server takes) are used.
func (c *command) connect(ctx context.Context) (*clients, error) {
	if c.clients != nil {
		return c.clients, nil
	}
	var opts []func(*config.LoadOptions) error
	if c.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.profile))
	}
	if c.region != "" {
		opts = append(opts, config.WithRegion(c.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, usagef("loading the AWS configuration: %v", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	if !awsCredentialsConfigured(c.profile) {
		// Nothing the aws CLI would use: barge's own variables, or a clear
		// word rather than the SDK's minutes-later complaint about the EC2
		// instance metadata service (whose roles barge never accepts).
		id, secret := c.env.Getenv("BARGE_ACCESS_KEY_ID"), c.env.Getenv("BARGE_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			return nil, usagef("no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a profile) to the key pair barge server was given in BARGE_ACCESS_KEY_ID/BARGE_SECRET_ACCESS_KEY or printed on its first start, or set those BARGE_ variables here")
		}
		cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	}
	cl := &clients{cfg: cfg}
	endpoint := func(base **string) {
		switch {
		case c.endpoint != "":
			*base = aws.String(c.endpoint)
		case *base == nil:
			*base = aws.String(DefaultEndpoint)
		}
	}
	cl.batch = batch.NewFromConfig(cfg, func(o *batch.Options) {
		endpoint(&o.BaseEndpoint)
		cl.endpoint = *o.BaseEndpoint
	})
	cl.logs = cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { endpoint(&o.BaseEndpoint) })
	cl.ecs = ecs.NewFromConfig(cfg, func(o *ecs.Options) { endpoint(&o.BaseEndpoint) })
	c.clients = cl
	return cl, nil
}

// awsCredentialsConfigured reports whether the environment or the shared
// files give AWS credentials, without asking the instance metadata service
// (which a laptop does not have, and which takes seconds to say so).
func awsCredentialsConfigured(profile string) bool {
	if os.Getenv("AWS_ACCESS_KEY_ID") != "" || os.Getenv("AWS_PROFILE") != "" || profile != "" ||
		os.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "" || os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") != "" ||
		os.Getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != "" {
		return true
	}
	files := map[string]string{"AWS_SHARED_CREDENTIALS_FILE": config.DefaultSharedCredentialsFilename(), "AWS_CONFIG_FILE": config.DefaultSharedConfigFilename()}
	for env, file := range files {
		if v := os.Getenv(env); v != "" {
			file = v
		}
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, key := range []string{"aws_access_key_id", "credential_process", "sso_", "role_arn"} {
			if bytes.Contains(b, []byte(key)) {
				return true
			}
		}
	}
	return false
}

// rawBody returns an SDK option that copies the operation's raw response
// body into *dst. The SDK's types drop fields they do not model, such as
// barge's bargeCost, and --output json prints what the server sent, as
// the aws CLI does.
func rawBody(dst *[]byte) func(*batch.Options) {
	return func(o *batch.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			// Added last to the deserialize step, it runs innermost: it sees
			// the response before the operation's deserializer reads it.
			return s.Deserialize.Add(middleware.DeserializeMiddlewareFunc("bargeRawBody",
				func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleDeserialize(ctx, in)
					if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
						b, rerr := io.ReadAll(resp.Body)
						resp.Body.Close()
						if rerr != nil {
							return out, md, rerr
						}
						*dst = b
						resp.Body = io.NopCloser(bytes.NewReader(b))
					}
					return out, md, err
				}), middleware.After)
		})
	}
}

// call sends a SigV4-signed restJson1 request for a barge extension route
// (one the SDK does not know) and decodes its JSON answer into out.
func (cl *clients) call(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(cl.endpoint, "/")+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	creds, err := cl.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "batch", cl.cfg.Region, time.Now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		json.Unmarshal(b, &e)
		return &smithy.GenericAPIError{Code: strings.Split(resp.Header.Get("X-Amzn-ErrorType"), ":")[0], Message: fmt.Sprintf("%s (HTTP %d)", e.Message, resp.StatusCode)}
	}
	return json.Unmarshal(b, out)
}

// isConnectionError reports whether err means the server was not reached
// or would not let the client in, rather than refused one request.
func isConnectionError(err error) bool {
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature",
			"MissingAuthenticationToken", "SignatureDoesNotMatch", "InvalidClientTokenId", "AccessDeniedException":
			return true
		}
		return false
	}
	// No credentials at all, or an endpoint that is not a URL.
	return strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "resolve endpoint")
}

// unreachableError is a server that could not be reached at all.
type unreachableError struct {
	endpoint string
	err      error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("cannot reach a barge server at %s (%s): start one with `barge server`, or give its URL with --endpoint URL.", e.endpoint, reachCause(e.err))
}

func (e *unreachableError) Unwrap() error { return e.err }

// isUnreachable reports whether err means no server answered: the
// connection was refused or timed out, or the host is unknown.
func isUnreachable(err error) bool {
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &oe) || errors.As(err, &de)
}

// reachCause says in a few words why a server was not reached.
func reachCause(err error) string {
	var errno syscall.Errno
	var de *net.DNSError
	switch {
	case errors.As(err, &de):
		return "no such host " + de.Name
	case errors.As(err, &errno):
		return errno.Error()
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return "no answer"
}
