package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
)

// queueRow is a job queue as the console shows it, with its JSON as
// DescribeJobQueues answers it.
type queueRow struct {
	*barge.JobQueue
	Raw json.RawMessage
}

// allQueues reads every job queue, page by page.
func (c *Console) allQueues(ctx context.Context) ([]queueRow, error) {
	var out []queueRow
	in := &control.DescribeJobQueuesInput{}
	for {
		page, err := c.cfg.Batch.DescribeJobQueues(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, q := range page.Items {
			raw, err := c.cfg.Wire.JobQueueJSON(q)
			if err != nil {
				return nil, err
			}
			out = append(out, queueRow{JobQueue: q.Queue, Raw: raw})
		}
		if in.NextToken = page.NextToken; in.NextToken == "" {
			return out, nil
		}
	}
}

// ceView is a compute environment with the vCPUs its running jobs hold, and
// its JSON as DescribeComputeEnvironments answers it.
type ceView struct {
	*barge.ComputeEnvironment
	Raw  json.RawMessage
	Used float64
	Max  int
}

func (c *Console) ceViews(ctx context.Context) ([]ceView, error) {
	var out []ceView
	in := &control.DescribeComputeEnvironmentsInput{}
	for {
		page, err := c.cfg.Batch.DescribeComputeEnvironments(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, ce := range page.Items {
			raw, err := c.cfg.Wire.ComputeEnvironmentJSON(ce)
			if err != nil {
				return nil, err
			}
			out = append(out, ceView{ComputeEnvironment: ce, Raw: raw, Used: c.cfg.Backend.Used(ce.Name), Max: ce.MaxvCpus()})
		}
		if in.NextToken = page.NextToken; in.NextToken == "" {
			return out, nil
		}
	}
}

func (c *Console) queues(w http.ResponseWriter, r *http.Request, s *session) {
	qs, err := c.allQueues(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, s, "queues", http.StatusOK, qs)
}

func (c *Console) computeEnvironments(w http.ResponseWriter, r *http.Request, s *session) {
	ces, err := c.ceViews(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, s, "ces", http.StatusOK, ces)
}

// defRow is a job definition as the console shows it, with its ARN and its
// JSON as DescribeJobDefinitions answers it.
type defRow struct {
	*barge.JobDefinition
	Arn string
	Raw json.RawMessage
}

// definitionsData is a page of job definitions: the active ones, newest
// first, or every revision of one name.
type definitionsData struct {
	Name      string
	Defs      []defRow
	NextToken string
	Status    string
}

func (c *Console) definitions(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := definitionsData{Name: defName(q.Get("name")), Status: q.Get("status")}
	fifty := 50
	in := &control.DescribeJobDefinitionsInput{NextToken: q.Get("token"), MaxResults: &fifty, JobDefinitionName: d.Name}
	if d.Name == "" && d.Status == "" {
		d.Status = "ACTIVE"
	}
	if d.Status != "" && d.Status != "ALL" {
		in.Status = d.Status
	}
	page, err := c.cfg.Batch.DescribeJobDefinitions(r.Context(), in)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	for _, jd := range page.Items {
		raw, err := c.cfg.Wire.JobDefinitionJSON(jd)
		if err != nil {
			c.fail(w, r, s, err)
			return
		}
		d.Defs = append(d.Defs, defRow{JobDefinition: jd, Arn: c.cfg.Scope.JobDefinitionARN(jd.Name, jd.Revision), Raw: raw})
	}
	d.NextToken = page.NextToken
	c.render(w, r, s, "definitions", http.StatusOK, d)
}

// setState enables or disables a queue or compute environment through the
// control plane, whose rules (and messages) apply.
func (c *Console) setState(w http.ResponseWriter, r *http.Request, s *session, update func(ctx context.Context, name string, state barge.State) error, back string) {
	name := r.PathValue("name")
	state := r.PostFormValue("state")
	if state != "ENABLED" && state != "DISABLED" {
		c.fail(w, r, s, &APIError{Code: "ClientException", Message: "state must be ENABLED or DISABLED."})
		return
	}
	if err := update(r.Context(), name, barge.State(state)); err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, back+"?flash="+url.QueryEscape(name+" is now "+state+"."), http.StatusSeeOther)
}

func (c *Console) setQueueState(w http.ResponseWriter, r *http.Request, s *session) {
	c.setState(w, r, s, func(ctx context.Context, name string, state barge.State) error {
		_, err := c.cfg.Batch.UpdateJobQueue(ctx, &control.UpdateJobQueueInput{JobQueue: name, State: state})
		return err
	}, "/console/queues")
}

func (c *Console) setCEState(w http.ResponseWriter, r *http.Request, s *session) {
	c.setState(w, r, s, func(ctx context.Context, name string, state barge.State) error {
		_, err := c.cfg.Batch.UpdateComputeEnvironment(ctx, &control.UpdateComputeEnvironmentInput{ComputeEnvironment: name, State: state})
		return err
	}, "/console/ces")
}
