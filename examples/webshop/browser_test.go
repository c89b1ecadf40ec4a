package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa"
)

// chromiumNames are the binaries the browser test looks for on PATH.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// findChromium returns the path of a Chromium binary: $CHROME_PATH, or
// the first of chromiumNames on PATH.
func findChromium() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// tab is a headless Chromium tab driven by chromedp, saving a
// screenshot of each page it is asked to.
type tab struct {
	t     *testing.T
	ctx   context.Context
	dir   string // where screenshots go: the test's temporary directory
	shots int
}

// newTab starts a headless Chromium with a fresh profile. Without a
// Chromium binary the test is skipped, unless CI is set: in CI it fails.
func newTab(t *testing.T) *tab {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("CI") == "" {
			t.Skip("no Chromium binary found (install the chromium package); CI is unset, so the browser test is skipped")
		}
		t.Fatalf("CI is set and no Chromium binary was found (looked for $CHROME_PATH and %s)", strings.Join(chromiumNames, ", "))
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	require.NoError(t, chromedp.Do(ctx), "start Chromium at %s", path)
	return &tab{t: t, ctx: ctx, dir: t.TempDir()}
}

// open navigates to url.
func (b *tab) open(url string) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.ctx, chromedp.Navigate(url)), "open %s", url)
}

// click clicks the element with the given CSS selector.
func (b *tab) click(sel string) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(sel))), "click %s", sel)
}

// waitFor waits until the JavaScript expression is true (a new page,
// usually).
func (b *tab) waitFor(expr string) {
	b.t.Helper()
	// Evaluated again and again rather than with chromedp.Poll, which
	// fails when the page navigates while it polls.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			b.t.Fatalf("waited 30s for %s (at %s): last error %v", expr, b.location(), err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitPath waits until the page's path starts with prefix.
func (b *tab) waitPath(prefix string) {
	b.t.Helper()
	b.waitFor(fmt.Sprintf("location.pathname.startsWith(%q) && document.readyState === 'complete'", prefix))
}

// text returns the visible text of the element with the CSS selector.
func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(b.t, err, "text of %s", sel)
	return strings.TrimSpace(s)
}

// attr returns an attribute of the element with the CSS selector.
func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	r, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	require.NoError(b.t, err, "attribute %s of %s", name, sel)
	return r.Value
}

func (b *tab) location() string {
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

// shot saves a screenshot of the page as NN-name.png in the test's
// directory (and in $WEBSHOP_SCREENSHOTS, when set), and returns its
// path.
func (b *tab) shot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	require.NoError(b.t, err, "screenshot %s", name)
	require.NotEmpty(b.t, png)
	b.shots++
	file := fmt.Sprintf("%02d-%s.png", b.shots, name)
	path := filepath.Join(b.dir, file)
	require.NoError(b.t, os.WriteFile(path, png, 0o644))
	if dir := os.Getenv("WEBSHOP_SCREENSHOTS"); dir != "" {
		require.NoError(b.t, os.WriteFile(filepath.Join(dir, file), png, 0o644))
	}
	return path
}

