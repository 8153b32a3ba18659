package ec2

import (
	"context"
	"slices"
)

// Unknown returns those of subnets and securityGroups (EC2 IDs) that the
// EC2 API does not know, in the order given. Compute environments that
// name them still work (barge does not build networks), and say so in
// their statusReason.
func (s *Service) Unknown(ctx context.Context, subnets, securityGroups []string) ([]string, error) {
	var unknown []string
	for _, c := range []struct {
		kind string
		ids  []string
	}{{kindSubnet, subnets}, {kindSecurityGroup, securityGroups}} {
		if len(c.ids) == 0 {
			continue
		}
		rs, err := s.store.ListEC2Resources(ctx, c.kind)
		if err != nil {
			return nil, err
		}
		known := make([]string, len(rs))
		for i, r := range rs {
			known[i] = r.ID
		}
		for _, id := range c.ids {
			if !slices.Contains(known, id) {
				unknown = append(unknown, id)
			}
		}
	}
	return unknown, nil
}
