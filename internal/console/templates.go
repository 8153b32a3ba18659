package console

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/bargehq/barge"
)

// pageTemplate is one page: the layout plus the page's own file.
type pageTemplate struct {
	t     *template.Template
	title string
	nav   string // which navigation entry is current
}

var pageList = []struct{ name, title, nav string }{
	{"signin", "Sign in", ""},
	{"error", "Error", ""},
	{"dashboard", "Dashboard", "dashboard"},
	{"jobs", "Jobs", "jobs"},
	{"job", "Job", "jobs"},
	{"queues", "Job queues", "queues"},
	{"ces", "Compute environments", "ces"},
	{"definitions", "Job definitions", "definitions"},
	{"submit", "Submit a job", "submit"},
}

var funcs = template.FuncMap{
	"ms":        fmtMillis,
	"ago":       fmtAgo,
	"json":      prettyJSON,
	"statuses":  func() []barge.JobStatus { return barge.JobStatuses },
	"lower":     strings.ToLower,
	"queueName": resourceName,
	"defName":   defName,
	"join":      strings.Join,
	"pct": func(used float64, max int) float64 {
		if max <= 0 {
			return 0
		}
		return min(100, used*100/float64(max))
	},
	"vcpu":        func(v float64) string { return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".") },
	"usd":         func(v float64) string { return fmt.Sprintf("$%.4f", v) },
	"stopPending": stopPending,
	"deref": func(p *int) string {
		if p == nil {
			return ""
		}
		return fmt.Sprint(*p)
	},
}

func parsePages() map[string]*pageTemplate {
	out := map[string]*pageTemplate{}
	for _, p := range pageList {
		t := template.Must(template.New(p.name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p.name+".html"))
		out[p.name] = &pageTemplate{t: t, title: p.title, nav: p.nav}
	}
	return out
}

// fmtMillis shows epoch milliseconds as UTC time; 0 as a dash.
func fmtMillis(ms int64) string {
	if ms == 0 {
		return "–"
	}
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000Z")
}

func fmtAgo(from, to int64) string {
	if from == 0 || to == 0 {
		return ""
	}
	return (time.Duration(to-from) * time.Millisecond).String()
}

func prettyJSON(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// resourceName returns the name in an ARN (what follows its last /), or
// the name itself.
func resourceName(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 && strings.HasPrefix(ref, "arn:") {
		return ref[i+1:]
	}
	return ref
}

// defName returns the job definition name in a reference: a name,
// name:revision or an ARN.
func defName(ref string) string {
	name, _, _ := strings.Cut(resourceName(ref), ":")
	return name
}

// stopPending says what was asked of a job that has not ended yet: a
// cancel (of a job that waits for its dependencies, or an array whose
// children have not all ended) or a termination (of a task that is being
// stopped). "" when nothing is pending. DescribeJobs shows this as
// isCancelled or isTerminated on a job that is not yet FAILED.
func stopPending(j *barge.Job) string {
	switch {
	case j.Status.Done():
		return ""
	case j.IsTerminated:
		return "TERMINATE PENDING"
	case j.IsCancelled:
		return "CANCEL PENDING"
	}
	return ""
}
