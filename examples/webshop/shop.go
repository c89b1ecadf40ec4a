package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/robokassa-go/robokassa"
)

// Paths of the shop. The three under /robokassa/ are the addresses
// Robokassa calls (ResultURL) or sends the buyer back to (SuccessURL,
// FailURL): the embedded emulator is wired to them, and a real shop
// enters them in Robokassa's technical settings.
const (
	pathResult  = "/robokassa/result"
	pathSuccess = "/robokassa/success"
	pathFail    = "/robokassa/fail"
)

// maxFormBody caps the body of every form the shop reads (64 KiB).
const maxFormBody = 64 << 10

// backend says which Robokassa the shop talks to, for the pages.
type backend struct {
	// Embedded is true when the shop runs its own robokassatest.Server.
	Embedded bool
	// URL is the emulator's address, or Robokassa's payment host.
	URL string
	// Test is Robokassa's test mode (IsTest=1, the test passwords).
	Test bool
}

// shop is the web shop: its pages, its notification handler, and its
// admin actions. It is safe for concurrent use.
type shop struct {
	client  *robokassa.Client
	store   *store
	log     *slog.Logger
	pages   *pages
	backend backend
	// adminPassword, when set, guards the admin page with HTTP basic
	// authentication (user "admin").
	adminPassword robokassa.Secret
	result        http.Handler
}

// newShop wires the shop to its client and database.
func newShop(client *robokassa.Client, st *store, log *slog.Logger, be backend, adminPassword robokassa.Secret) (*shop, error) {
	s := &shop{client: client, store: st, log: log, backend: be, adminPassword: adminPassword}
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	// The SDK verifies the notification (signature, duplicates, test
	// mode), logs what it refuses through Config.Logger, and answers
	// OK<InvId> only when onResult returns nil.
	if s.result, err = client.ResultHandler(s.onResult); err != nil {
		return nil, err
	}
	return s, nil
}

// routes returns the shop's handler. The shop's own forms (buying, the
// admin buttons) are protected against cross-site requests; the
// /robokassa/ addresses are not, since Robokassa's server and the buyer's
// browser coming back from Robokassa's page are cross-site by design.
func (s *shop) routes() http.Handler {
	own := http.NewServeMux()
	own.HandleFunc("GET /{$}", s.cataloguePage)
	own.HandleFunc("GET /account", s.accountPage)
	own.HandleFunc("POST /buy", s.buy)
	own.HandleFunc("GET /order/{inv}", s.orderPage)
	own.Handle("GET /admin", s.admin(s.adminPage))
	own.Handle("POST /admin/refund", s.admin(s.refundAction))
	own.Handle("POST /admin/refund-state", s.admin(s.refundStateAction))
	own.Handle("POST /admin/charge", s.admin(s.chargeAction))

	mux := http.NewServeMux()
	mux.Handle(pathResult, s.result)
	mux.HandleFunc(pathSuccess, s.successPage)
	mux.HandleFunc(pathFail, s.failPage)
	mux.Handle("/", http.NewCrossOriginProtection().Handler(own))
	return mux
}

// onResult is called by the SDK's ResultURL handler with a verified
// notification. It completes the payment once; a repeat is acknowledged
// and changes nothing. An unknown InvId, an amount other than the row's
// or another order's Shp_order is refused: the SDK then answers 500, not
// OK<InvId>, and logs the refusal.
func (s *shop) onResult(ctx context.Context, n *robokassa.Notification) error {
	log := s.log.With("inv_id", n.InvID)
	log.Info("notification verified", "out_sum", n.OutSum.String(), "test", n.IsTest)
	c := completion{InvID: n.InvID, OutSum: n.OutSum, Fee: n.Fee, Method: n.PaymentMethod}
	if o, ok := n.Shp["order"]; ok {
		id, err := strconv.ParseInt(o, 10, 64)
		if err != nil || id <= 0 {
			log.Warn("notification refused: Shp_order is not an order number")
			return errors.New("webshop: Shp_order is not an order number")
		}
		c.OrderID = id
	}
	out, p, before, err := s.store.complete(ctx, c)
	var amountErr *amountError
	switch {
	case errors.Is(err, errUnknownPayment):
		log.Warn("notification refused: unknown InvId")
		return err
	case errors.As(err, &amountErr):
		log.Warn("notification refused: amount differs from the payment", "want", amountErr.Want.StringFixed(2), "got", amountErr.Got.String())
		return err
	case err != nil:
		log.Error("notification not processed", "error", err)
		return err
	case out == duplicate:
		log.Info("duplicate notification ignored", "state", p.State)
	default:
		if before == stateFailed {
			log.Warn("a payment marked failed was paid after all")
		}
		log.Info("payment completed", "kind", p.Kind, "amount", p.Amount.StringFixed(2), "order_id", p.OrderID)
	}
	return nil
}

// buyerCookie names the cookie that tells buyers apart. The demo has no
// accounts: a random id in a cookie is the buyer.
const buyerCookie = "buyer"

// buyer returns the buyer's id, setting a new one on first visit.
func (s *shop) buyer(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(buyerCookie); err == nil && validBuyerID(c.Value) {
		return c.Value
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	id := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: buyerCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	return id
}

// knownBuyer returns the buyer's id from the cookie, or "" without one.
func knownBuyer(r *http.Request) string {
	if c, err := r.Cookie(buyerCookie); err == nil && validBuyerID(c.Value) {
		return c.Value
	}
	return ""
}

func validBuyerID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// admin guards an admin handler with basic authentication when the shop
// has an admin password. The comparison is constant-time.
func (s *shop) admin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.adminPassword != "" {
			user, pass, ok := r.BasicAuth()
			userOK := subtle.ConstantTimeCompare([]byte(user), []byte("admin"))
			passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(string(s.adminPassword)))
			if !ok || userOK&passOK != 1 {
				w.Header().Set("WWW-Authenticate", `Basic realm="webshop admin", charset="UTF-8"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		h(w, r)
	})
}

// parseInvID reads a positive InvId.
func parseInvID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// paymentRequest is what the shop asks Robokassa for a payment row: its
// sum, its InvId, the product's description, a 54-FZ receipt of one
// line, Shp_order (which comes back in every notification), and
// Recurring for the parent of a subscription.
func paymentRequest(p payment) (robokassa.Payment, error) {
	prod, ok := productByID(p.Product)
	if !ok {
		return robokassa.Payment{}, errors.New("webshop: the order's product is no longer sold")
	}
	return robokassa.Payment{
		OutSum:      p.Amount,
		InvID:       p.InvID,
		Description: prod.Description,
		Culture:     "en",
		Receipt:     receipt(prod, p.Amount),
		Recurring:   p.Kind == kindSubscription,
		Shp:         map[string]string{"order": strconv.FormatInt(p.OrderID, 10)},
	}, nil
}
