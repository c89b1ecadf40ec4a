// Package plaintext writes the short plain-text answers both gateways'
// notification handlers give: the acknowledgement, or a generic refusal
// that echoes nothing from the request.
package plaintext

import (
	"io"
	"net/http"
)

// Write answers with status and body as text/plain, not to be sniffed or
// cached.
func Write(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
