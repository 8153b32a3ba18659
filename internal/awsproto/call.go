package awsproto

import "context"

// Call is what the protocol adapters learn about one request for the
// server's request metrics: the operation it called and the AWS error type it
// failed with. The server puts an empty Call in the request's context; an
// adapter fills it in. Operation is only ever a name from an API's routing
// table (one of the names given to RestJSONOp, AWSJSONOp or QueryOp), never
// text from the request, so that it can label a metric.
type Call struct {
	Operation string // "" until an operation's handler runs
	ErrorCode string // the AWS error type written; "" for success
}

const callKey ctxKey = 1

// WithCall returns a context carrying c, for the adapters to fill in.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey, c)
}

// callOf returns the Call carried by ctx, or a throwaway one.
func callOf(ctx context.Context) *Call {
	if c, ok := ctx.Value(callKey).(*Call); ok {
		return c
	}
	return &Call{}
}
