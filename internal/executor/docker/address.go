package docker

import (
	"context"
	"slices"

	"github.com/bargehq/barge"

	"github.com/moby/moby/client"
)

var _ barge.TaskAddresser = (*Executor)(nil)

// Address returns the IPv4 address of taskID's container on its network (on
// the first network by name if it is on several), or "" when it has none.
func (e *Executor) Address(ctx context.Context, taskID string) (string, error) {
	ins, err := e.cli.ContainerInspect(ctx, containerName(taskID), client.ContainerInspectOptions{})
	if err != nil {
		return "", notFound(taskID, err)
	}
	ns := ins.Container.NetworkSettings
	if ns == nil {
		return "", nil
	}
	names := make([]string, 0, len(ns.Networks))
	for name := range ns.Networks {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if ep := ns.Networks[name]; ep != nil && ep.IPAddress.Is4() {
			return ep.IPAddress.String(), nil
		}
	}
	return "", nil
}
