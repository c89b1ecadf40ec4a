package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
)

// MaxPNGSize is the largest image side [Code.PNG] draws, in pixels: 4096
// pixels print a version-40 code 35 cm wide at 300 dpi, and the image
// drawn in memory stays at 16 MiB.
const MaxPNGSize = 4096

// palette: index 0 (the zero value of every pixel) is light.
var palette = color.Palette{color.Gray{Y: 0xff}, color.Gray{Y: 0x00}}

// PNG renders the code as a size×size pixel PNG image: black modules on
// white, each module a square of the same whole number of pixels, the
// scale: size divided by [Code.MinPNGSize], rounded down. The symbol is
// centred; the pixels the division leaves over widen the quiet zone, which
// is never narrower than [QuietZone] modules. The image is a 1-bit
// grayscale palette, so even a large one is small.
//
// A size smaller than [Code.MinPNGSize] (one pixel per module) or larger
// than [MaxPNGSize] is refused with a [*ValidationError] matching
// [ErrInvalidSize]. One pixel per module suffices for a decoder reading
// the file; a phone camera reading a screen needs about 3 pixels per
// module or more: for a 1–1.5 KB link with a receipt (versions 26–32, at
// most 153 modules with the quiet zone) that is 460 pixels or more.
func (c *Code) PNG(size int) ([]byte, error) {
	if least := c.MinPNGSize(); size < least {
		return nil, &ValidationError{
			Field: "size",
			Reason: fmt.Sprintf("%d pixels is less than the %d a version-%d QR code needs "+
				"(%d modules and a %d-module quiet zone on each side, one pixel per module)",
				size, least, c.version, c.size, QuietZone),
			Err: ErrInvalidSize,
		}
	}
	if size > MaxPNGSize {
		return nil, &ValidationError{
			Field:  "size",
			Reason: fmt.Sprintf("%d pixels is more than the maximum of %d", size, MaxPNGSize),
			Err:    ErrInvalidSize,
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.image(size)); err != nil {
		return nil, fmt.Errorf("qr: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// image draws the code on a size×size paletted image; size is valid.
func (c *Code) image(size int) *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, size, size), palette)
	scale := size / (c.size + 2*QuietZone)
	off := (size - scale*c.size) / 2
	for y := 0; y < c.size; y++ {
		top := (off + y*scale) * img.Stride
		row := img.Pix[top : top+size]
		for x := 0; x < c.size; x++ {
			if c.dark[y*c.size+x] {
				px := row[off+x*scale : off+(x+1)*scale]
				for i := range px {
					px[i] = 1
				}
			}
		}
		for r := 1; r < scale; r++ {
			copy(img.Pix[top+r*img.Stride:top+r*img.Stride+size], row)
		}
	}
	return img
}

// Half-block glyphs: a text cell is two modules tall and one wide, which
// in a terminal font (cells about twice as tall as wide) is close to
// square.
const (
	glyphBoth   = '█' // U+2588 FULL BLOCK
	glyphTop    = '▀' // U+2580 UPPER HALF BLOCK
	glyphBottom = '▄' // U+2584 LOWER HALF BLOCK
	glyphNone   = ' '
)

// Text renders the code for a terminal that draws light text on a dark
// background, as most terminals are set up by default: the glyphs paint
// the light modules and the quiet zone, the terminal's background shows
// through as the dark modules, so a phone sees dark on light as it
// expects. Each line holds two module rows in Unicode half blocks (█ ▀ ▄
// and space) and ends in a newline. A [QuietZone]-module margin surrounds
// the symbol; since the side with its quiet zone is an odd number of
// modules, the bottom margin has one light row more. A version-40 code
// takes 185 columns and 93 lines.
//
// For dark text on a light background use [Code.TextOnLight]: this
// rendering would appear inverted there.
func (c *Code) Text() string { return c.text(true) }

// TextOnLight renders the code like [Code.Text] for a terminal that draws
// dark text on a light background: the glyphs paint the dark modules and
// the quiet zone is spaces.
func (c *Code) TextOnLight() string { return c.text(false) }

func (c *Code) text(inkIsLight bool) string {
	side := c.size + 2*QuietZone
	rows := side + side%2
	var b strings.Builder
	b.Grow(rows / 2 * (side*len(string(glyphBoth)) + 1))
	for r := 0; r < rows; r += 2 {
		y := r - QuietZone
		for col := 0; col < side; col++ {
			x := col - QuietZone
			top := !c.Dark(x, y)
			bottom := r+1 >= side || !c.Dark(x, y+1)
			if !inkIsLight {
				top, bottom = !top, !bottom
			}
			switch {
			case top && bottom:
				b.WriteRune(glyphBoth)
			case top:
				b.WriteRune(glyphTop)
			case bottom:
				b.WriteRune(glyphBottom)
			default:
				b.WriteRune(glyphNone)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}
