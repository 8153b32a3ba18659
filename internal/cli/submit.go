package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// submit submits a job with the common options of aws batch submit-job,
// under the same names, and prints its ID.
func (c *command) submit(ctx context.Context, args []string) error {
	fs := c.flags()
	name := fs.String("job-name", "", "the job's name (required)")
	queue := fs.String("job-queue", "", "the job queue (required)")
	def := fs.String("job-definition", "", "the job definition: name, name:revision or ARN (required)")
	arraySize := fs.Int("array-size", 0, "submit an array job of this many children (2 to 10000)")
	params := fs.String("parameters", "", "parameters as k=v,k2=v2 or a JSON object")
	overrides := fs.String("container-overrides", "", `container overrides as JSON ({"command":[...],"environment":[{"name":..,"value":..}]}) or shorthand: command=[echo,hi],environment=[{name=K,value=V}]`)
	var deps stringList
	fs.Var(&deps, "depends-on", "a job this one waits for: ID, ID:N_TO_N, ID:SEQUENTIAL or jobId=ID,type=T (repeatable)")
	retries := fs.Int("retry-attempts", 0, "attempts in all, 1 to 10 (the job definition's when not given)")
	timeout := fs.String("timeout", "", "attempt duration limit: SECONDS or attemptDurationSeconds=SECONDS")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("barge submit takes no arguments, got %q (values with spaces need quotes)", pos)
	}
	if *name == "" || *queue == "" || *def == "" {
		return usagef("barge submit needs --job-name, --job-queue and --job-definition")
	}
	in := &batch.SubmitJobInput{JobName: name, JobQueue: queue, JobDefinition: def}
	if *arraySize != 0 {
		in.ArrayProperties = &types.ArrayProperties{Size: aws.Int32(int32(*arraySize))}
	}
	if *params != "" {
		if in.Parameters, err = parseParameters(*params); err != nil {
			return usagef("--parameters: %v", err)
		}
	}
	if *overrides != "" {
		if in.ContainerOverrides, err = parseContainerOverrides(*overrides); err != nil {
			return usagef("--container-overrides: %v", err)
		}
	}
	for _, d := range deps {
		dep, err := parseDependency(d)
		if err != nil {
			return usagef("--depends-on %s: %v", d, err)
		}
		in.DependsOn = append(in.DependsOn, dep)
	}
	if *retries != 0 {
		in.RetryStrategy = &types.RetryStrategy{Attempts: aws.Int32(int32(*retries))}
	}
	if *timeout != "" {
		s, err := strconv.Atoi(strings.TrimPrefix(*timeout, "attemptDurationSeconds="))
		if err != nil {
			return usagef("--timeout %s: want a number of seconds", *timeout)
		}
		in.Timeout = &types.JobTimeout{AttemptDurationSeconds: aws.Int32(int32(s))}
	}
	cl, err := c.connect(ctx)
	if err != nil {
		return err
	}
	var raw []byte
	out, err := cl.batch.SubmitJob(ctx, in, rawBody(&raw))
	if err != nil {
		return err
	}
	if c.json() {
		return printJSON(c.env.Stdout, json.RawMessage(raw))
	}
	// The ID alone, so that ID=$(barge submit ...) works.
	_, err = fmt.Fprintln(c.env.Stdout, aws.ToString(out.JobId))
	return err
}

// parseParameters reads k=v,k2=v2 or a JSON object of strings.
func parseParameters(s string) (map[string]string, error) {
	m := map[string]string{}
	if strings.HasPrefix(strings.TrimSpace(s), "{") {
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("want a JSON object of strings: %v", err)
		}
		return m, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q: want key=value", kv)
		}
		m[k] = v
	}
	return m, nil
}

// parseDependency reads ID, ID:TYPE or the aws CLI's jobId=ID,type=TYPE.
func parseDependency(s string) (types.JobDependency, error) {
	var id, typ string
	if strings.Contains(s, "=") {
		for _, kv := range strings.Split(s, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "jobId":
				id = v
			case "type":
				typ = v
			default:
				return types.JobDependency{}, fmt.Errorf("unknown key %q: want jobId and type", k)
			}
		}
	} else {
		id, typ, _ = strings.Cut(s, ":")
	}
	if id == "" {
		return types.JobDependency{}, fmt.Errorf("no job ID")
	}
	d := types.JobDependency{JobId: aws.String(id)}
	if typ != "" {
		d.Type = types.ArrayJobDependency(typ)
	}
	return d, nil
}

// overrideLists are the members of containerOverrides that are lists: a
// shorthand scalar there is a list of one.
var overrideLists = map[string]bool{"command": true, "environment": true, "resourceRequirements": true}

// overrideInts are the members of containerOverrides that are integers,
// which shorthand gives as strings.
var overrideInts = map[string]bool{"vcpus": true, "memory": true}

// parseContainerOverrides reads container overrides as JSON or as the aws
// CLI's shorthand (shorthand.go), into the SDK's type (whose member names
// JSON matches without regard to case). As the CLI does with the model, a
// scalar given for a list is a list of one and integers are converted.
func parseContainerOverrides(s string) (*types.ContainerOverrides, error) {
	doc := []byte(s)
	if !strings.HasPrefix(strings.TrimSpace(s), "{") {
		m, err := parseShorthand(s)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			if _, isList := v.([]any); overrideLists[k] && !isList {
				m[k] = []any{v}
			}
			if n, isString := v.(string); overrideInts[k] && isString {
				i, err := strconv.Atoi(n)
				if err != nil {
					return nil, fmt.Errorf("%s=%s: want an integer", k, n)
				}
				m[k] = i
			}
		}
		if doc, err = json.Marshal(m); err != nil {
			return nil, err
		}
	}
	var o types.ContainerOverrides
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("want JSON such as {\"command\":[\"echo\",\"hi\"],\"environment\":[{\"name\":\"K\",\"value\":\"V\"}]} or shorthand such as command=[echo,hi],environment=[{name=K,value=V}]: %v", err)
	}
	return &o, nil
}