// TestBrowserOrderPage drives the shop's own pages in Chromium: the
// catalogue, the buy button, the order page with its payment link.
func TestBrowserOrderPage(t *testing.T) {
	ts := newTestShop(t, testConfig(), backend{})
	b := newTab(t)

	b.open(ts.srv.URL + "/")
	assert.Equal(t, "0.00 ₽", b.text("#balance"))
	assert.Contains(t, b.text("#product-topup-500"), "Top-up 500 ₽")
	assert.Contains(t, b.text("#product-monthly"), "299.00 ₽ / month")
	b.shot("catalogue")

	b.click("#buy-topup-500")
	b.waitPath("/order/")
	assert.Equal(t, "pending", b.text("#state"))
	assert.Equal(t, "500.00 ₽", b.text("#amount"))
	assert.Contains(t, b.text("#receipt"), "advance")
	link := b.attr("#pay-link", "href")
	assert.True(t, strings.HasPrefix(link, "https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo-shop&OutSum=500.00&InvId="), link)
	qrWidth, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelector("#pay-qr").naturalWidth`))
	require.NoError(t, err)
	assert.Greater(t, qrWidth, 200, "the QR code is drawn next to the pay button")
	b.shot("order")

	b.click("#nav-account")
	b.waitPath("/account")
	assert.Contains(t, b.text("#history"), "pending")
	assert.Equal(t, "0.00 ₽", b.text("#balance"), "a pending payment is not balance")
	b.shot("account")
}

// startEmbedded starts the shop as main does with no ROBOKASSA_LOGIN:
// with the embedded emulator, on a fresh database and free ports.
func startEmbedded(t *testing.T) (*app, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	a, err := start(context.Background(), options{addr: "127.0.0.1:0", db: filepath.Join(t.TempDir(), "shop.db")},
		func(string) string { return "" }, slog.New(rec))
	require.NoError(t, err)
	t.Cleanup(func() {
		secrets := a.Emulator.ClientConfig()
		assert.NoError(t, a.Close())
		for _, pw := range []robokassa.Secret{secrets.Password1, secrets.Password2, secrets.Password3, secrets.TestPassword1, secrets.TestPassword2} {
			assert.NotContains(t, rec.all(), string(pw), "a password in the log")
		}
	})
	return a, rec
}

// payOnEmulator follows the order page's payment link to the emulator's
// payment page, checks that it asks for sum for InvId inv, screenshots
// it, and presses button (#pay or #decline).
func payOnEmulator(t *testing.T, b *tab, a *app, inv int64, sum, button, shot string) {
	t.Helper()
	b.click("#pay-link")
	b.waitFor(fmt.Sprintf("location.href.startsWith(%q) && document.querySelector(%q) !== null", a.Emulator.URL, button))
	assert.Equal(t, strconv.FormatInt(inv, 10), b.text("#invid"))
	assert.Equal(t, sum+" RUB", b.text("#sum"))
	if shot != "" {
		b.shot(shot)
	}
	b.click(button)
}

// TestBrowserShopFlow is the whole shop in Chromium, against the
// embedded emulator: buy a pack, pay on Robokassa's page, come back to
// the success page and see the balance grow; decline and see the fail
// page; refund from the admin page; subscribe, then "charge now".
func TestBrowserShopFlow(t *testing.T) {
	a, rec := startEmbedded(t)
	b := newTab(t)

	// The catalogue.
	b.open(a.ShopURL + "/")
	assert.Equal(t, "0.00 ₽", b.text("#balance"))
	assert.Contains(t, b.text("#backend"), "embedded emulator at "+a.Emulator.URL)
	b.shot("catalogue")

	// Buy a pack and pay.
	b.click("#buy-topup-500")
	b.waitPath("/order/")
	assert.Equal(t, "pending", b.text("#state"))
	paid, err := strconv.ParseInt(b.text("#inv-id"), 10, 64)
	require.NoError(t, err)
	b.shot("order")
	payOnEmulator(t, b, a, paid, "500.00", "#pay", "payment-page")
	b.waitPath(pathSuccess)
	assert.Equal(t, "Thank you", b.text("h1"))
	assert.Equal(t, strconv.FormatInt(paid, 10), b.text("#inv-id"))
	assert.Equal(t, "completed", b.text("#state"), "ResultURL was notified before the buyer came back")
	assert.Equal(t, "500.00 ₽", b.text("#balance"))
	b.shot("success")
	op, ok := a.Emulator.Operation(paid)
	require.True(t, ok)
	assert.Equal(t, robokassa.StatePaid, op.State)
	assert.Equal(t, "500.00", op.OutSum.StringFixed(2))

	// Decline another.
	b.open(a.ShopURL + "/")
	assert.Equal(t, "500.00 ₽", b.text("#balance"))
	b.click("#buy-topup-100")
	b.waitPath("/order/")
	declined, err := strconv.ParseInt(b.text("#inv-id"), 10, 64)
	require.NoError(t, err)
	payOnEmulator(t, b, a, declined, "100.00", "#decline", "")
	b.waitPath(pathFail)
	assert.Equal(t, "Payment not completed", b.text("#fail-title"))
	assert.Equal(t, "pending", b.text("#state"))
	b.shot("fail")
	b.open(a.ShopURL + "/account")
	assert.Equal(t, "500.00 ₽", b.text("#balance"))
	assert.Contains(t, b.text(fmt.Sprintf("#payment-%d", declined)), "pending")
	assert.Contains(t, b.text(fmt.Sprintf("#payment-%d", paid)), "completed")
	b.shot("account")

	// Refund the paid pack from the admin page.
	b.open(a.ShopURL + "/admin")
	assert.Contains(t, b.text(fmt.Sprintf("#payment-%d", paid)), "completed")
	b.click(fmt.Sprintf("#refund-%d", paid))
	b.waitFor(`document.querySelector("#flash") !== null`)
	assert.Contains(t, b.text("#flash"), fmt.Sprintf("Refund of payment %d accepted", paid))
	assert.Contains(t, []string{"finished", "processing"}, strings.Fields(b.text(fmt.Sprintf("#payment-%d .refund", paid)))[0])
	b.shot("admin-refund")
	op, ok = a.Emulator.Operation(paid)
	require.True(t, ok)
	assert.Equal(t, "500.00", op.Refunded.StringFixed(2))
	b.open(a.ShopURL + "/account")
	assert.Equal(t, "0.00 ₽", b.text("#balance"), "a refunded top-up leaves the balance")

	// Subscribe, then charge now.
	b.open(a.ShopURL + "/")
	b.click("#buy-monthly")
	b.waitPath("/order/")
	parent, err := strconv.ParseInt(b.text("#inv-id"), 10, 64)
	require.NoError(t, err)
	payOnEmulator(t, b, a, parent, "299.00", "#pay", "")
	b.waitPath(pathSuccess)
	assert.Equal(t, "completed", b.text("#state"))
	op, ok = a.Emulator.Operation(parent)
	require.True(t, ok)
	assert.True(t, op.Recurring, "the parent payment carried Recurring=true")

	b.open(a.ShopURL + "/admin")
	b.click(fmt.Sprintf("#charge-%d", parent))
	b.waitFor(`document.querySelector("#flash") !== null`)
	flash := b.text("#flash")
	require.Contains(t, flash, "created: Robokassa will confirm it on ResultURL", rec.all())
	var child int64
	_, err = fmt.Sscanf(flash, "Charge %d created", &child)
	require.NoError(t, err, flash)
	// The child is completed by its own notification: reload until it is.
	for range 50 {
		b.open(a.ShopURL + "/admin")
		if strings.Contains(b.text(fmt.Sprintf("#payment-%d", child)), "completed") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	row := b.text(fmt.Sprintf("#payment-%d", child))
	assert.Contains(t, row, "completed")
	assert.Contains(t, row, fmt.Sprintf("subscription charge of %d", parent))
	assert.Contains(t, row, "299.00 ₽")
	b.shot("admin-charge")
	op, ok = a.Emulator.Operation(child)
	require.True(t, ok)
	assert.Equal(t, parent, op.ParentInvID)
	assert.Equal(t, robokassa.StatePaid, op.State)

	assert.Equal(t, 3, rec.count("payment completed"), rec.all())
	assert.Equal(t, 1, rec.count("refund accepted"))
	assert.Equal(t, 1, rec.count("recurring charge accepted"))
	assert.Equal(t, 1, rec.count("buyer back from Robokassa (fail)"))
}
