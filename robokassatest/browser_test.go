package robokassatest_test

import (
	"context"
	"crypto/rsa"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// This file is the tests' stand-in for a buyer's browser and a shop: a
// form reader that needs no dependency (the emulator's pages are simple
// HTML that encoding/xml reads in its lenient mode), and a shop with its
// own handlers and "database".

// htmlForm is a form as a browser sees it.
type htmlForm struct {
	ID, Action, Method string
	Fields             url.Values          // hidden, text, email inputs and checked radios
	Buttons            map[string][]string // id → name, value
}

// parseForms reads the forms of an HTML page.
func parseForms(t testing.TB, page string) []htmlForm {
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var forms []htmlForm
	var cur *htmlForm
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "the page must be readable HTML")
		switch el := tok.(type) {
		case xml.StartElement:
			a := map[string]string{}
			for _, at := range el.Attr {
				a[strings.ToLower(at.Name.Local)] = at.Value
			}
			switch strings.ToLower(el.Name.Local) {
			case "form":
				forms = append(forms, htmlForm{ID: a["id"], Action: a["action"], Method: strings.ToUpper(a["method"]), Fields: url.Values{}, Buttons: map[string][]string{}})
				cur = &forms[len(forms)-1]
			case "input":
				if cur == nil || a["name"] == "" {
					continue
				}
				if a["type"] == "radio" || a["type"] == "checkbox" {
					if _, checked := a["checked"]; !checked {
						continue
					}
				}
				cur.Fields.Add(a["name"], a["value"])
			case "button":
				if cur != nil {
					cur.Buttons[a["id"]] = []string{a["name"], a["value"]}
				}
			}
		case xml.EndElement:
			if strings.EqualFold(el.Name.Local, "form") {
				cur = nil
			}
		}
	}
	return forms
}

// browser is a buyer's browser: it keeps no cookies (Robokassa's flow needs
// none) and follows redirects to the shop.
type browser struct {
	t  testing.TB
	hc *http.Client
}

func newBrowser(t testing.TB) *browser {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &browser{t: t, hc: &http.Client{Transport: tr}}
}

// get loads a page and returns its final URL, status and body.
func (b *browser) get(u string) (*http.Response, string) {
	resp, err := b.hc.Get(u)
	require.NoError(b.t, err)
	return resp, readAll(b.t, resp)
}

// submit presses a form's button (by id; "" for none) as a browser does:
// the form's fields plus the button's name and value, to the action
// resolved against base.
func (b *browser) submit(base string, f htmlForm, button string) (*http.Response, string) {
	v := url.Values{}
	for k, vs := range f.Fields {
		v[k] = append([]string(nil), vs...)
	}
	if button != "" {
		nv, ok := f.Buttons[button]
		require.True(b.t, ok, "button %q on the form", button)
		if nv[0] != "" {
			v.Set(nv[0], nv[1])
		}
	}
	action, err := url.Parse(base)
	require.NoError(b.t, err)
	target, err := action.Parse(f.Action)
	require.NoError(b.t, err)
	var resp *http.Response
	if f.Method == http.MethodPost {
		resp, err = b.hc.PostForm(target.String(), v)
	} else {
		target.RawQuery = v.Encode()
		resp, err = b.hc.Get(target.String())
	}
	require.NoError(b.t, err)
	return resp, readAll(b.t, resp)
}

