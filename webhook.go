package barge

// WebhookDelivery is one job state change event owed to one webhook: a row
// of the webhooks' outbox, which the store keeps and internal/webhooks
// delivers.
type WebhookDelivery struct {
	Seq       int64 // set by the store
	URL       string
	EventID   string
	Body      []byte
	CreatedAt int64 // Unix milliseconds
	Attempts  int
	NextAt    int64 // Unix milliseconds: the next attempt is not before
	LastError string
}
