package store

import (
	"context"
	"errors"
	"fmt"
)

// ErrFenced is the error of a write refused because the lease term its
// context carries (WithFence) has ended. It is not a conflict over the
// data written (those are barge.EConflict, which callers answer by reading
// again and retrying): the writer is no longer the one to write.
var ErrFenced = errors.New("this server no longer holds the lease its write was fenced by")

// Fence is a lease's term: the writes made with a context carrying it
// commit only while the term lasts.
type Fence struct {
	Lease  string // the lease's name
	Holder string // the holding server's ID
	Token  int64  // the term's token
}

type fenceKey struct{}

// WithFence returns a context whose store writes commit only while f's term
// lasts: in the transaction that makes such a write, the store first checks
// that the lease still has f's holder and token, and refuses the write
// (ErrFenced) if not. A leader that was deposed, however late its write
// comes, cannot change what its successor now owns.
func WithFence(ctx context.Context, f Fence) context.Context {
	return context.WithValue(ctx, fenceKey{}, f)
}

// fenceOf returns the fence ctx carries.
func fenceOf(ctx context.Context) (Fence, bool) {
	f, ok := ctx.Value(fenceKey{}).(Fence)
	return f, ok
}

// checkFence refuses the request of tx's context if it carries a fence
// whose term has ended. The check is an UPDATE that changes nothing: it
// takes the lease row's write lock for the rest of the transaction, so that
// no new holder's takeover can commit between the check and this
// transaction's commit (on PostgreSQL the takeover waits for the lock;
// SQLite has one writer anyway). A term checked once holds for the rest of
// the batch.
func (t *wtx) checkFence() error {
	f, ok := fenceOf(t.ctx)
	if !ok {
		return nil
	}
	if t.fenced[f] {
		return nil
	}
	n, err := affected(t.exec("UPDATE leases SET token = token WHERE name = ? AND holder = ? AND token = ?", f.Lease, f.Holder, f.Token))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("lease %s, term %d: %w", f.Lease, f.Token, ErrFenced)
	}
	if t.fenced == nil {
		t.fenced = map[Fence]bool{}
	}
	t.fenced[f] = true
	return nil
}
