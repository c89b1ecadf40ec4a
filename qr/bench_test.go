package qr_test

import (
	"testing"

	"github.com/robokassa-go/robokassa/qr"
)

// The 1422-byte receipt link (version 31), as a shop would show it at
// checkout.

func BenchmarkEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qr.Encode(receiptLink); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPNG600(b *testing.B) {
	c, err := qr.Encode(receiptLink)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.PNG(600); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkText(b *testing.B) {
	c, err := qr.Encode(receiptLink)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Text()
	}
}
