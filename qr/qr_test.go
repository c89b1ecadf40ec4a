package qr_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/qr"
)

// shortLink is a short ASCII link.
const shortLink = "https://robokassa.ru"

// cyrillicLink carries text that is not ASCII (encoded with a UTF-8 ECI).
const cyrillicLink = "https://auth.robokassa.ru/?Description=Оплата заказа №12"

// receiptLink is a realistic checkout link of 1422 bytes, written out by
// hand: a three-line 54-FZ receipt URL-encoded twice, as Robokassa's PHP
// samples send it (once for the signature, once more as a query value),
// and a Cyrillic description encoded once. The signature is a placeholder.
const receiptLink = "https://auth.robokassa.ru/Merchant/Index.aspx" +
	"?MerchantLogin=demo-shop&OutSum=2790.00&InvId=4512" +
	"&Description=%D0%9E%D0%BF%D0%BB%D0%B0%D1%82%D0%B0+%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7%D0%B0+%E2%84%964512" +
	"&SignatureValue=9dd4e461268c8034f5c8564e155c67a6&Culture=ru&Email=buyer%40example.com&Shp_order=4512" +
	"&Receipt=%257B%2522sno%2522%253A%2522osn%2522%252C%2522items%2522%253A%255B" +
	// {"name":"Чай «Ассам», 100 г","quantity":2,"sum":990,...}
	"%257B%2522name%2522%253A%2522%25D0%25A7%25D0%25B0%25D0%25B9%2B%25C2%25AB%25D0%2590%25D1%2581%25D1%2581%25D0%25B0%25D0%25BC%25C2%25BB%252C%2B100%2B%25D0%25B3%2522" +
	"%252C%2522quantity%2522%253A2%252C%2522sum%2522%253A990%252C%2522payment_method%2522%253A%2522full_payment%2522" +
	"%252C%2522payment_object%2522%253A%2522commodity%2522%252C%2522tax%2522%253A%2522vat22%2522%257D%252C" +
	// {"name":"Чайник, 600 мл","quantity":1,"sum":1450,...}
	"%257B%2522name%2522%253A%2522%25D0%25A7%25D0%25B0%25D0%25B9%25D0%25BD%25D0%25B8%25D0%25BA%252C%2B600%2B%25D0%25BC%25D0%25BB%2522" +
	"%252C%2522quantity%2522%253A1%252C%2522sum%2522%253A1450%252C%2522payment_method%2522%253A%2522full_payment%2522" +
	"%252C%2522payment_object%2522%253A%2522commodity%2522%252C%2522tax%2522%253A%2522vat22%2522%257D%252C" +
	// {"name":"Доставка","quantity":1,"sum":350,...}
	"%257B%2522name%2522%253A%2522%25D0%2594%25D0%25BE%25D1%2581%25D1%2582%25D0%25B0%25D0%25B2%25D0%25BA%25D0%25B0%2522" +
	"%252C%2522quantity%2522%253A1%252C%2522sum%2522%253A350%252C%2522payment_method%2522%253A%2522full_payment%2522" +
	"%252C%2522payment_object%2522%253A%2522service%2522%252C%2522tax%2522%253A%2522vat22%2522%257D" +
	"%255D%257D&IsTest=1"

