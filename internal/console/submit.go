package console

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
)

// submitData is the submit form: what was typed, as typed, so that a
// refused submission comes back with everything still filled in.
type submitData struct {
	Definition string   // the chosen definition's ARN or name:revision
	Defs       []string // the active definitions to choose from (first page)
	Queues     []string
	Name       string
	Queue      string
	ArraySize  string // arrayProperties.size; "" submits a single job
	VCPU       string // containerOverrides.resourceRequirements VCPU
	Memory     string // containerOverrides.resourceRequirements MEMORY (MiB)
	Command    string // one argument per line
	Env        string // NAME=value per line
	Attempts   string // retryStrategy.attempts
	Timeout    string // timeout.attemptDurationSeconds
	DependsOn  string // one dependency per line: JOB_ID [TYPE], or SEQUENTIAL
	Error      string
	Def        defDefaults // what the chosen definition gives where the form is left blank
}

// defDefaults are a job definition's values, shown in the blank fields of
// the submit form.
type defDefaults struct {
	Found                                    bool
	VCPU, Memory, Command, Attempts, Timeout string
}

func (c *Console) submitForm(r *http.Request, d *submitData) error {
	qs, err := c.allQueues(r.Context())
	if err != nil {
		return err
	}
	for _, q := range qs {
		d.Queues = append(d.Queues, q.Name)
	}
	hundred := 100
	page, err := c.cfg.Batch.DescribeJobDefinitions(r.Context(), &control.DescribeJobDefinitionsInput{Status: barge.JobDefinitionActive, MaxResults: &hundred})
	if err != nil {
		return err
	}
	for _, jd := range page.Items {
		d.Defs = append(d.Defs, c.cfg.Scope.JobDefinitionARN(jd.Name, jd.Revision))
	}
	d.Def = c.defDefaults(r.Context(), d.Definition)
	return nil
}

// defDefaults returns the values of job definition ref (a name, whose
// latest active revision SubmitJob would use, name:revision or an ARN);
// none when it is not found.
func (c *Console) defDefaults(ctx context.Context, ref string) defDefaults {
	if ref == "" {
		return defDefaults{}
	}
	in := &control.DescribeJobDefinitionsInput{JobDefinitions: []string{ref}}
	if !strings.Contains(resourceName(ref), ":") {
		in = &control.DescribeJobDefinitionsInput{JobDefinitionName: ref, Status: barge.JobDefinitionActive}
	}
	page, err := c.cfg.Batch.DescribeJobDefinitions(ctx, in)
	if err != nil || len(page.Items) == 0 {
		return defDefaults{}
	}
	jd := page.Items[0]
	for _, o := range page.Items[1:] {
		if o.Revision > jd.Revision {
			jd = o
		}
	}
	out := defDefaults{Found: true}
	if cp := jd.ContainerProperties; cp != nil {
		out.VCPU, out.Memory = cp.Requirement(barge.ResourceVCPU), cp.Requirement(barge.ResourceMemory)
		if out.VCPU == "" && cp.Vcpus != nil {
			out.VCPU = strconv.Itoa(*cp.Vcpus)
		}
		if out.Memory == "" && cp.Memory != nil {
			out.Memory = strconv.Itoa(*cp.Memory)
		}
		out.Command = strings.Join(cp.Command, "\n")
	}
	if rs := jd.RetryStrategy; rs != nil && rs.Attempts != nil {
		out.Attempts = strconv.Itoa(*rs.Attempts)
	}
	if to := jd.Timeout; to != nil && to.AttemptDurationSeconds != nil {
		out.Timeout = strconv.Itoa(*to.AttemptDurationSeconds)
	}
	return out
}

func (c *Console) submitPage(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := submitData{Definition: q.Get("definition"), Queue: q.Get("queue"), DependsOn: q.Get("dependsOn")}
	if err := c.submitForm(r, &d); err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, s, "submit", http.StatusOK, d)
}

