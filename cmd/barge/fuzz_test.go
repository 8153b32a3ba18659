package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bargehq/barge"
	"github.com/bargehq/barge/internal/batch"
	"github.com/bargehq/barge/internal/control"
	"github.com/bargehq/barge/internal/jobstate"
	"github.com/bargehq/barge/internal/store"
)

// fuzzOps are the Batch operations whose request decoders and handlers the
// fuzzer drives, with a seed body each.
var fuzzOps = []struct{ path, seed string }{
	{"/v1/createcomputeenvironment", `{"computeEnvironmentName":"ce","type":"MANAGED","computeResources":{"type":"FARGATE","maxvCpus":4,"subnets":["s"],"securityGroupIds":["g"]}}`},
	{"/v1/updatecomputeenvironment", `{"computeEnvironment":"ce","state":"DISABLED","computeResources":{"maxvCpus":8}}`},
	{"/v1/createjobqueue", `{"jobQueueName":"q","priority":1,"computeEnvironmentOrder":[{"order":1,"computeEnvironment":"ce"}]}`},
	{"/v1/registerjobdefinition", `{"jobDefinitionName":"d","type":"container","platformCapabilities":["FARGATE"],"containerProperties":{"image":"busybox","executionRoleArn":"arn:aws:iam::123456789012:role/r","resourceRequirements":[{"type":"VCPU","value":"0.25"},{"type":"MEMORY","value":"512"}]}}`},
	{"/v1/submitjob", `{"jobName":"j","jobQueue":"q","jobDefinition":"d","arrayProperties":{"size":2},"containerOverrides":{"command":["Ref::x"]},"parameters":{"x":"y"}}`},
	{"/v1/describejobs", `{"jobs":["a","b:1"]}`},
	{"/v1/listjobs", `{"jobQueue":"q","filters":[{"name":"JOB_NAME","values":["j*"]}],"maxResults":5}`},
	{"/v1/describejobdefinitions", `{"jobDefinitionName":"d","maxResults":2,"nextToken":"x"}`},
	{"/v1/canceljob", `{"jobId":"a","reason":"r"}`},
	{"/v1/createschedulingpolicy", `{"name":"p","fairsharePolicy":{"shareDistribution":[{"shareIdentifier":"a*","weightFactor":0.5}]}}`},
	{"/v1/getjobqueuesnapshot", `{"jobQueue":"q"}`},
}

// FuzzBatchRequest feeds arbitrary bodies to the Batch handlers over a real
// store: every answer must be a well-formed AWS response, and a bad request
// a client error, never a server fault.
func FuzzBatchRequest(f *testing.F) {
	for i, op := range fuzzOps {
		f.Add(uint8(i), []byte(op.seed))
	}
	st, err := store.Open(context.Background(), filepath.Join(f.TempDir(), "barge.db"), store.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	scope := barge.Scope{Region: "us-east-1", Account: "123456789012"}
	ctl := control.New(control.Config{Store: st, Jobs: jobstate.New(jobstate.Config{Store: st}), Scope: scope})
	svc := batch.New(batch.Config{Control: ctl, Scope: scope})
	h := svc.Handler()
	// Seed the resources the operations refer to, so fuzzing reaches past
	// the not-found checks.
	for _, op := range fuzzOps[:5] {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, op.path, strings.NewReader(op.seed)))
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		o := fuzzOps[int(op)%len(fuzzOps)]
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, o.path, bytes.NewReader(body)))
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q = %d %s, want a client error or success", o.path, body, rec.Code, rec.Body)
		}
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("POST %s %q answered %q, not a JSON object", o.path, body, rec.Body)
		}
		if rec.Code != http.StatusOK && (rec.Header().Get("X-Amzn-ErrorType") == "" || v["message"] == nil) {
			t.Fatalf("POST %s %q = %d without X-Amzn-ErrorType and message: %s", o.path, body, rec.Code, rec.Body)
		}
	})
}