// vector is one case of testdata/qr_vectors.json, computed by
// testdata/gen_qr_vectors.py with Project Nayuki's Python encoder.
type vector struct {
	Name              string   `json:"name"`
	Text              string   `json:"text"`
	Version           int      `json:"version"`
	ECC               string   `json:"ecc"`
	Size              int      `json:"size"`
	Modules           []string `json:"modules"` // one hex row each, dark = 1, leftmost module first
	TextDarkTerminal  string   `json:"text_dark_terminal"`
	TextLightTerminal string   `json:"text_light_terminal"`
	TooLong           bool     `json:"too_long"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/qr_vectors.json")
	require.NoError(t, err)
	var file struct {
		QuietZone int      `json:"quiet_zone"`
		Vectors   []vector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(raw, &file))
	require.Equal(t, qr.QuietZone, file.QuietZone)
	require.NotEmpty(t, file.Vectors)
	return file.Vectors
}

func vectorFor(t *testing.T, text string) vector {
	t.Helper()
	for _, v := range loadVectors(t) {
		if v.Text == text {
			return v
		}
	}
	t.Fatalf("no vector for %.40q", text)
	return vector{}
}

// reference returns a vector's module matrix, [y][x], dark = true.
func reference(t *testing.T, v vector) [][]bool {
	t.Helper()
	require.Len(t, v.Modules, v.Size)
	m := make([][]bool, v.Size)
	for y, h := range v.Modules {
		row, err := hex.DecodeString(padHex(h))
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(row)*8, v.Size)
		m[y] = make([]bool, v.Size)
		for x := range m[y] {
			m[y][x] = row[x/8]>>(7-x%8)&1 == 1
		}
	}
	return m
}

func padHex(s string) string {
	if len(s)%2 == 1 {
		return s + "0"
	}
	return s
}

// decode reads a QR code from an image with gozxing, an implementation
// independent of the encoder. pure tells it the image is an unrotated
// code on a plain margin; without it, the detector must find the finder
// patterns as it would in a camera frame.
func decode(img image.Image, pure bool) (*gozxing.Result, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil, err
	}
	hints := map[gozxing.DecodeHintType]interface{}{}
	if pure {
		hints[gozxing.DecodeHintType_PURE_BARCODE] = true
	}
	return zxqr.NewQRCodeReader().Decode(bmp, hints)
}

func TestReceiptLinkIsRealistic(t *testing.T) {
	assert.GreaterOrEqual(t, len(receiptLink), 1000)
	assert.LessOrEqual(t, len(receiptLink), 1500)
	assert.Equal(t, receiptLink, vectorFor(t, receiptLink).Text, "the Go literal and the generator's link must be the same")
	assert.Equal(t, cyrillicLink, vectorFor(t, cyrillicLink).Text)
}

func TestEncodeMatchesReference(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.TooLong {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			c, err := qr.Encode(v.Text)
			require.NoError(t, err)
			assert.Equal(t, v.Version, c.Version())
			require.Equal(t, v.Size, c.Size())
			ref := reference(t, v)
			for y := 0; y < v.Size; y++ {
				for x := 0; x < v.Size; x++ {
					if !assert.Equal(t, ref[y][x], c.Dark(x, y), "module (%d, %d)", x, y) {
						return
					}
				}
			}
			for _, p := range [][2]int{{-1, 0}, {0, -1}, {v.Size, 0}, {0, v.Size}, {-4, -4}} {
				assert.False(t, c.Dark(p[0], p[1]), "outside the symbol at %v", p)
			}
			assert.Equal(t, v.Size+2*4, c.MinPNGSize())
		})
	}
}

func TestEncodeRefusesWhatTheReferenceRefuses(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		if !v.TooLong {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			c, err := qr.Encode(v.Text)
			assert.Nil(t, c)
			require.ErrorIs(t, err, qr.ErrTooLong)
			var ve *qr.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "text", ve.Field)
		})
	}
	require.Equal(t, 4, n)
}

func TestTextMatchesReference(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		if v.TextDarkTerminal == "" {
			continue
		}
		n++
		t.Run(v.Name, func(t *testing.T) {
			c, err := qr.Encode(v.Text)
			require.NoError(t, err)
			assert.Equal(t, v.TextDarkTerminal, c.Text())
			assert.Equal(t, v.TextLightTerminal, c.TextOnLight())
			s, err := qr.Text(v.Text)
			require.NoError(t, err)
			assert.Equal(t, v.TextDarkTerminal, s)
		})
	}
	require.GreaterOrEqual(t, n, 6)
}

func TestPNGDecodes(t *testing.T) {
	links := []struct{ name, text string }{
		{"short link", shortLink},
		{"cyrillic link", cyrillicLink},
		{"receipt link", receiptLink},
	}
	for _, l := range links {
		v := vectorFor(t, l.text)
		least := v.Size + 8
		for _, size := range []int{least, least + 5, 2*least - 1, 460, 600, 1024} {
			if size < least {
				continue
			}
			t.Run(l.name+"/"+strconv.Itoa(size), func(t *testing.T) {
				b, err := qr.PNG(l.text, size)
				require.NoError(t, err)
				img, err := png.Decode(bytes.NewReader(b))
				require.NoError(t, err)
				require.Equal(t, image.Rect(0, 0, size, size), img.Bounds())
				for _, pure := range []bool{true, false} {
					res, err := decode(img, pure)
					require.NoError(t, err, "pure=%v", pure)
					assert.Equal(t, l.text, res.GetText(), "pure=%v", pure)
					assert.Equal(t, v.ECC, res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL], "pure=%v", pure)
				}
			})
		}
	}
}

// TestPNGGeometry checks every pixel against the reference matrix and the
// layout PNG documents: scale = size / (modules + 8) rounded down, the
// symbol centred, offset (size - scale×modules) / 2 rounded down, the rest
// white.
func TestPNGGeometry(t *testing.T) {
	for _, tc := range []struct {
		text string
		size int
	}{
		{shortLink, 33}, {shortLink, 34}, {shortLink, 100}, {shortLink, 4096},
		{receiptLink, 149}, {receiptLink, 600}, {receiptLink, 601},
	} {
		v := vectorFor(t, tc.text)
		t.Run(v.Name+"/"+strconv.Itoa(tc.size), func(t *testing.T) {
			b, err := qr.PNG(tc.text, tc.size)
			require.NoError(t, err)
			// A 1-bit palette PNG: IHDR bit depth 1, colour type 3.
			require.Greater(t, len(b), 26)
			assert.Equal(t, []byte{1, 3}, b[24:26])
			img, err := png.Decode(bytes.NewReader(b))
			require.NoError(t, err)
			ref := reference(t, v)
			scale := tc.size / (v.Size + 8)
			off := (tc.size - scale*v.Size) / 2
			require.GreaterOrEqual(t, off, 4*scale, "quiet zone on the top and left")
			require.GreaterOrEqual(t, tc.size-off-scale*v.Size, 4*scale, "quiet zone on the bottom and right")
			for py := 0; py < tc.size; py++ {
				for px := 0; px < tc.size; px++ {
					want := white
					x, y := floorDiv(px-off, scale), floorDiv(py-off, scale)
					if x >= 0 && y >= 0 && x < v.Size && y < v.Size && ref[y][x] {
						want = black
					}
					if got := grayAt(img, px, py); got != want {
						t.Fatalf("pixel (%d, %d) = %v, want %v", px, py, got, want)
					}
				}
			}
		})
	}
}

var (
	white = color.Gray{Y: 0xff}
	black = color.Gray{Y: 0}
)

// grayAt reads a pixel; for the paletted image png.Decode returns for a
// palette PNG it looks the index up directly, which keeps the 16-megapixel
// case fast.
func grayAt(img image.Image, x, y int) color.Gray {
	if p, ok := img.(*image.Paletted); ok {
		return color.GrayModel.Convert(p.Palette[p.ColorIndexAt(x, y)]).(color.Gray)
	}
	return color.GrayModel.Convert(img.At(x, y)).(color.Gray)
}

func floorDiv(a, b int) int {
	if a < 0 {
		return -1
	}
	return a / b
}

// textToImage turns a terminal rendering back into pixels: every cell is
// two modules, top and bottom, each drawn scale×scale; inkIsLight says
// whether the glyphs paint light modules (Text) or dark ones (TextOnLight).
func textToImage(t *testing.T, s string, inkIsLight bool, scale int) image.Image {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	width := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, width*scale, 2*len(lines)*scale))
	paint := func(col, row int, ink bool) {
		light := ink == inkIsLight
		c := color.Gray{Y: 0}
		if light {
			c = color.Gray{Y: 0xff}
		}
		for dy := 0; dy < scale; dy++ {
			for dx := 0; dx < scale; dx++ {
				img.SetGray(col*scale+dx, row*scale+dy, c)
			}
		}
	}
	for i, line := range lines {
		runes := []rune(line)
		require.Len(t, runes, width, "line %d", i)
		for col, r := range runes {
			var top, bottom bool
			switch r {
			case '█':
				top, bottom = true, true
			case '▀':
				top = true
			case '▄':
				bottom = true
			case ' ':
			default:
				t.Fatalf("unexpected rune %q on line %d", r, i)
			}
			paint(col, 2*i, top)
			paint(col, 2*i+1, bottom)
		}
	}
	return img
}

func TestTextDecodes(t *testing.T) {
	for _, text := range []string{shortLink, cyrillicLink, receiptLink} {
		v := vectorFor(t, text)
		c, err := qr.Encode(text)
		require.NoError(t, err)
		for _, tc := range []struct {
			name       string
			rendering  string
			inkIsLight bool
		}{
			{"dark terminal", c.Text(), true},
			{"light terminal", c.TextOnLight(), false},
		} {
			t.Run(v.Name+"/"+tc.name, func(t *testing.T) {
				lines := strings.Split(strings.TrimSuffix(tc.rendering, "\n"), "\n")
				assert.Len(t, lines, (v.Size+8+1)/2, "two module rows per line")
				for _, pure := range []bool{true, false} {
					res, err := decode(textToImage(t, tc.rendering, tc.inkIsLight, 3), pure)
					require.NoError(t, err, "pure=%v", pure)
					assert.Equal(t, text, res.GetText(), "pure=%v", pure)
				}
			})
		}
	}
}

func TestErrors(t *testing.T) {
	long := strings.Repeat("a", 2332)
	tests := []struct {
		name   string
		call   func() error
		field  string
		target error
		reason string
	}{
		{"empty text", func() error { _, err := qr.Encode(""); return err }, "text", qr.ErrInvalidText, "empty"},
		{"invalid UTF-8", func() error { _, err := qr.Encode("https://x/\xff"); return err }, "text", qr.ErrInvalidText, "not valid UTF-8"},
		{"2332 bytes", func() error { _, err := qr.Encode(long); return err }, "text", qr.ErrTooLong, "2332 bytes exceed"},
		{"5597 digits", func() error { _, err := qr.Encode(strings.Repeat("1", 5597)); return err }, "text", qr.ErrTooLong, "5597 bytes exceed"},
		{"1 MiB, refused unread", func() error { _, err := qr.Encode(strings.Repeat("\xff", 1<<20)); return err }, "text", qr.ErrTooLong, "1048576 bytes exceed"},
		{"PNG passes text errors on", func() error { _, err := qr.PNG(long, 600); return err }, "text", qr.ErrTooLong, "2332 bytes exceed"},
		{"Text passes text errors on", func() error { _, err := qr.Text(""); return err }, "text", qr.ErrInvalidText, "empty"},
		{"size zero", func() error { _, err := qr.PNG(shortLink, 0); return err }, "size", qr.ErrInvalidSize, "0 pixels is less than the 33 a version-2 QR code needs"},
		{"negative size", func() error { _, err := qr.PNG(shortLink, -600); return err }, "size", qr.ErrInvalidSize, "-600 pixels is less than the 33"},
		{"one pixel short", func() error { _, err := qr.PNG(shortLink, 32); return err }, "size", qr.ErrInvalidSize, "32 pixels is less than the 33"},
		{"version 40 needs 185", func() error { _, err := qr.PNG(strings.Repeat("a", 2331), 184); return err }, "size", qr.ErrInvalidSize, "184 pixels is less than the 185 a version-40 QR code needs"},
		{"too large", func() error { _, err := qr.PNG(shortLink, 4097); return err }, "size", qr.ErrInvalidSize, "4097 pixels is more than the maximum of 4096"},
	}
	sentinels := []error{qr.ErrTooLong, qr.ErrInvalidText, qr.ErrInvalidSize}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			var ve *qr.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Contains(t, ve.Reason, tt.reason)
			assert.True(t, strings.HasPrefix(err.Error(), "qr: invalid "+tt.field+": "), err.Error())
			assert.NotContains(t, err.Error(), "aaaa", "the text is never repeated")
			for _, s := range sentinels {
				assert.Equal(t, s == tt.target, errors.Is(err, s), "errors.Is(err, %v)", s)
			}
		})
	}
}

func TestBoundariesAccepted(t *testing.T) {
	c, err := qr.Encode(strings.Repeat("a", 2331))
	require.NoError(t, err)
	assert.Equal(t, 40, c.Version())
	_, err = c.PNG(185)
	assert.NoError(t, err, "one pixel per module")
	_, err = c.PNG(qr.MaxPNGSize)
	assert.NoError(t, err)
}

func TestConcurrentRendering(t *testing.T) {
	c, err := qr.Encode(receiptLink)
	require.NoError(t, err)
	wantPNG, err := c.PNG(300)
	require.NoError(t, err)
	wantText := c.Text()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := c.PNG(300)
			assert.NoError(t, err)
			assert.Equal(t, wantPNG, b)
			assert.Equal(t, wantText, c.Text())
		}()
	}
	wg.Wait()
}
