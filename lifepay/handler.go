package lifepay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/robokassa-go/robokassa/internal/plaintext"
)

// NotificationHandler returns an http.Handler for the shop's notification
// URL (§4). It accepts only POST with an application/x-www-form-urlencoded
// body of at most 64 KiB and 64 parameters, verifies the notification with
// [Client.VerifyNotification] and calls fn.
//
// Only when fn returns nil does it answer 200 with the body "OK": Life-Pay
// documents no particular answer (§4), and a notification may be repeated,
// so fn must be idempotent. An error from fn, or a panic in it, gets 500
// so that Life-Pay may try again. A bad or forged request gets 400 (405
// for a method other than POST). Every answer has a short generic body
// that echoes nothing from the request.
//
// Each refused request is logged through Config.Logger at Warn with the
// reason; an error or a recovered panic from fn at Error. Nothing logged
// contains the secret key, the check value or the request body.
func (c *Client) NotificationHandler(fn func(context.Context, *Notification) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, reason := c.readNotification(w, r)
		if reason != "" {
			c.logger.LogAttrs(r.Context(), slog.LevelWarn, "lifepay: notification refused",
				slog.String("reason", reason), slog.String("remote", r.RemoteAddr))
			return
		}
		if err := c.call(r.Context(), fn, n); err != nil {
			c.logger.LogAttrs(r.Context(), slog.LevelError, "lifepay: notification callback failed",
				slog.String("error", err.Error()), slog.String("tid", n.TransactionID))
			plaintext.Write(w, http.StatusInternalServerError, "internal error\n")
			return
		}
		plaintext.Write(w, http.StatusOK, "OK")
	})
}

// call runs fn, turning a panic into an error. http.ErrAbortHandler is
// passed on: it is net/http's way to abort a response.
func (c *Client) call(ctx context.Context, fn func(context.Context, *Notification) error, n *Notification) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return fn(ctx, n)
}

// readNotification reads and verifies a notification request. On failure
// it has answered the request and returns why it refused it.
func (c *Client) readNotification(w http.ResponseWriter, r *http.Request) (*Notification, string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		plaintext.Write(w, http.StatusMethodNotAllowed, "method not allowed\n")
		return nil, "method " + methodName(r.Method) + " not allowed"
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		plaintext.Write(w, http.StatusBadRequest, "bad request\n")
		return nil, "content type is not application/x-www-form-urlencoded"
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxNotificationBytes))
	if err != nil {
		plaintext.Write(w, http.StatusBadRequest, "bad request\n")
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, ErrTooLarge.Error()
		}
		return nil, "body could not be read"
	}
	body := string(raw)
	// Count before parsing: a body of many tiny parameters is refused
	// without building them (§4).
	if strings.Count(body, "&") >= maxParams {
		plaintext.Write(w, http.StatusBadRequest, "bad request\n")
		return nil, ErrTooLarge.Error()
	}
	form, err := url.ParseQuery(body)
	if err != nil {
		plaintext.Write(w, http.StatusBadRequest, "bad request\n")
		return nil, "body is not a valid form"
	}
	n, err := c.VerifyNotification(form)
	if err != nil {
		plaintext.Write(w, http.StatusBadRequest, "bad request\n")
		return nil, err.Error()
	}
	return n, ""
}

// methodName returns a request method for a log line: a standard method
// as is, anything else replaced, since it is the sender's free text.
func methodName(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "(non-standard)"
}
