package qr_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/robokassa-go/robokassa/qr"
)

// FuzzEncode: any string either encodes into a well-formed code that reads
// back as the same text, or is refused with a *ValidationError; never a
// panic.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{shortLink, cyrillicLink, receiptLink, "", "0", "ABC $%*+-./:", "\xff", "\x00\n\t", "Ж"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := qr.Encode(text)
		if err != nil {
			var ve *qr.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "text", ve.Field)
			switch {
			case text == "" || !utf8.ValidString(text) && len(text) <= 5596:
				assert.ErrorIs(t, err, qr.ErrInvalidText)
			default:
				assert.ErrorIs(t, err, qr.ErrTooLong)
				assert.Greater(t, len(text), 2330)
			}
			return
		}
		require.NotEmpty(t, text)
		require.True(t, utf8.ValidString(text))
		require.True(t, c.Version() >= 1 && c.Version() <= 40)
		require.Equal(t, 17+4*c.Version(), c.Size())
		// The three finder patterns: a dark 7×7 ring around a dark 3×3
		// centre, at the top left, top right and bottom left corners.
		n := c.Size()
		for _, corner := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
			for dy := 0; dy < 7; dy++ {
				for dx := 0; dx < 7; dx++ {
					ring := dx == 0 || dy == 0 || dx == 6 || dy == 6
					centre := dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4
					require.Equal(t, ring || centre, c.Dark(corner[0]+dx, corner[1]+dy))
				}
			}
		}
		s := c.Text()
		require.Equal(t, (n+9)/2, strings.Count(s, "\n"))
		if c.Version() <= 10 {
			res, err := decode(textToImage(t, s, true, 2), true)
			require.NoError(t, err)
			require.Equal(t, text, res.GetText())
		}
		_, err = c.PNG(c.MinPNGSize() - 1)
		require.True(t, errors.Is(err, qr.ErrInvalidSize))
	})
}
