// Package barge is the vocabulary of barge, serverless batch on your own
// machines speaking the AWS Batch API: compute environments, job queues, job
// definitions, scheduling policies and jobs, their states and legal
// transitions, the validation rules AWS applies to them, ARNs and the error
// type shared by every layer.
//
// It imports only the standard library. Protocol adapters, the store and the
// executors live under internal/ and depend on this package, never the other
// way round.
package barge
