package awsproto

import (
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/bargehq/barge"
)

func TestDecodeEC2Query(t *testing.T) {
	type filter struct {
		Name   string
		Values []string `query:"Value"`
	}
	type input struct {
		VpcId      string
		SubnetIds  []string `query:"SubnetId"`
		Filters    []filter `query:"Filter"`
		MaxResults int
		Enabled    *bool
	}
	params, _ := url.ParseQuery("VpcId=vpc-1&SubnetId.2=subnet-b&SubnetId.1=subnet-a&Filter.1.Name=tag:Name&Filter.1.Value.1=a&Filter.1.Value.2=b*&Filter.2.Name=vpc-id&Filter.2.Value.1=vpc-1&MaxResults=5&Enabled=true")
	var got input
	if err := DecodeEC2Query(params, &got); err != nil {
		t.Fatal(err)
	}
	enabled := true
	want := input{VpcId: "vpc-1", SubnetIds: []string{"subnet-a", "subnet-b"},
		Filters: []filter{{"tag:Name", []string{"a", "b*"}}, {"vpc-id", []string{"vpc-1"}}}, MaxResults: 5, Enabled: &enabled}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeEC2Query = %+v, want %+v", got, want)
	}
	params, _ = url.ParseQuery("SubnetId.x=1")
	if err := DecodeEC2Query(params, &got); barge.ErrorCodeOf(err) != barge.EInvalid {
		t.Errorf("DecodeEC2Query(SubnetId.x) = %v, want EInvalid", err)
	}
}

func TestWriteEC2Error(t *testing.T) {
	w := httptest.NewRecorder()
	WriteEC2Error(w, "req-1", "InvalidVpcID.NotFound", 400, "The vpc ID 'vpc-1' does not exist")
	const want = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID &#39;vpc-1&#39; does not exist</Message></Error></Errors><RequestID>req-1</RequestID></Response>`
	if got := w.Body.String(); got != want || w.Code != 400 {
		t.Errorf("WriteEC2Error wrote %d %s, want 400 %s", w.Code, got, want)
	}
}
