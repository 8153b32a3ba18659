package console

import (
	"net/http"
	"net/url"
	"strings"
)

type submitData struct {
	Definition string   // the chosen definition's ARN or name:revision
	Defs       []string // the active definitions to choose from (first page)
	Queues     []string
	Name       string
	Queue      string
	Command    string // one argument per line
	Env        string // NAME=value per line
	Error      string
}

func (c *Console) submitForm(r *http.Request, d *submitData) error {
	qs, err := c.allQueues(r.Context())
	if err != nil {
		return err
	}
	for _, q := range qs {
		d.Queues = append(d.Queues, q.JobQueueName)
	}
	var page struct {
		JobDefinitions []jobDefDetail `json:"jobDefinitions"`
	}
	if err := c.cfg.Backend.Call(r.Context(), "DescribeJobDefinitions", map[string]any{"status": "ACTIVE", "maxResults": 100}, &page); err != nil {
		return err
	}
	for _, jd := range page.JobDefinitions {
		d.Defs = append(d.Defs, jd.JobDefinitionArn)
	}
	return nil
}

func (c *Console) submitPage(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := submitData{Definition: q.Get("definition"), Queue: q.Get("queue")}
	if err := c.submitForm(r, &d); err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, s, "submit", http.StatusOK, d)
}

// submit submits a job through SubmitJob, so every rule and message is
// the API's.
func (c *Console) submit(w http.ResponseWriter, r *http.Request, s *session) {
	d := submitData{
		Definition: strings.TrimSpace(r.PostFormValue("definition")),
		Name:       strings.TrimSpace(r.PostFormValue("name")),
		Queue:      r.PostFormValue("queue"),
		Command:    r.PostFormValue("command"),
		Env:        r.PostFormValue("env"),
	}
	in := map[string]any{"jobName": d.Name, "jobQueue": d.Queue, "jobDefinition": d.Definition}
	overrides := map[string]any{}
	if cmd := lines(d.Command); len(cmd) > 0 {
		overrides["command"] = cmd
	}
	var env []map[string]string
	for _, l := range lines(d.Env) {
		name, value, ok := strings.Cut(l, "=")
		if !ok || name == "" {
			d.Error = "Each environment line is NAME=value; got " + l + "."
			break
		}
		env = append(env, map[string]string{"name": name, "value": value})
	}
	if len(env) > 0 {
		overrides["environment"] = env
	}
	if len(overrides) > 0 {
		in["containerOverrides"] = overrides
	}
	var out struct {
		JobID string `json:"jobId"`
	}
	if d.Error == "" {
		err := c.cfg.Backend.Call(r.Context(), "SubmitJob", in, &out)
		if err == nil {
			http.Redirect(w, r, "/console/jobs/"+url.PathEscape(out.JobID)+"?flash="+url.QueryEscape("Job submitted."), http.StatusSeeOther)
			return
		}
		ae, ok := err.(*APIError)
		if !ok {
			c.fail(w, r, s, err)
			return
		}
		d.Error = ae.Message
	}
	if err := c.submitForm(r, &d); err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, s, "submit", http.StatusBadRequest, d)
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
