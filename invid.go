package robokassa

import (
	"crypto/rand"
	"encoding/binary"
)

// NewInvID returns a random positive int64 for Payment.InvID, drawn from
// crypto/rand, so ids are unique across goroutines, processes and
// machines without coordination. Values are uniform in [1, 2^63-1].
//
// Collision bound: among n ids the chance that any two are equal is at
// most n²/2^64 — about 5×10⁻⁸ for a million ids and 5×10⁻⁴ for a hundred
// million. Store pending payments under a unique constraint anyway and
// draw again on the (rare) conflict: Robokassa refuses a repeated InvId
// with error 40.
func NewInvID() int64 {
	var b [8]byte
	for {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		if id := int64(binary.LittleEndian.Uint64(b[:]) >> 1); id > 0 {
			return id
		}
	}
}