func readAll(t testing.TB, resp *http.Response) string {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// paymentForm returns the payment page's form (the one with the Pay
// button).
func paymentForm(t testing.TB, page string) htmlForm {
	for _, f := range parseForms(t, page) {
		if _, ok := f.Buttons["pay"]; ok {
			return f
		}
	}
	require.Failf(t, "no payment form", "page:\n%s", page)
	return htmlForm{}
}

// testShop is a shop under test: its own handlers (ResultURL through the
// SDK's ResultHandler, SuccessURL, FailURL) and its own database.
type testShop struct {
	*httptest.Server
	mu        sync.Mutex
	paid      map[int64]*robokassa.Notification // the shop's database
	calls     int                               // ResultURL calls that reached fn
	successes []*robokassa.Notification
	fails     []*robokassa.Notification
	refuse    int // answer this many ResultURL calls with an error first
	states    []*robokassa.PaymentStateNotification
	key       func() *rsa.PublicKey
}

// newTestShop starts a shop whose handlers verify with cfg.
func newTestShop(t testing.TB) *testShop {
	sh := &testShop{paid: map[int64]*robokassa.Notification{}}
	sh.Server = httptest.NewUnstartedServer(nil)
	t.Cleanup(sh.Close)
	return sh
}

// start wires the shop's handlers to a client configured like cfg and
// starts it.
func (sh *testShop) start(t testing.TB, cfg robokassa.Config) {
	c, err := robokassa.NewClient(cfg)
	require.NoError(t, err)
	result, err := c.ResultHandler(func(_ context.Context, n *robokassa.Notification) error {
		sh.mu.Lock()
		defer sh.mu.Unlock()
		sh.calls++
		if sh.refuse > 0 {
			sh.refuse--
			return errors.New("database down")
		}
		if _, dup := sh.paid[n.InvID]; !dup {
			sh.paid[n.InvID] = n
		}
		return nil
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/result", result)
	mux.HandleFunc("/success", func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		n, err := c.VerifySuccess(r.Form)
		if err != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		sh.mu.Lock()
		sh.successes = append(sh.successes, n)
		sh.mu.Unlock()
		_, _ = io.WriteString(w, "thank you")
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		n, err := robokassa.ParseFail(r.Form)
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		sh.mu.Lock()
		sh.fails = append(sh.fails, n)
		sh.mu.Unlock()
		_, _ = io.WriteString(w, "not paid")
	})
	mux.HandleFunc("/result2", func(w http.ResponseWriter, r *http.Request) {
		h, err := c.ResultURL2Handler(sh.key(), func(_ context.Context, n *robokassa.PaymentStateNotification) error {
			sh.mu.Lock()
			defer sh.mu.Unlock()
			sh.states = append(sh.states, n)
			return nil
		})
		require.NoError(t, err)
		h.ServeHTTP(w, r)
	})
	sh.Config.Handler = mux
	sh.Start()
}

// resultURL2 returns the ResultUrl2 notifications the shop verified.
func (sh *testShop) resultURL2() []*robokassa.PaymentStateNotification {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return append([]*robokassa.PaymentStateNotification(nil), sh.states...)
}

func (sh *testShop) paidOrder(id int64) (*robokassa.Notification, bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	n, ok := sh.paid[id]
	return n, ok
}

// setup starts a shop and an emulator wired to each other: the emulator's
// shop notifies the test shop, whose handlers verify with the emulator's
// credentials.
func setup(t testing.TB, edit func(*robokassatest.Shop)) (*robokassatest.Server, *testShop) {
	return setupCfg(t, edit, nil)
}

// setupCfg is setup with the shop's own client configuration edited
// (Test: true for a shop in test mode).
func setupCfg(t testing.TB, edit func(*robokassatest.Shop), cfgEdit func(*robokassa.Config)) (*robokassatest.Server, *testShop) {
	return setupFull(t, edit, nil, cfgEdit)
}

// setupFull is setupCfg with the server edited before it starts
// (Retries, Logger).
func setupFull(t testing.TB, edit func(*robokassatest.Shop), srvEdit func(*robokassatest.Server), cfgEdit func(*robokassa.Config)) (*robokassatest.Server, *testShop) {
	shop := newTestShop(t)
	base := "http://" + shop.Listener.Addr().String()
	s := robokassatest.Shop{
		MerchantLogin: "demo", Password1: "p1", Password2: "p2",
		TestPassword1: "t1", TestPassword2: "t2", Password3: "p3",
		Algorithm:  robokassa.SHA256,
		ResultURL:  base + "/result",
		SuccessURL: base + "/success",
		FailURL:    base + "/fail",
	}
	if edit != nil {
		edit(&s)
	}
	srv := robokassatest.NewUnstartedServer(s)
	if srvEdit != nil {
		srvEdit(srv)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	shop.key = srv.ResultURL2Key
	cfg := srv.ClientConfig()
	if cfgEdit != nil {
		cfgEdit(&cfg)
	}
	shop.start(t, cfg)
	return srv, shop
}

// redirects returns the SuccessURL and FailURL redirects the shop saw.
func (sh *testShop) redirects() (successes, fails []*robokassa.Notification) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return append([]*robokassa.Notification(nil), sh.successes...), append([]*robokassa.Notification(nil), sh.fails...)
}
