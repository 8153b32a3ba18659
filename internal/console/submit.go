package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/control"
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
	in := &control.SubmitJobInput{JobName: d.Name, JobQueue: d.Queue, JobDefinition: d.Definition}
	var overrides barge.ContainerOverrides
	given := false
	if cmd := lines(d.Command); len(cmd) > 0 {
		overrides.Command, given = cmd, true
	}
	for _, l := range lines(d.Env) {
		name, value, ok := strings.Cut(l, "=")
		if !ok || name == "" {
			d.Error = "Each environment line is NAME=value; got " + l + "."
			break
		}
		overrides.Environment, given = append(overrides.Environment, barge.KeyValuePair{Name: &name, Value: &value}), true
	}
	if given {
		in.ContainerOverrides = &overrides
	}
	if d.Error == "" {
		job, err := c.cfg.Batch.SubmitJob(r.Context(), in)
		if err == nil {
			http.Redirect(w, r, "/console/jobs/"+url.PathEscape(job.ID)+"?flash="+url.QueryEscape("Job submitted."), http.StatusSeeOther)
			return
		}
		var be *barge.Error
		if !asBarge(err, &be) || be.Code == barge.EInternal {
			c.fail(w, r, s, err)
			return
		}
		d.Error = be.Message
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