// submit submits a job through SubmitJob, so every rule and message is
// the API's. The form's own parsing (numbers, NAME=value lines) refuses
// what the API could not have been sent, in the API's words.
func (c *Console) submit(w http.ResponseWriter, r *http.Request, s *session) {
	d := submitData{
		Definition: strings.TrimSpace(r.PostFormValue("definition")),
		Name:       strings.TrimSpace(r.PostFormValue("name")),
		Queue:      r.PostFormValue("queue"),
		ArraySize:  strings.TrimSpace(r.PostFormValue("arraySize")),
		VCPU:       strings.TrimSpace(r.PostFormValue("vcpu")),
		Memory:     strings.TrimSpace(r.PostFormValue("memory")),
		Command:    r.PostFormValue("command"),
		Env:        r.PostFormValue("env"),
		Attempts:   strings.TrimSpace(r.PostFormValue("attempts")),
		Timeout:    strings.TrimSpace(r.PostFormValue("timeout")),
		DependsOn:  r.PostFormValue("dependsOn"),
	}
	in, err := d.input()
	if err == nil {
		var job *barge.Job
		if job, err = c.cfg.Batch.SubmitJob(r.Context(), in); err == nil {
			http.Redirect(w, r, "/console/jobs/"+url.PathEscape(job.ID)+"?flash="+url.QueryEscape("Job submitted."), http.StatusSeeOther)
			return
		}
	}
	var be *barge.Error
	if !asBarge(err, &be) || be.Code == barge.EInternal {
		c.fail(w, r, s, err)
		return
	}
	d.Error = be.Message
	if err := c.submitForm(r, &d); err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, s, "submit", http.StatusBadRequest, d)
}

// input returns the SubmitJob request the form asks for. Blank fields are
// left out, so the job definition's values apply.
func (d *submitData) input() (*control.SubmitJobInput, error) {
	in := &control.SubmitJobInput{JobName: d.Name, JobQueue: d.Queue, JobDefinition: d.Definition}
	size, err := formInt("arrayProperties.size", d.ArraySize)
	if err != nil {
		return nil, err
	}
	if size != nil {
		in.ArrayProperties = &control.ArrayProperties{Size: size}
	}

	var o barge.ContainerOverrides
	for _, rr := range []struct {
		t barge.ResourceType
		v string
	}{{barge.ResourceVCPU, d.VCPU}, {barge.ResourceMemory, d.Memory}} {
		if rr.v != "" {
			o.ResourceRequirements = append(o.ResourceRequirements, barge.ResourceRequirement{Type: rr.t, Value: rr.v})
		}
	}
	o.Command = lines(d.Command)
	for _, l := range lines(d.Env) {
		name, value, ok := strings.Cut(l, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, barge.Errorf(barge.EInvalid, "containerOverrides.environment: each line is NAME=value; got %q.", l)
		}
		o.Environment = append(o.Environment, barge.KeyValuePair{Name: &name, Value: &value})
	}
	if o.ResourceRequirements != nil || o.Command != nil || o.Environment != nil {
		in.ContainerOverrides = &o
	}

	attempts, err := formInt("retryStrategy.attempts", d.Attempts)
	if err != nil {
		return nil, err
	}
	if attempts != nil {
		in.RetryStrategy = &barge.RetryStrategy{Attempts: attempts}
	}
	timeout, err := formInt("timeout.attemptDurationSeconds", d.Timeout)
	if err != nil {
		return nil, err
	}
	if timeout != nil {
		in.Timeout = &barge.JobTimeout{AttemptDurationSeconds: timeout}
	}
	in.DependsOn, err = dependencies(d.DependsOn)
	return in, err
}

// formInt reads an optional whole number of the form; field is its name in
// SubmitJob. The message is the Batch API's for a member of the wrong type.
func formInt(field, s string) (*int, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, barge.Errorf(barge.EInvalid, "Invalid type for %s: expected a number, got %q.", field, s)
	}
	return &n, nil
}

// dependencies reads one dependency per line: a job ID, optionally followed
// by its type (N_TO_N or SEQUENTIAL), or SEQUENTIAL alone, which makes an
// array's children run one after another. The types are checked by
// SubmitJob.
func dependencies(s string) ([]barge.JobDependency, error) {
	var out []barge.JobDependency
	for i, l := range lines(s) {
		f := strings.Fields(l)
		switch {
		case len(f) == 1 && f[0] == barge.DependencySequential:
			out = append(out, barge.JobDependency{Type: barge.DependencySequential})
		case len(f) == 1:
			out = append(out, barge.JobDependency{JobID: f[0]})
		case len(f) == 2:
			out = append(out, barge.JobDependency{JobID: f[0], Type: f[1]})
		default:
			return nil, barge.Errorf(barge.EInvalid, "dependsOn[%d]: each line is a job ID, optionally followed by its type (N_TO_N or SEQUENTIAL); got %q.", i, l)
		}
	}
	return out, nil
}

// lines returns the non-blank lines of s, trimmed of a trailing CR.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}
