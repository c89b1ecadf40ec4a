package lifepay

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
)

func TestAmountRule(t *testing.T) {
	tests := []struct {
		d        decimal.Decimal
		places   int
		positive bool
		want     string
	}{
		{decimal.RequireFromString("100.50"), 2, true, ""},
		{decimal.RequireFromString("100.500000"), 2, true, ""},
		{decimal.New(5, -20), 2, true, "must have at most 2 decimal places; nothing is rounded"},
		{decimal.New(5000, -5), 2, true, ""},
		{decimal.New(5001, -5), 2, true, "must have at most 2 decimal places; nothing is rounded"},
		{decimal.New(50000, -5), 2, true, ""},
		{decimal.New(1, -1000000), 2, true, "must have at most 2 decimal places; nothing is rounded"},
		{decimal.RequireFromString("1000000000000000000000000.10"), 2, true, "must have at most 12 digits before the decimal point"},
		{decimal.RequireFromString("0.12345678901234567890123400"), 6, true, "must have at most 6 decimal places; nothing is rounded"},
		{decimal.RequireFromString("0.123456000000000000000000000"), 6, true, ""},
		{decimal.New(0, -1000000), 2, false, ""},
		{decimal.New(0, 5), 2, true, "must be greater than zero"},
		{decimal.RequireFromString("-0.01"), 2, false, "must not be negative"},
		{decimal.RequireFromString("999999999999.99"), 2, true, ""},
		{decimal.RequireFromString("1000000000000"), 2, true, "must have at most 12 digits before the decimal point"},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, amountRule(tt.d, tt.places, tt.positive))
		})
	}
}

func TestAppendFixed2(t *testing.T) {
	tests := map[string]decimal.Decimal{
		"0.00":            decimal.New(0, -1000000),
		"0.01":            decimal.New(1, -2),
		"0.10":            decimal.New(1000, -4),
		"100.50":          decimal.RequireFromString("100.500"),
		"425.00":          decimal.New(425, 0),
		"4250.00":         decimal.New(425, 1),
		"-3.07":           decimal.RequireFromString("-3.07"),
		"999999999999.99": decimal.RequireFromString("999999999999.99"),
		"12.30":           decimal.RequireFromString("12.3000000000000000000000"), // long coefficient: fallback
	}
	for want, d := range tests {
		t.Run(want, func(t *testing.T) {
			assert.Equal(t, want, string(appendFixed2(nil, d)))
		})
	}
	// Every amount of up to two decimals renders as decimal's own
	// StringFixed does (no rounding happens for such values).
	for kop := int64(-100100); kop <= 100100; kop += 7 {
		for _, scale := range []int32{0, 1, 2} {
			d := decimal.New(kop*[]int64{1, 10, 100}[scale], -2-scale)
			if got := string(appendFixed2(nil, d)); got != d.StringFixed(2) {
				t.Fatalf("%s: got %s, want %s", d, got, d.StringFixed(2))
			}
		}
	}
}
