package qr_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"strings"

	"github.com/robokassa-go/robokassa/qr"
)

// Print a link as a QR code in a terminal with light text on a dark
// background (most terminals): a phone camera scans it off the screen.
func ExampleText() {
	s, err := qr.Text("https://robokassa.ru")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(s)
	// Output:
	// █████████████████████████████████
	// █████████████████████████████████
	// ████ ▄▄▄▄▄ █ ▄▄ █▄   █ ▄▄▄▄▄ ████
	// ████ █   █ █ ██▀██ ▀▄█ █   █ ████
	// ████ █▄▄▄█ █▄ ██▀██ ▀█ █▄▄▄█ ████
	// ████▄▄▄▄▄▄▄█ ▀▄▀▄▀▄█▄█▄▄▄▄▄▄▄████
	// ████▀▄▄█▄█▄ ▀▀ █▀ ▀█▀▀ █▄▄▄▄ ████
	// ████▄ █▄▀▀▄█▀▄▄ ▀▀▀██▄▀▀██▄ ▄████
	// ████▄▀ ▀██▄▀██▀▄▀▀▄█▀  ▄█ █▄ ████
	// ████▄▀ ▄▀▄▄    ▄  █▀█▀ ▄▀█▄ ▄████
	// ████▄█▄██▄▄█▀▀▀▀ ▄▄▀ ▄▄▄  █▀▀████
	// ████ ▄▄▄▄▄ █▄▀ █▀▀▄▄ █▄█  █ ▄████
	// ████ █   █ █▄▄▀ ▄▀ █ ▄▄   ▀▄▄████
	// ████ █▄▄▄█ █ ▄▄▀▀█▄▀▀█▀█ ▀█▀▄████
	// ████▄▄▄▄▄▄▄███▄█▄▄█▄▄▄█▄███▄▄████
	// █████████████████████████████████
	// █████████████████████████████████
}

// Save a payment link as a 600×600 PNG, for a page, an e-mail or a
// printed invoice.
func ExamplePNG() {
	b, err := qr.PNG(receiptLink, 600)
	if err != nil {
		fmt.Println(err)
		return
	}
	// os.WriteFile("pay.png", b, 0o644), or w.Write(b) with Content-Type image/png
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d×%d pixels\n", cfg.Width, cfg.Height)
	// Output:
	// 600×600 pixels
}

// Encode once, then render as often as needed; the size of the code
// tells the smallest image that can hold it.
func ExampleEncode() {
	c, err := qr.Encode(receiptLink) // 1422 bytes, a three-line receipt
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("version %d, %d×%d modules, PNG of at least %d pixels\n",
		c.Version(), c.Size(), c.Size(), c.MinPNGSize())
	// Output:
	// version 31, 141×141 modules, PNG of at least 149 pixels
}

// A link too long for any QR code at level M is refused; a short link
// from the Invoice API (robokassa.Client.CreateInvoice) always fits.
func ExampleErrTooLong() {
	_, err := qr.PNG("https://auth.robokassa.ru/?"+strings.Repeat("x", 2400), 600)
	fmt.Println(errors.Is(err, qr.ErrTooLong))
	// Output:
	// true
}
