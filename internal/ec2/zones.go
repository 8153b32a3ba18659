package ec2

import (
	"context"
	"slices"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// DescribeAvailabilityZonesInput is DescribeAvailabilityZones' request.
type DescribeAvailabilityZonesInput struct {
	ZoneNames []string `query:"ZoneName"`
	ZoneIds   []string `query:"ZoneId"`
	Filters   []Filter `query:"Filter"`
}

// DescribeAvailabilityZonesOutput is DescribeAvailabilityZones' response.
type DescribeAvailabilityZonesOutput struct {
	awsproto.EC2Metadata
	AvailabilityZones awsproto.EC2List[AvailabilityZone] `xml:"availabilityZoneInfo"`
}

// AvailabilityZone is one of the region's Availability Zones.
type AvailabilityZone struct {
	ZoneName           string                   `xml:"zoneName"`
	ZoneId             string                   `xml:"zoneId"`
	State              string                   `xml:"zoneState"`
	OptInStatus        string                   `xml:"optInStatus"`
	Messages           awsproto.EC2List[string] `xml:"messageSet"`
	RegionName         string                   `xml:"regionName"`
	GroupName          string                   `xml:"groupName"`
	NetworkBorderGroup string                   `xml:"networkBorderGroup"`
	ZoneType           string                   `xml:"zoneType"`
}

// DescribeAvailabilityZones lists the region's Availability Zones, which
// subnets are created in.
func (s *Service) DescribeAvailabilityZones(ctx context.Context, in *DescribeAvailabilityZonesInput) (*DescribeAvailabilityZonesOutput, error) {
	for _, f := range in.Filters {
		switch f.Name {
		case "zone-name", "zone-id", "state", "region-name", "zone-type":
		default:
			return nil, barge.Errorf(barge.EInvalid, "The filter '%s' is invalid", f.Name)
		}
	}
	names, ids := s.zones()
	out := &DescribeAvailabilityZonesOutput{AvailabilityZones: awsproto.EC2List[AvailabilityZone]{}}
	for i, name := range names {
		z := AvailabilityZone{ZoneName: name, ZoneId: ids[i], State: "available", OptInStatus: "opt-in-not-required",
			Messages: awsproto.EC2List[string]{}, RegionName: s.scope.Region, GroupName: s.scope.Region,
			NetworkBorderGroup: s.scope.Region, ZoneType: "availability-zone"}
		if len(in.ZoneNames) > 0 && !slices.Contains(in.ZoneNames, name) || len(in.ZoneIds) > 0 && !slices.Contains(in.ZoneIds, ids[i]) {
			continue
		}
		ok := true
		for _, f := range in.Filters {
			have := map[string]string{"zone-name": name, "zone-id": ids[i], "state": z.State, "region-name": z.RegionName, "zone-type": z.ZoneType}[f.Name]
			ok = ok && slices.ContainsFunc(f.Values, func(p string) bool { return wildcard(p, have) })
		}
		if ok {
			out.AvailabilityZones = append(out.AvailabilityZones, z)
		}
	}
	return out, nil
}
