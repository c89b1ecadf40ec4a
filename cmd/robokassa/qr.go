package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/robokassa-go/robokassa/qr"
)

const qrUsage = `usage: robokassa qr [-o FILE.png [-size PIXELS]] [-light] [LINK | -]

Renders a payment link (or any text) as a QR code a phone camera scans: with
-o a PNG image, otherwise Unicode half blocks on standard output (for a
terminal with light text on a dark background; -light for dark on light).
LINK is the only argument or standard input. A link too long for a QR code
(a large receipt) is refused: make a short one with the Invoice API.

Example:
  robokassa qr -o pay.png "$(robokassa link -sum 990 -inv 12)"
  robokassa link -sum 990 -inv 12 | robokassa qr
`

// qrCode renders a link as a QR code.
func (c *cli) qrCode(args []string) error {
	cmd := newCommand("qr", qrUsage)
	fs := cmd.fs
	out := fs.String("o", "", "write a PNG image to this file instead of printing the code")
	size := fs.Int("size", 600, "the PNG image's side in pixels")
	light := fs.Bool("light", false, "print for dark text on a light background")
	rest, err := c.parse(cmd, args)
	if err != nil {
		return err
	}
	in, err := c.readInput(rest, "link")
	if err != nil {
		return err
	}
	link := strings.TrimSpace(in)
	code, err := qr.Encode(link)
	if err != nil {
		return inputError(err)
	}
	if *out == "" {
		if *light {
			fmt.Fprint(c.stdout, code.TextOnLight())
		} else {
			fmt.Fprint(c.stdout, code.Text())
		}
		return nil
	}
	png, err := code.PNG(*size)
	if err != nil {
		return inputError(err)
	}
	if err := os.WriteFile(*out, png, 0o644); err != nil {
		return usageError("-o: %v", err)
	}
	fmt.Fprintf(c.stdout, "%s: %d×%d pixels, QR version %d (%d modules a side)\n", *out, *size, *size, code.Version(), code.Size())
	return nil
}
