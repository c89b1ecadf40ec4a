package robokassa

import (
	"context"
	"testing"
	"time"
)

// What the external test package (package robokassa_test, the protocol
// tests against robokassatest.Server) needs of the package's internals.
// robokassatest imports robokassa, so tests that use the emulator cannot
// live in package robokassa itself.

// RetryAttempts is how often the transport sends an idempotent read.
const RetryAttempts = retryAttempts

// PollDelay is AwaitPaid's wait after the n-th poll.
func PollDelay(n int) time.Duration { return pollDelay(n) }

// AwaitPaidWith is AwaitPaid with the wait between polls supplied, so a
// test can move the operation on between two polls without sleeping.
func (c *Client) AwaitPaidWith(ctx context.Context, invID int64, wait func(context.Context, time.Duration) error) (*OperationState, error) {
	return c.awaitPaid(ctx, invID, wait)
}

// The Go side of the Python vectors, for the protocol tests that send
// them to the emulator.
var (
	InvoiceVectorInvoice = invoiceVectorInvoice
	InvoiceVectorQuery   = invoiceVectorQuery
	SplitVectorInvoice   = splitVectorInvoice
)

// MerchantVector is a case of testdata/merchant_vectors.json.
type MerchantVector = merchantVector

// LoadMerchantVectors returns the vectors of one kind: recurring, confirm
// or cancel.
var LoadMerchantVectors = loadMerchantVectors

// GoReceipt is the vector's receipt as a Go value (nil when it has none).
func (v merchantVector) GoReceipt(t *testing.T) *Receipt { return v.receipt(t) }
