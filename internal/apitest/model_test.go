package apitest

import (
	"encoding/json"
	"strings"
	"testing"
)

// testModel is a model of one operation, Get, in protocol.
func testModel(t *testing.T, protocol string) *Model {
	t.Helper()
	var m Model
	err := json.Unmarshal([]byte(`{
		"metadata": {"protocol": "`+protocol+`"},
		"operations": {"Get": {"output": {"shape": "GetOutput", "resultWrapper": "GetResult"}}, "Delete": {}},
		"shapes": {
			"GetOutput": {"type": "structure", "required": ["name"], "members": {
				"name": {"shape": "String"}, "count": {"shape": "Integer"}, "state": {"shape": "State"},
				"items": {"shape": "Items", "locationName": "itemSet"}, "tags": {"shape": "Tags"}, "at": {"shape": "Time"},
				"on": {"shape": "Boolean"}}},
			"String": {"type": "string"}, "Integer": {"type": "integer"}, "Boolean": {"type": "boolean"}, "Time": {"type": "timestamp"},
			"State": {"type": "string", "enum": ["ON", "OFF"]},
			"Items": {"type": "list", "member": {"shape": "Item", "locationName": "item"}},
			"Item": {"type": "structure", "members": {"id": {"shape": "String"}, "list": {"shape": "Strings"}}},
			"Strings": {"type": "list", "member": {"shape": "String"}},
			"Tags": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}}
		}}`), &m)
	if err != nil {
		t.Fatal(err)
	}
	return &m
}

// TestCheckJSON: each kind of difference from the model is reported, and
// only those: an answer as the model says passes.
func TestCheckJSON(t *testing.T) {
	m := testModel(t, "rest-json")
	rules := Rules{Extensions: []string{"GetOutput.mine"}, Always: []string{"Item.list"}}
	for _, tc := range []struct {
		body string
		want []string // fragments of the differences, one each
	}{
		{`{"name":"a","count":3,"state":"ON","items":[{"id":"x","list":[]}],"tags":{"k":"v"},"at":1700000000.5,"on":true,"mine":1}`, nil},
		{`{"count":3}`, []string{"Get.name: is missing"}},
		{`{"name":"a","extra":1}`, []string{"Get.extra: is not a member of GetOutput"}},
		{`{"name":"a","count":"3"}`, []string{"Get.count: is string, want a number"}},
		{`{"name":"a","count":3.5}`, []string{"Get.count: is \"3.5\", want a 32-bit integer"}},
		{`{"name":"a","state":"on"}`, []string{`Get.state: is "on", not one of State's values`}},
		{`{"name":"a","items":[{"id":"x"}]}`, []string{"Get.items[0].list: is missing"}},
		{`{"name":"a","items":{}}`, []string{"Get.items: is map[string]interface {}, want an array"}},
		{`{"name":"a","tags":{"k":1}}`, []string{"Get.tags.k: is json.Number, want a string"}},
		{`{"name":"a","at":"2024-01-01T00:00:00Z"}`, []string{"Get.at: is string, want epoch seconds"}},
		{`{"name":null}`, []string{"Get.name: is null"}},
		{`{"name":"a","on":"true"}`, []string{"Get.on: is string, want a boolean"}},
	} {
		checkDiffs(t, tc.body, m.Check("Get", []byte(tc.body), rules), tc.want)
	}
	checkDiffs(t, "Delete {}", m.Check("Delete", []byte(`{}`), rules), nil)
	checkDiffs(t, "Delete with a body", m.Check("Delete", []byte(`{"a":1}`), rules), []string{"the operation has no output"})
}

// TestCheckXML: the same for awsQuery and EC2 query answers.
func TestCheckXML(t *testing.T) {
	rules := Rules{Always: []string{"Item.list"}}
	q := testModel(t, "query")
	meta := `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>`
	for _, tc := range []struct {
		body string
		want []string
	}{
		{`<GetResponse><GetResult><name>a</name><count>3</count><state>OFF</state><itemSet><item><id>x</id><list><member>y</member></list></item></itemSet>` +
			`<tags><entry><key>k</key><value>v</value></entry></tags><at>2024-01-01T00:00:00Z</at><on>true</on></GetResult>` + meta + `</GetResponse>`, nil},
		{`<GetResponse><GetResult><count>x</count></GetResult>` + meta + `</GetResponse>`, []string{"Get.name: is missing", `Get.count: is "x", want a 32-bit integer`}},
		{`<GetResponse><GetResult><name>a</name><name>b</name></GetResult>` + meta + `</GetResponse>`, []string{"Get.name: appears more than once"}},
		{`<GetResponse><GetResult><name>a</name><itemSet><member><list/></member></itemSet></GetResult>` + meta + `</GetResponse>`, []string{"Get.itemSet: has <member>, want <item>"}},
		{`<GetResponse><GetResult><name>a</name><at>yesterday</at><on>1</on></GetResult>` + meta + `</GetResponse>`, []string{"Get.at: is \"yesterday\"", "Get.on: is \"1\""}},
		{`<GetResponse><name>a</name>` + meta + `</GetResponse>`, []string{"Get.name: is not an element of <GetResponse>", "Get: has no <GetResult>"}},
		{`<GetResponse><GetResult><name>a</name></GetResult></GetResponse>`, []string{"Get: has no <ResponseMetadata><RequestId>"}},
		{`<Other/>`, []string{"the root element is <Other>"}},
	} {
		checkDiffs(t, tc.body, q.Check("Get", []byte(tc.body), rules), tc.want)
	}

	e := testModel(t, "ec2")
	checkDiffs(t, "ec2", e.Check("Get", []byte(`<GetResponse xmlns="x"><requestId>r</requestId><name>a</name></GetResponse>`), rules), nil)
	checkDiffs(t, "ec2 without requestId", e.Check("Get", []byte(`<GetResponse><name>a</name></GetResponse>`), rules), []string{"has no <requestId>"})
	checkDiffs(t, "ec2 return", e.Check("Delete", []byte(`<DeleteResponse><requestId>r</requestId><return>true</return></DeleteResponse>`), rules), nil)
	checkDiffs(t, "ec2 extra", e.Check("Delete", []byte(`<DeleteResponse><requestId>r</requestId><x/></DeleteResponse>`), rules), []string{"the body has <x>"})
}

func checkDiffs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("Check(%s) = %q, want %d differences %q", what, got, len(want), want)
		return
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.Contains(g, w)
		}
		if !found {
			t.Errorf("Check(%s) = %q, want one with %q", what, got, w)
		}
	}
}

// TestMatchURI matches restJson1 paths to the model's URI templates.
func TestMatchURI(t *testing.T) {
	for _, tc := range []struct {
		template, path string
		want           bool
	}{
		{"/v1/describejobs", "/v1/describejobs", true},
		{"/v1/describejobs", "/v1/describejob", false},
		{"/v1/tags/{resourceArn}", "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A1%3Ajob-queue%2Fq", true},
		{"/v1/tags/{resourceArn}", "/v1/tags/", false},
		{"/v1/tags/{resourceArn}", "/v1/tags/a/b", false},
		{"/v1/x/{rest+}", "/v1/x/a/b", true},
	} {
		if got := matchURI(tc.template, tc.path); got != tc.want {
			t.Errorf("matchURI(%q, %q) = %v, want %v", tc.template, tc.path, got, tc.want)
		}
	}
}
