package console

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/bargehq/barge"
)

// costDays is how many days of cost totals the dashboard shows.
const costDays = 7

// queueView is one queue on the dashboard.
type queueView struct {
	queueRow
	Counts     []statusCount // nil until the feed knows them
	Finished   int           // top-level jobs finished in the last hour
	Chart      template.HTML // jobs finished per minute, last hour
	Costs      []DayCost
	CostsError string
}

type statusCount struct {
	Status string
	N      int
}

type dashboardData struct {
	Queues     []queueView
	CEs        []ceView
	CostsWired bool
	FeedWired  bool
}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, s *session) {
	qs, err := c.allQueues(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	ces, err := c.ceViews(r.Context())
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	d := dashboardData{CEs: ces, CostsWired: c.cfg.Costs != nil, FeedWired: c.cfg.Feed != nil}
	now := c.now()
	for _, q := range qs {
		v := queueView{queueRow: q}
		if f := c.cfg.Feed; f != nil {
			if counts, ok := f.Counts(q.Name); ok {
				v.Counts = make([]statusCount, len(barge.JobStatuses))
				for i, st := range barge.JobStatuses {
					v.Counts[i] = statusCount{string(st), counts[st]}
				}
			}
			per := f.FinishedPerMinute(q.Name, now)
			for _, n := range per {
				v.Finished += n
			}
			v.Chart = perMinuteChart(per)
		}
		if cs := c.cfg.Costs; cs != nil {
			days, err := cs.Daily(r.Context(), q.Name, costDays)
			if err != nil {
				c.log.Error("console: cost totals", "queue", q.Name, "error", err)
				v.CostsError = "Cost totals could not be read."
			}
			v.Costs = days
		}
		d.Queues = append(d.Queues, v)
	}
	if r.URL.Query().Get("fragment") == "live" {
		// The page's script swaps this in every few seconds.
		c.renderFragment(w, r, s, "dashboard", "live", d)
		return
	}
	c.render(w, r, s, "dashboard", http.StatusOK, d)
}

// perMinuteChart draws the jobs finished in each of the last 60 minutes as
// an inline SVG bar chart, the current minute on the right.
func perMinuteChart(per [60]int) template.HTML {
	const w, h, bar = 240, 40, 4
	peak := 0
	for _, n := range per {
		peak = max(peak, n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="top-level jobs finished per minute, last hour (peak %d)">`, w, h+1, w, h+1, peak)
	fmt.Fprintf(&b, `<line x1="0" y1="%d" x2="%d" y2="%d" class="axis"/>`, h, w, h)
	if peak > 0 {
		for i, n := range per {
			if n == 0 {
				continue
			}
			bh := max(1, n*h/peak)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d"><title>%d min ago: %d</title></rect>`, i*bar, h-bh, bar-1, bh, 59-i, n)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// renderFragment writes one named template of a page, without the layout.
func (c *Console) renderFragment(w http.ResponseWriter, r *http.Request, s *session, page, name string, data any) {
	p := c.pages[page]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := p.t.ExecuteTemplate(w, name, layoutData{Content: data}); err != nil {
		c.log.Error("console fragment failed", "page", page, "error", err)
	}
}
