package console

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// allQueues reads every job queue, page by page.
func (c *Console) allQueues(ctx context.Context) ([]queueDetail, error) {
	var out []queueDetail
	token := ""
	for {
		var page struct {
			JobQueues []json.RawMessage `json:"jobQueues"`
			NextToken string            `json:"nextToken"`
		}
		if err := c.cfg.Backend.Call(ctx, "DescribeJobQueues", map[string]any{"nextToken": token}, &page); err != nil {
			return nil, err
		}
		qs, err := decodeEach(page.JobQueues, func(q *queueDetail, r json.RawMessage) { q.Raw = r })
		if err != nil {
			return nil, err
		}
		out = append(out, qs...)
		if token = page.NextToken; token == "" {
			return out, nil
		}
	}
}

// allCEs reads every compute environment, page by page.
func (c *Console) allCEs(ctx context.Context) ([]ceDetail, error) {
	var out []ceDetail
	token := ""
	for {
		var page struct {
			ComputeEnvironments []json.RawMessage `json:"computeEnvironments"`
			NextToken           string            `json:"nextToken"`
		}
		if err := c.cfg.Backend.Call(ctx, "DescribeComputeEnvironments", map[string]any{"nextToken": token}, &page); err != nil {
			return nil, err
		}
		ces, err := decodeEach(page.ComputeEnvironments, func(ce *ceDetail, r json.RawMessage) { ce.Raw = r })
		if err != nil {
			return nil, err
		}
		out = append(out, ces...)
		if token = page.NextToken; token == "" {
			return out, nil
		}
	}
}

// ceView is a compute environment with the vCPUs its running jobs hold.
type ceView struct {
	ceDetail
	Used float64
	Max  int
}

func (c *Console) ceViews(ctx context.Context) ([]ceView, error) {
	ces, err := c.allCEs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ceView, len(ces))
	for i, ce := range ces {
		out[i] = ceView{ceDetail: ce, Used: c.cfg.Backend.Used(ce.ComputeEnvironmentName)}
		if ce.ComputeResources != nil {
			out[i].Max = ce.ComputeResources.MaxvCpus
		}
	}
	return out, nil
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

// definitionsData is a page of job definitions: the active ones, newest
// first, or every revision of one name.
type definitionsData struct {
	Name      string
	Defs      []jobDefDetail
	NextToken string
	Status    string
}

func (c *Console) definitions(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := definitionsData{Name: defName(q.Get("name")), Status: q.Get("status")}
	in := map[string]any{"nextToken": q.Get("token"), "maxResults": 50}
	if d.Name != "" {
		in["jobDefinitionName"] = d.Name
	} else if d.Status == "" {
		d.Status = "ACTIVE"
	}
	if d.Status != "" && d.Status != "ALL" {
		in["status"] = d.Status
	}
	var page struct {
		JobDefinitions []json.RawMessage `json:"jobDefinitions"`
		NextToken      string            `json:"nextToken"`
	}
	if err := c.cfg.Backend.Call(r.Context(), "DescribeJobDefinitions", in, &page); err != nil {
		c.fail(w, r, s, err)
		return
	}
	defs, err := decodeEach(page.JobDefinitions, func(d *jobDefDetail, r json.RawMessage) { d.Raw = r })
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d.Defs, d.NextToken = defs, page.NextToken
	c.render(w, r, s, "definitions", http.StatusOK, d)
}

// setState enables or disables a queue or compute environment through the
// API, whose rules (and messages) apply.
func (c *Console) setState(w http.ResponseWriter, r *http.Request, s *session, op, field, back string) {
	name := r.PathValue("name")
	state := r.PostFormValue("state")
	if state != "ENABLED" && state != "DISABLED" {
		c.fail(w, r, s, &APIError{Code: "ClientException", Message: "state must be ENABLED or DISABLED."})
		return
	}
	if err := c.cfg.Backend.Call(r.Context(), op, map[string]any{field: name, "state": state}, nil); err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, back+"?flash="+url.QueryEscape(name+" is now "+state+"."), http.StatusSeeOther)
}

func (c *Console) setQueueState(w http.ResponseWriter, r *http.Request, s *session) {
	c.setState(w, r, s, "UpdateJobQueue", "jobQueue", "/console/queues")
}

func (c *Console) setCEState(w http.ResponseWriter, r *http.Request, s *session) {
	c.setState(w, r, s, "UpdateComputeEnvironment", "computeEnvironment", "/console/ces")
}
