package robokassa

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/robokassa-go/robokassa/internal/plaintext"
)

// maxNotificationBody caps a notification request body (64 KiB).
const maxNotificationBody = 64 << 10

// ResultHandler returns an http.Handler for the ResultURL (spec §4.1). It
// accepts GET and POST, caps the body at 64 KiB, verifies the notification
// with [Client.VerifyResult] and calls fn. Only when fn returns nil does
// it answer 200 "OK<InvId>", which tells Robokassa to stop retrying; fn
// must therefore be idempotent (Robokassa repeats a notification until it
// is acknowledged, and may deliver it twice at once). A bad or forged
// request gets 400; an error from fn, or a panic in it (recovered), gets
// 500 so that Robokassa retries. No answer echoes anything from the
// request.
//
// Every refusal is logged through Config.Logger (see [Config]): at Warn
// with the reason (bad signature, duplicate parameter, test notification
// sent to a production client, fn's error, …), the InvId when it is a
// number, the remote address and the client's mode (test or production:
// the usual cause of a bad signature); a panic in fn at Error. Never a
// password, a signature or a raw body.
//
// It fails where it is built, not on every notification: with a nil fn,
// or on a client without Password #2 ([ErrNoPassword2]).
func (c *Client) ResultHandler(fn func(context.Context, *Notification) error) (http.Handler, error) {
	switch {
	case fn == nil:
		return nil, invalid("ResultHandler", "needs a function to call with each verified notification")
	case c.keys().pass2 == "":
		return nil, fmt.Errorf("%w: ResultHandler verifies notifications with it", ErrNoPassword2)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := c.refusals(r, "ResultURL")
		if !allowMethod(w, r, log, http.MethodGet, http.MethodPost) {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxNotificationBody)
		if err := r.ParseForm(); err != nil {
			log.refuse(w, http.StatusBadRequest, bodyReason(err), "")
			return
		}
		n, err := c.VerifyResult(r.Form)
		if err != nil {
			log.refuse(w, http.StatusBadRequest, refusalReason(err), r.Form.Get("InvId"))
			return
		}
		invID := strconv.FormatInt(n.InvID, 10)
		if callShop(w, log, invID, func() error { return fn(r.Context(), n) }) {
			plaintext.Write(w, http.StatusOK, "OK"+invID)
		}
	}), nil
}

// ResultURL2Handler returns an http.Handler for the ResultUrl2 address
// (spec §4.4). It accepts POST only (405 with an Allow header otherwise),
// caps the body at 64 KiB, verifies it with [Client.VerifyResultURL2]
// against key (so the shop is always checked) and calls fn. Only when fn
// returns nil does it answer 200 "OK", which stops Robokassa's retries;
// fn must therefore be idempotent. A bad or forged request gets 400; an
// error from fn, or a panic in it (recovered), gets 500. Refusals are
// logged as [Client.ResultHandler] logs them.
//
// It fails where it is built with a nil fn or a key that cannot be
// Robokassa's (nil, not RSA, shorter than 2048 bits).
//
// The body is the compact JWS itself, as Robokassa's documentation shows
// it; surrounding whitespace is ignored and the Content-Type is not
// consulted. A body that is the same JWS wrapped once more in standard
// base64 (which one integrator reports Robokassa support described) is
// also accepted: it contains no '.', so it cannot be mistaken for a raw
// token, and it must still verify. Form fields and JSON-quoted bodies are
// not accepted: nothing shows Robokassa sends them.
func (c *Client) ResultURL2Handler(key *rsa.PublicKey, fn func(context.Context, *PaymentStateNotification) error) (http.Handler, error) {
	if fn == nil {
		return nil, invalid("ResultURL2Handler", "needs a function to call with each verified notification")
	}
	if err := checkResultURL2Key(key); err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := c.refusals(r, "ResultUrl2")
		if !allowMethod(w, r, log, http.MethodPost) {
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxNotificationBody))
		if err != nil {
			log.refuse(w, http.StatusBadRequest, bodyReason(err), "")
			return
		}
		n, err := c.VerifyResultURL2(resultURL2Token(body), key)
		if err != nil {
			log.refuse(w, http.StatusBadRequest, refusalReason(err), "")
			return
		}
		if callShop(w, log, strconv.FormatInt(n.InvID, 10), func() error { return fn(r.Context(), n) }) {
			plaintext.Write(w, http.StatusOK, "OK")
		}
	}), nil
}

// refusalLog is the shop's account of one notification request: who sent
// it, to which handler, and to a client in which mode.
type refusalLog struct {
	logger  *slog.Logger
	handler string
	remote  string
	mode    string
}

func (c *Client) refusals(r *http.Request, handler string) refusalLog {
	mode := "production"
	if c.test {
		mode = "test"
	}
	return refusalLog{logger: c.logger, handler: handler, remote: r.RemoteAddr, mode: mode}
}

// attrs are the fields every line carries. invID is logged only when it
// is a number: nothing else from the request reaches the log.
func (l refusalLog) attrs(reason, invID string) []any {
	a := []any{slog.String("handler", l.handler), slog.String("reason", truncate(reason, 256))}
	if _, err := strconv.ParseInt(invID, 10, 64); err == nil {
		a = append(a, slog.String("inv_id", invID))
	}
	return append(a, slog.String("remote_addr", l.remote), slog.String("mode", l.mode))
}

// refuse logs a refused notification at Warn and answers it.
func (l refusalLog) refuse(w http.ResponseWriter, status int, reason, invID string) {
	l.logger.Warn("robokassa: notification refused", l.attrs(reason, invID)...)
	plaintext.Write(w, status, strings.ToLower(http.StatusText(status))+"\n")
}

// allowMethod answers 405 (and logs it) unless r uses one of methods.
func allowMethod(w http.ResponseWriter, r *http.Request, l refusalLog, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	allow := methods[0]
	for _, m := range methods[1:] {
		allow += ", " + m
	}
	w.Header().Set("Allow", allow)
	l.refuse(w, http.StatusMethodNotAllowed, "method "+strconv.Quote(truncate(r.Method, 16))+" not allowed", "")
	return false
}

// callShop runs the shop's callback for a verified notification and
// reports whether it succeeded. An error is logged at Warn and a panic,
// recovered, at Error; both are answered 500 so that Robokassa retries.
func callShop(w http.ResponseWriter, l refusalLog, invID string, fn func() error) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			l.logger.Error("robokassa: notification handler panicked", append(l.attrs(fmt.Sprint(p), invID), slog.String("error", "panic"))...)
			plaintext.Write(w, http.StatusInternalServerError, "internal error\n")
			ok = false
		}
	}()
	if err := fn(); err != nil {
		l.logger.Warn("robokassa: notification refused", l.attrs("the shop's handler failed: "+err.Error(), invID)...)
		plaintext.Write(w, http.StatusInternalServerError, "internal error\n")
		return false
	}
	return true
}

// refusalReason says why a notification was refused, for the shop's log:
// the error's own text, which names parameters but never their values
// (bad signature says nothing more).
func refusalReason(err error) string {
	if errors.Is(err, ErrBadSignature) {
		return "bad signature: check the password pair in use (test or production) and the hash algorithm"
	}
	return err.Error()
}

// bodyReason describes a request body that could not be read.
func bodyReason(err error) string {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return "body larger than " + strconv.Itoa(maxNotificationBody) + " bytes"
	}
	var escape url.EscapeError
	if errors.As(err, &escape) {
		return "malformed form encoding"
	}
	return "unreadable body"
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
