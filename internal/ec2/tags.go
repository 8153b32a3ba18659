package ec2

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/awsproto"
)

// CreateTagsInput is CreateTags' request.
type CreateTagsInput struct {
	Resources []string `query:"ResourceId"`
	Tags      []Tag    `query:"Tag"`
}

// CreateTags adds or overwrites tags of resources, all or none.
func (s *Service) CreateTags(ctx context.Context, in *CreateTagsInput) (*awsproto.EC2Return, error) {
	if len(in.Resources) == 0 {
		return nil, missing("ResourceId")
	}
	if len(in.Tags) == 0 {
		return nil, missing("Tag")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	return s.retag(ctx, in.Resources, func(tags awsproto.EC2List[Tag]) awsproto.EC2List[Tag] {
		for _, t := range in.Tags {
			tags = setTag(tags, t)
		}
		return tags
	})
}

// DeleteTagsInput is DeleteTags' request. A tag with a value is deleted
// only if it has that value; without tags, every tag is deleted.
type DeleteTagsInput struct {
	Resources []string     `query:"ResourceId"`
	Tags      []DeletedTag `query:"Tag"`
}

// DeletedTag is a tag to delete: its key, and the value it must have, if
// given.
type DeletedTag struct {
	Key   string
	Value *string
}

// DeleteTags deletes tags of resources, all or none.
func (s *Service) DeleteTags(ctx context.Context, in *DeleteTagsInput) (*awsproto.EC2Return, error) {
	if len(in.Resources) == 0 {
		return nil, missing("ResourceId")
	}
	return s.retag(ctx, in.Resources, func(tags awsproto.EC2List[Tag]) awsproto.EC2List[Tag] {
		if len(in.Tags) == 0 {
			return nil
		}
		return slices.DeleteFunc(tags, func(t Tag) bool {
			return slices.ContainsFunc(in.Tags, func(d DeletedTag) bool {
				return d.Key == t.Key && (d.Value == nil || *d.Value == t.Value)
			})
		})
	})
}

// retag changes the tags of the resources with the IDs given by fn.
func (s *Service) retag(ctx context.Context, ids []string, fn func(awsproto.EC2List[Tag]) awsproto.EC2List[Tag]) (*awsproto.EC2Return, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []barge.EC2Resource
	for _, id := range ids {
		r, err := s.store.GetEC2Resource(ctx, id)
		if barge.ErrorCodeOf(err) == barge.ENotFound {
			return nil, errTagNotFound(id)
		}
		if err != nil {
			return nil, err
		}
		v, err := decodeAny(*r)
		if err != nil {
			return nil, err
		}
		tags := v.tagList()
		*tags = fn(slices.Clone(*tags))
		if err := checkTags(*tags); err != nil {
			return nil, err
		}
		if r.Doc, err = json.Marshal(v); err != nil {
			return nil, err
		}
		changed = append(changed, *r)
	}
	if err := s.store.UpdateEC2Resources(ctx, changed...); err != nil {
		return nil, err
	}
	return &awsproto.EC2Return{Return: true}, nil
}

// decodeAny returns the stored resource r, whatever its kind.
func decodeAny(r barge.EC2Resource) (resource, error) {
	switch r.Kind {
	case kindVpc:
		return decode[Vpc](r)
	case kindSubnet:
		return decode[Subnet](r)
	case kindSecurityGroup:
		return decode[SecurityGroup](r)
	case kindVpcEndpoint:
		return decode[VpcEndpoint](r)
	}
	return nil, errTagNotFound(r.ID)
}

// errTagNotFound is the error for tagging a resource that does not exist,
// as EC2 reports it for the resource's type.
func errTagNotFound(id string) error {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "vpc":
		return errVpcNotFound(id)
	case "subnet":
		return errSubnetNotFound(id)
	case "sg":
		return errGroupNotFound(id)
	case "vpce":
		return errEndpointNotFound(id)
	}
	return barge.Errorf(eInvalidID, "The ID '%s' is not valid", id)
}
