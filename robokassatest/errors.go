package robokassatest

import (
	"errors"
	"fmt"

	"github.com/robokassa-go/robokassa"
)

// Errors the Server's methods return. Each matches one of these under
// errors.Is, or is a [*ShopError] or a [*StateError].
var (
	// ErrNoOperation means no operation (or notification, or invoice)
	// matches what the call names: for instance Pay before the buyer
	// opened the payment page.
	ErrNoOperation = errors.New("robokassatest: no such operation")
	// ErrInvalidArgument means an argument breaks the method's rule, which
	// the error names.
	ErrInvalidArgument = errors.New("robokassatest: invalid argument")
)

// ShopError reports a [Shop] that breaks a rule: Field names the field
// ("Password1"), Reason the rule. It never contains a password.
type ShopError struct {
	Field  string
	Reason string
}

func (e *ShopError) Error() string { return "robokassatest: Shop." + e.Field + " " + e.Reason }

// StateError reports an operation that is not waiting for the buyer, so
// it cannot be paid or declined: it is already paid, held, declined or
// refunded (State), or it expired (Expired).
type StateError struct {
	InvID   int64
	State   robokassa.State
	Expired bool
}

func (e *StateError) Error() string {
	if e.Expired {
		return fmt.Sprintf("robokassatest: the payment with InvId %d expired", e.InvID)
	}
	return fmt.Sprintf("robokassatest: the payment with InvId %d is %s (state %d), not waiting for the buyer", e.InvID, e.State, int(e.State))
}
