package cli

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

func TestParseContainerOverrides(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`command=[echo,hi],environment=[{name=K,value=V},{name=K2,value=a b}]`,
			`{"Command":["echo","hi"],"Environment":[{"Name":"K","Value":"V"},{"Name":"K2","Value":"a b"}]}`},
		{`command=echo,hi,environment=[{name=K,value=V}]`, `{"Command":["echo","hi"],"Environment":[{"Name":"K","Value":"V"}]}`},
		{`command=true`, `{"Command":["true"]}`},
		{`command=[sh,-c,"echo a; echo b"],memory=2048`, `{"Command":["sh","-c","echo a; echo b"],"Memory":2048}`},
		{`{"command":["a"],"resourceRequirements":[{"type":"VCPU","value":"1"}]}`,
			`{"Command":["a"],"ResourceRequirements":[{"Type":"VCPU","Value":"1"}]}`},
	} {
		o, err := parseContainerOverrides(tt.in)
		if err != nil {
			t.Errorf("parseContainerOverrides(%q) = %v", tt.in, err)
			continue
		}
		b, _ := json.Marshal(struct {
			Command              []string                    `json:",omitempty"`
			Environment          []types.KeyValuePair        `json:",omitempty"`
			ResourceRequirements []types.ResourceRequirement `json:",omitempty"`
			Memory               *int32                      `json:",omitempty"`
		}{o.Command, o.Environment, o.ResourceRequirements, o.Memory})
		var got, want any
		json.Unmarshal(b, &got)
		json.Unmarshal([]byte(tt.want), &want)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(gb) != string(wb) {
			t.Errorf("parseContainerOverrides(%q) = %s, want %s", tt.in, gb, wb)
		}
	}
	for _, bad := range []string{`command=[echo`, `{"comand":["x"]}`, `nokey`, `memory=lots`} {
		if _, err := parseContainerOverrides(bad); err == nil {
			t.Errorf("parseContainerOverrides(%q) = nil error, want one", bad)
		}
	}
}
