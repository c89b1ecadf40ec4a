package main

import (
	"bytes"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/qr"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds one template per page, each with the common layout.
type pages struct {
	t map[string]*template.Template
}

var pageNames = []string{"catalogue", "account", "order", "success", "fail", "admin", "error"}

var templateFuncs = template.FuncMap{
	"money": func(d decimal.Decimal) string { return d.StringFixed(2) + " ₽" },
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	},
	"kindName": func(kind string) string {
		switch kind {
		case kindTopUp:
			return "top-up"
		case kindSubscription:
			return "subscription"
		case kindCharge:
			return "subscription charge"
		}
		return kind
	},
}

func loadPages() (*pages, error) {
	ps := &pages{t: make(map[string]*template.Template)}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		ps.t[name] = t
	}
	return ps, nil
}

// view is what a page shows. Pages use the fields they need.
type view struct {
	Title   string
	Backend backend
	Flash   string

	Products    []product
	Balance     decimal.Decimal
	ShowBalance bool
	Payments    []payment
	Payment     *payment
	Receipt     *robokassa.Receipt
	PayLink     string
	// PayQR is the payment link as a QR code: a data: URL of a PNG.
	PayQR template.URL
	// Refresh, when set, reloads the page at this URL after a few
	// seconds (a payment whose notification has not arrived yet).
	Refresh string
	// AdminActions is false when Robokassa has no test mode for refunds
	// and recurring charges.
	AdminActions bool
	Message      string
}

