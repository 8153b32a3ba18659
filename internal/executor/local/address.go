package local

import (
	"context"

	"github.com/bargehq/barge"
)

var _ barge.TaskAddresser = (*Executor)(nil)

// Address returns 127.0.0.1 for a task that exists: a task is a host
// process on the host's network, so the address other tasks on this host
// reach it at is the loopback address (it has no interface of its own, as
// a container has).
func (e *Executor) Address(ctx context.Context, taskID string) (string, error) {
	if _, err := e.lookup(taskID); err != nil {
		return "", err
	}
	return "127.0.0.1", nil
}
