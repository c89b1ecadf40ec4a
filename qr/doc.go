// Package qr renders a payment link — or any text — as a QR code that a
// phone camera scans: a PNG image, or Unicode half blocks for a terminal.
// It is Robokassa's "payment by QR code" widget done on the shop's side:
// build the link with the robokassa package, then show it here. It lives
// apart from package robokassa so that the core keeps no image code.
//
//	png, err := qr.PNG(link, 600) // 600×600 pixels
//	text, err := qr.Text(link)    // print it in a terminal
//
// # Error correction
//
// Codes use error correction level M (about 15% of the symbol can be lost)
// as a floor, raised to Q or H whenever the text still fits the same
// symbol version. Level M is the highest level whose largest symbol
// (version 40) holds a 2 KB payment link with a receipt: 2331 bytes, where
// Q holds 1663 and H 1273. Level L (2953 bytes) would shrink long codes by
// a few versions but recover only 7%, little margin for glare on a screen
// or a crease on paper. A text that does not fit is refused with
// [ErrTooLong]; make a short link with the Invoice API instead
// (robokassa.Client.CreateInvoice).
//
// # Rendering
//
// Every rendering keeps a [QuietZone] of four light modules around the
// symbol, as ISO/IEC 18004 requires. [Code.PNG] draws dark modules on
// white, each module the same whole number of pixels; it refuses a size
// below one pixel per module ([ErrInvalidSize]). [Code.Text] draws two
// module rows per text line for terminals with light text on a dark
// background, [Code.TextOnLight] for dark text on light.
//
// # Errors
//
// Bad input is a [*ValidationError] naming the argument and the rule, and
// matching [ErrTooLong], [ErrInvalidText] or [ErrInvalidSize] under
// [errors.Is]. Nothing panics on bad input, and nothing is truncated.
//
// # Encoder
//
// Symbols are built by github.com/piglig/go-qr, a port of Project
// Nayuki's reference encoder with no dependencies of its own; the package
// draws the images itself with the standard library. The tests check the
// module matrices against Nayuki's Python encoder and decode every PNG
// with an independent reader.
package qr