// render executes a page into a buffer, so that a template error becomes
// a 500 instead of half a page.
func (s *shop) render(w http.ResponseWriter, status int, name string, v view) {
	v.Backend = s.backend
	var b bytes.Buffer
	if err := s.pages.t[name].Execute(&b, v); err != nil {
		s.log.Error("page not rendered", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// fail shows an error page with a message of the shop's own (never text
// from the request).
func (s *shop) fail(w http.ResponseWriter, status int, message string) {
	s.render(w, status, "error", view{Title: http.StatusText(status), Message: message})
}

// cataloguePage lists what the shop sells, with the buyer's balance.
func (s *shop) cataloguePage(w http.ResponseWriter, r *http.Request) {
	buyer := s.buyer(w, r)
	bal, err := s.store.balance(r.Context(), buyer, s.backend.Test)
	if err != nil {
		s.log.Error("balance not read", "error", err)
		s.fail(w, http.StatusInternalServerError, "The shop could not read its database.")
		return
	}
	s.render(w, http.StatusOK, "catalogue", view{Title: "Catalogue", Products: catalogue, Balance: bal, ShowBalance: true})
}

// accountPage shows the buyer's balance and payment history.
func (s *shop) accountPage(w http.ResponseWriter, r *http.Request) {
	buyer := s.buyer(w, r)
	bal, err := s.store.balance(r.Context(), buyer, s.backend.Test)
	if err != nil {
		s.log.Error("balance not read", "error", err)
		s.fail(w, http.StatusInternalServerError, "The shop could not read its database.")
		return
	}
	ps, err := s.store.payments(r.Context(), buyer)
	if err != nil {
		s.log.Error("payments not read", "error", err)
		s.fail(w, http.StatusInternalServerError, "The shop could not read its database.")
		return
	}
	s.render(w, http.StatusOK, "account", view{Title: "My balance", Balance: bal, ShowBalance: true, Payments: ps})
}

// buy writes the order and its pending payment row first, then sends
// the buyer to the order page, which carries the payment link.
func (s *shop) buy(w http.ResponseWriter, r *http.Request) {
	buyer := s.buyer(w, r)
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	prod, ok := productByID(r.PostForm.Get("product"))
	if !ok {
		s.fail(w, http.StatusBadRequest, "There is no such product.")
		return
	}
	p, err := s.store.createOrder(r.Context(), buyer, prod, s.client.Test())
	if err != nil {
		s.log.Error("order not created", "product", prod.ID, "error", err)
		s.fail(w, http.StatusInternalServerError, "The order could not be created.")
		return
	}
	s.log.Info("order created", "order_id", p.OrderID, "inv_id", p.InvID, "product", prod.ID, "amount", p.Amount.StringFixed(2), "state", p.State)
	http.Redirect(w, r, "/order/"+strconv.FormatInt(p.InvID, 10), http.StatusSeeOther)
}

// orderPage shows one of the buyer's payments: with the payment link
// while it is pending, with its state and the balance once completed.
func (s *shop) orderPage(w http.ResponseWriter, r *http.Request) {
	buyer := s.buyer(w, r)
	inv, ok := parseInvID(r.PathValue("inv"))
	if !ok {
		s.fail(w, http.StatusNotFound, "There is no such order.")
		return
	}
	p, err := s.store.payment(r.Context(), inv)
	if errors.Is(err, errUnknownPayment) || err == nil && p.Buyer != buyer {
		s.fail(w, http.StatusNotFound, "There is no such order.")
		return
	}
	if err != nil {
		s.log.Error("payment not read", "inv_id", inv, "error", err)
		s.fail(w, http.StatusInternalServerError, "The shop could not read its database.")
		return
	}
	v := view{Title: "Order " + strconv.FormatInt(p.OrderID, 10), Payment: &p}
	if prod, ok := productByID(p.Product); ok {
		v.Receipt = receipt(prod, p.Amount)
	}
	if p.State == statePending && p.Kind != kindCharge {
		req, err := paymentRequest(p)
		if err == nil {
			v.PayLink, err = s.client.PaymentURL(req)
		}
		if err != nil {
			// The SDK checked every field and the receipt's total:
			// the buyer never gets a link Robokassa would refuse.
			s.log.Error("payment link not built", "inv_id", p.InvID, "error", err)
			s.fail(w, http.StatusInternalServerError, "The payment link could not be built.")
			return
		}
		s.log.Info("payment link built", "inv_id", p.InvID, "out_sum", req.OutSum.StringFixed(2), "recurring", req.Recurring, "test", s.client.Test())
		if v.PayQR, err = qrImage(v.PayLink); err != nil {
			// The link still works: the page shows it without a QR code.
			s.log.Warn("payment link has no QR code", "inv_id", p.InvID, "error", err)
		}
	}
	if v.Balance, err = s.store.balance(r.Context(), buyer, s.backend.Test); err != nil {
		s.log.Error("balance not read", "error", err)
	}
	v.ShowBalance = err == nil
	s.render(w, http.StatusOK, "order", v)
}

// successPage is where Robokassa sends the buyer after paying. It is
// informational: the signature is checked (Password #1) so that the page
// shows nothing for a forged request, but the payment is completed only
// by the ResultURL notification. If that has not arrived yet, the page
// says so and reloads the order page.
func (s *shop) successPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	n, err := s.client.VerifySuccess(r.Form)
	if err != nil {
		s.log.Warn("success redirect refused", "reason", err.Error(), "remote_addr", r.RemoteAddr)
		s.fail(w, http.StatusBadRequest, "This return from Robokassa could not be verified.")
		return
	}
	p, err := s.store.payment(r.Context(), n.InvID)
	if err != nil {
		s.log.Warn("success redirect for an unknown payment", "inv_id", n.InvID, "error", err)
		s.fail(w, http.StatusNotFound, "There is no such order.")
		return
	}
	s.log.Info("buyer back from Robokassa (success)", "inv_id", p.InvID, "state", p.State)
	v := view{Title: "Thank you", Payment: &p}
	if buyer := knownBuyer(r); buyer == p.Buyer {
		if v.Balance, err = s.store.balance(r.Context(), buyer, s.backend.Test); err == nil {
			v.ShowBalance = true
		}
	}
	if p.State == statePending {
		v.Refresh = "/order/" + strconv.FormatInt(p.InvID, 10)
	}
	s.render(w, http.StatusOK, "success", v)
}

// failPage is where Robokassa sends the buyer who declined or whose
// payment failed. Robokassa does not sign it, so it changes nothing: the
// payment stays pending and the buyer may try again.
func (s *shop) failPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "The form could not be read.")
		return
	}
	v := view{Title: "Payment not completed"}
	n, err := robokassa.ParseFail(r.Form)
	if err == nil {
		if p, err := s.store.payment(r.Context(), n.InvID); err == nil && p.Buyer == knownBuyer(r) {
			v.Payment = &p
		}
		s.log.Info("buyer back from Robokassa (fail)", "inv_id", n.InvID)
	} else {
		s.log.Warn("fail redirect not understood", "reason", err.Error())
	}
	s.render(w, http.StatusOK, "fail", v)
}

// qrPixelsPerModule is the scale of the payment QR code: about three
// pixels per module is what a phone camera needs to read a screen.
const qrPixelsPerModule = 3

// qrImage renders a payment link as a QR code, for a phone to scan next
// to the pay button (issue #12): a PNG inlined as a data: URL, so the
// page needs no second request and the link never leaves the page.
func qrImage(link string) (template.URL, error) {
	code, err := qr.Encode(link)
	if err != nil {
		return "", err
	}
	png, err := code.PNG(qrPixelsPerModule * code.MinPNGSize())
	if err != nil {
		return "", err
	}
	// Built here from our own bytes: safe as a URL.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}
