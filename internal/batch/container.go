package batch

import "github.com/bargehq/barge"

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
