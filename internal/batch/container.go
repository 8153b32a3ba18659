package batch

import (
	"bytes"
	"encoding/json"

	"github.com/bargehq/barge"
)

// containerPropertiesDetail is a container as DescribeJobs and
// DescribeJobDefinitions show it: barge.ContainerProperties, whose list
// members are omitted when empty (as the store keeps them), with the
// members AWS always returns shadowing them, as [] when empty. Code that
// indexes response["container"]["volumes"] works against AWS and barge
// alike. encoding/json lets a field of the outer struct win over an
// embedded one of the same name.
type containerPropertiesDetail struct {
	barge.ContainerProperties
	Command          []string                `json:"command"`
	Volumes          []barge.Volume          `json:"volumes"`
	Environment      []barge.KeyValuePair    `json:"environment"`
	MountPoints      []barge.MountPoint      `json:"mountPoints"`
	Ulimits          []barge.Ulimit          `json:"ulimits"`
	Secrets          []barge.Secret          `json:"secrets"`
	LogConfiguration *logConfigurationDetail `json:"logConfiguration,omitempty"`
	logConfiguration logConfigurationDetail  // what LogConfiguration points at: no allocation of its own
}

// logConfigurationDetail is barge.LogConfiguration with secretOptions
// always present, as AWS returns it.
type logConfigurationDetail struct {
	LogDriver     string            `json:"logDriver"`
	Options       map[string]string `json:"options,omitempty"`
	SecretOptions []barge.Secret    `json:"secretOptions"`
}

// set fills d with c. Empty lists become zero-length slices, which need no
// allocation.
func (d *containerPropertiesDetail) set(c *barge.ContainerProperties) {
	d.ContainerProperties = *c
	d.Command, d.Volumes, d.Environment = orEmpty(c.Command), orEmpty(c.Volumes), orEmpty(c.Environment)
	d.MountPoints, d.Ulimits, d.Secrets = orEmpty(c.MountPoints), orEmpty(c.Ulimits), orEmpty(c.Secrets)
	if l := c.LogConfiguration; l != nil {
		d.logConfiguration = logConfigurationDetail{LogDriver: l.LogDriver, Options: l.Options, SecretOptions: orEmpty(l.SecretOptions)}
		d.LogConfiguration = &d.logConfiguration
	}
}

// orEmpty returns s, or a zero-length slice that encodes as [] if s is nil.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// nodePropertiesDetail returns a multi-node definition's nodeProperties as
// DescribeJobDefinitions shows them: as registered, with each node range's
// container given the members AWS always returns (command, volumes,
// environment, mountPoints, ulimits, secrets, logConfiguration's
// secretOptions), as [] when empty, as containerPropertiesDetail gives a
// single container's. barge keeps nodeProperties as registered and runs
// no multi-node job, so this works on the JSON, keeping every member.
func nodePropertiesDetail(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers as registered
	var np map[string]any
	if err := dec.Decode(&np); err != nil {
		return raw
	}
	ranges, _ := np["nodeRangeProperties"].([]any)
	for _, r := range ranges {
		nr, _ := r.(map[string]any)
		c, _ := nr["container"].(map[string]any)
		if c == nil {
			continue
		}
		for _, m := range []string{"command", "volumes", "environment", "mountPoints", "ulimits", "secrets"} {
			if c[m] == nil {
				c[m] = []any{}
			}
		}
		if l, _ := c["logConfiguration"].(map[string]any); l != nil && l["secretOptions"] == nil {
			l["secretOptions"] = []any{}
		}
	}
	b, err := json.Marshal(np)
	if err != nil {
		return raw
	}
	return b
}
