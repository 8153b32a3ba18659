package console

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bargehq/barge"
)

// jobsPageSize is the number of jobs on one page of the list.
const jobsPageSize = 50

// jobsData is one page of a queue's jobs. Paging is by the store's cursor
// (the last job's submission order), so a page costs the same at the first
// job and the millionth, and no count is ever taken.
type jobsData struct {
	Queues     []string
	Queue      string
	Status     string
	Prefix     string
	Jobs       []*barge.Job
	Next       template.URL // the next page; "" on the last
	First      template.URL // the first page; "" on it
	Children   bool
	NoQueue    bool
	QueryError string
}

func (c *Console) jobs(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	d := jobsData{Queue: resourceName(q.Get("queue")), Status: q.Get("status"), Prefix: strings.TrimSpace(q.Get("prefix")), Children: q.Get("children") == "1"}
	qs, err := c.allQueues(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	for _, jq := range qs {
		d.Queues = append(d.Queues, jq.Name)
	}
	if d.Queue == "" && len(d.Queues) > 0 {
		d.Queue = d.Queues[0]
	}
	if d.Queue == "" {
		d.NoQueue = true
		c.render(w, r, s, "jobs", http.StatusOK, d)
		return
	}
	jq := barge.JobQuery{Queue: d.Queue, Status: barge.JobStatus(d.Status), NamePrefix: strings.ToLower(d.Prefix),
		IncludeChildren: d.Children, Summary: true, Limit: jobsPageSize + 1}
	if d.Status != "" && !jq.Status.Valid() {
		c.fail(w, r, s, &APIError{Code: "ClientException", Message: "Unknown job status " + d.Status + "."})
		return
	}
	if after := q.Get("after"); after != "" {
		jq.Cursor, err = strconv.ParseInt(after, 10, 64)
		if err != nil || jq.Cursor <= 0 {
			c.fail(w, r, s, &APIError{Code: "ClientException", Message: "The page position is not valid: start from the first page."})
			return
		}
		d.First = d.query("")
	}
	jobs, err := c.cfg.Backend.ListJobs(r.Context(), jq)
	if err != nil {
		var be *barge.Error
		if asBarge(err, &be) && be.Code == barge.EInvalid {
			d.QueryError = be.Message
			c.render(w, r, s, "jobs", http.StatusOK, d)
			return
		}
		c.fail(w, r, s, err)
		return
	}
	if len(jobs) > jobsPageSize {
		jobs = jobs[:jobsPageSize]
		d.Next = d.query(strconv.FormatInt(jobs[len(jobs)-1].Seq, 10))
	}
	d.Jobs = jobs
	c.render(w, r, s, "jobs", http.StatusOK, d)
}

// query returns the list's URL with the page starting after cursor.
func (d jobsData) query(after string) template.URL {
	v := url.Values{}
	v.Set("queue", d.Queue)
	if d.Status != "" {
		v.Set("status", d.Status)
	}
	if d.Prefix != "" {
		v.Set("prefix", d.Prefix)
	}
	if d.Children {
		v.Set("children", "1")
	}
	if after != "" {
		v.Set("after", after)
	}
	return template.URL("/console/jobs?" + v.Encode())
}
