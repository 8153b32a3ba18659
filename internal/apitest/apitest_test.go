package apitest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/batch"

	"github.com/bargehq/barge/internal/apitest"
	"github.com/bargehq/barge/internal/server"
)

// TestServeVerifiesSignatures: the server Serve starts answers an SDK
// client that signs with one of its keys and refuses one that does not, as
// barge does.
func TestServeVerifiesSignatures(t *testing.T) {
	key := apitest.Credentials{AccessKeyID: "AKIDAPITEST000000001", SecretAccessKey: "apitest-secret"}
	url := apitest.Serve(t, server.Config{Region: "us-east-1", Batch: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"jobQueues":[]}`))
	})}, key)
	ctx := context.Background()
	if _, err := apitest.Batch(apitest.Config("us-east-1", key), url).DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{}); err != nil {
		t.Errorf("DescribeJobQueues signed with the server's key = %v", err)
	}
	other := apitest.Credentials{AccessKeyID: "AKIDAPITEST000000002", SecretAccessKey: "apitest-secret"}
	_, err := apitest.Batch(apitest.Config("us-east-1", other), url).DescribeJobQueues(ctx, &batch.DescribeJobQueuesInput{})
	if code, _, status := apitest.APIError(err); code != "UnrecognizedClientException" || status != http.StatusForbidden {
		t.Errorf("DescribeJobQueues signed with an unknown key = %v (%s, HTTP %d), want UnrecognizedClientException (HTTP 403)", err, code, status)
	}
}
