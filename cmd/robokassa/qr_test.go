package main

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeQR reads a QR code back with gozxing, a decoder written apart
// from the encoder the qr package uses.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	require.NoError(t, err)
	res, err := zxqr.NewQRCodeReader().Decode(bmp, nil)
	require.NoError(t, err)
	return res.GetText()
}

func TestQRPNG(t *testing.T) {
	// Vector "Shp pairs after the password, sorted by name".
	link := "https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo&OutSum=990.00&InvId=12&SignatureValue=75a409f203d1d88060fb8bb81e9cd0a5&Shp_order=12&Shp_user=alice"
	file := filepath.Join(t.TempDir(), "pay.png")
	for _, r := range []result{
		runCLI(t, nil, "", "qr", "-o", file, link),
		runCLI(t, nil, link+"\n", "qr", "-o", file, "-size", "300"),
	} {
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stdout, file+": ")
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		img, err := png.Decode(bytes.NewReader(data))
		require.NoError(t, err)
		assert.Equal(t, link, decodeQR(t, img))
	}
	assert.Contains(t, runCLI(t, nil, "", "qr", "-o", file, "-size", "300", link).stdout, "300×300 pixels")
}

func TestQRText(t *testing.T) {
	r := runCLI(t, nil, "", "qr", "https://auth.robokassa.ru/Merchant/Index.aspx?InvId=12")
	require.Equal(t, 0, r.code, r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	require.NotEmpty(t, lines)
	width := len([]rune(lines[0]))
	// The symbol plus a 4-module quiet zone each side, two rows a line.
	assert.Equal(t, (width+1)/2, len(lines))
	assert.Equal(t, strings.Repeat("█", width), lines[0], "the quiet zone is light: full blocks on a dark terminal")

	light := runCLI(t, nil, "", "qr", "-light", "https://auth.robokassa.ru/Merchant/Index.aspx?InvId=12")
	require.Equal(t, 0, light.code)
	assert.Equal(t, strings.Repeat(" ", width), strings.Split(light.stdout, "\n")[0])
}

func TestQRErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"too long", []string{"https://x/?" + strings.Repeat("a%25", 1000)}, "qr: invalid text"},
		{"too small", []string{"-o", filepath.Join(t.TempDir(), "x.png"), "-size", "10", "https://x/"}, "qr: invalid size"},
		{"empty", []string{" "}, "qr: invalid text: empty"},
		{"unwritable", []string{"-o", filepath.Join(t.TempDir(), "no", "such", "dir.png"), "https://x/"}, "-o: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, nil, "", append([]string{"qr"}, tc.args...)...)
			assert.Equal(t, 2, r.code)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
}
