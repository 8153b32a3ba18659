package runner

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/bargehq/barge"
)

// The tags of a FARGATE_SPOT compute environment that switch on barge's
// Spot interruptions (beyond AWS: off unless tagged) and tune them. Values
// are decimal numbers; one that is not valid is ignored, with a warning.
const (
	// TagSpotProbability is the chance, 0 to 1, that an attempt is
	// interrupted, at a random time within TagSpotWindow of its start.
	TagSpotProbability = "barge:spot-interruption-probability"
	// TagSpotWindow is the seconds after an attempt's start within which an
	// interruption TagSpotProbability picked comes (0 by default: as soon
	// as it runs). An attempt that ends first is not interrupted.
	TagSpotWindow = "barge:spot-interruption-window-seconds"
	// TagSpotRate is how often per hour a running attempt is interrupted,
	// on average, at exponentially distributed times (a Poisson process,
	// as independent reclaims would be).
	TagSpotRate = "barge:spot-interruption-rate-per-hour"
	// TagSpotGrace is the seconds between SIGTERM and SIGKILL (120 by
	// default: the two-minute warning Fargate Spot gives).
	TagSpotGrace = "barge:spot-grace-seconds"
)

// defaultSpotGrace is Fargate Spot's two-minute warning, in seconds.
const defaultSpotGrace = 120

// ceCacheTTL is how long the runner uses a compute environment it read: a
// changed tag takes effect within it.
const ceCacheTTL = time.Second

// spotModel is how a compute environment's tasks are interrupted.
type spotModel struct {
	spot        bool    // the compute environment is FARGATE_SPOT
	probability float64 // per attempt
	window      float64 // seconds
	ratePerHour float64
	grace       float64 // seconds
}

// draw returns in how many seconds from now a running attempt is
// interrupted, if it is. An adopted attempt is not drawn for again under
// the per-attempt probability, which its start decided; the rate, having
// no memory, applies anew.
func (m spotModel) draw(rnd func() float64, adopted bool) (after float64, ok bool) {
	if !m.spot {
		return 0, false
	}
	after = math.Inf(1)
	if m.probability > 0 && !adopted && rnd() < m.probability {
		after = rnd() * m.window
	}
	if m.ratePerHour > 0 {
		after = min(after, -math.Log(1-rnd())/m.ratePerHour*3600)
	}
	// Beyond a century, never (and a time.Duration holds no more than 292
	// years).
	return after, after < 100*365*24*3600
}

// ceCache holds the Spot models of compute environments for ceCacheTTL.
type ceCache struct {
	mu     sync.Mutex
	models map[string]cachedModel
}

type cachedModel struct {
	m  spotModel
	at time.Time
}

// spotModelOf returns the Spot model of compute environment name; a
// compute environment that is gone has none.
func (r *Runner) spotModelOf(ctx context.Context, name string) (spotModel, error) {
	now := r.cfg.Now()
	r.ces.mu.Lock()
	c, ok := r.ces.models[name]
	r.ces.mu.Unlock()
	if ok && now.Sub(c.at) < ceCacheTTL && now.Sub(c.at) >= 0 {
		return c.m, nil
	}
	ce, err := r.cfg.Store.GetComputeEnvironment(ctx, name)
	if barge.ErrorCodeOf(err) == barge.ENotFound {
		return spotModel{}, nil
	}
	if err != nil {
		return spotModel{}, err
	}
	m := r.parseSpotModel(ce)
	r.ces.mu.Lock()
	if r.ces.models == nil {
		r.ces.models = map[string]cachedModel{}
	}
	r.ces.models[name] = cachedModel{m: m, at: now}
	r.ces.mu.Unlock()
	return m, nil
}

// parseSpotModel reads a compute environment's Spot tags.
func (r *Runner) parseSpotModel(ce *barge.ComputeEnvironment) spotModel {
	m := spotModel{grace: defaultSpotGrace}
	if ce.ComputeResources == nil || ce.ComputeResources.Type != barge.CRFargateSpot {
		return m
	}
	m.spot = true
	for _, t := range []struct {
		tag    string
		dst    *float64
		max    float64
		expect string
	}{
		{TagSpotProbability, &m.probability, 1, "a number from 0 to 1"},
		{TagSpotWindow, &m.window, math.MaxFloat64, "a number of seconds, 0 or more"},
		{TagSpotRate, &m.ratePerHour, math.MaxFloat64, "a number of interruptions per hour, 0 or more"},
		{TagSpotGrace, &m.grace, math.MaxFloat64, "a number of seconds, 0 or more"},
	} {
		v, ok := ce.Tags[t.tag]
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > t.max || math.IsNaN(f) || math.IsInf(f, 0) {
			r.log.Warn("ignoring a Spot interruption tag that is not valid: want "+t.expect,
				"compute_environment", ce.Name, "tag", t.tag, "value", v)
			continue
		}
		*t.dst = f
	}
	return m
}
