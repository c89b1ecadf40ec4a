package robokassa

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// SplitPart is one shop's share of a split payment (spec §10): the buyer
// pays the invoice once and Robokassa divides the money between the shops
// named here. Put the parts in [Invoice.Split]; they travel as the JSON
// string AdditionalParameters.Split of [Client.CreateInvoice], as
// [{"id":"<login>","InvoiceId":…,"amount":…,"receipt":{…}}].
//
// The parts must add up to the invoice's OutSum. Split payments do not
// exist in test mode (spec §13): a test-mode client gets
// [ErrNotInTestMode], as for every Invoice API call.
type SplitPart struct {
	// MerchantLogin is the shop receiving this part; required. The
	// shop's own login may appear too.
	MerchantLogin string
	// InvID is this part's invoice number in that shop; zero omits it.
	InvID int64
	// Amount is this part, greater than zero with at most 2 decimal
	// places.
	Amount decimal.Decimal
	// Receipt is this part's 54-FZ receipt (spec §11), optional; its
	// lines must add up to Amount.
	Receipt *Receipt
}

// validateSplit checks each part and that the parts add up to outSum.
func validateSplit(parts []SplitPart, outSum decimal.Decimal) error {
	if len(parts) == 0 {
		return nil
	}
	total := decimal.Zero
	for i := range parts {
		p := &parts[i]
		field := "Split[" + strconv.Itoa(i) + "]"
		switch {
		case p.MerchantLogin == "":
			return invalid(field+".MerchantLogin", "is required")
		case !utf8.ValidString(p.MerchantLogin) || strings.ContainsFunc(p.MerchantLogin, splitBadRune):
			return invalid(field+".MerchantLogin", "must not contain spaces or control characters")
		}
		if err := checkInvID(field+".InvID", p.InvID, false); err != nil {
			return err
		}
		if err := checkAmount(field+".Amount", p.Amount, false, 0); err != nil {
			return err
		}
		if p.Receipt != nil {
			if err := p.Receipt.checkTotal(field+".Receipt", p.Amount, "the part's Amount"); err != nil {
				return err
			}
		}
		total = total.Add(p.Amount)
	}
	if !total.Equal(outSum) {
		return invalid("Split", "parts add up to "+total.StringFixed(2)+", not to OutSum "+outSum.StringFixed(2))
	}
	return nil
}

func splitBadRune(r rune) bool { return r <= ' ' || r == 0x7f }

// appendSplitJSON appends the parts as the compact JSON array of spec §10:
// amounts as numbers with two decimals, receipts as in spec §11. The
// parts have been validated.
func appendSplitJSON(dst []byte, parts []SplitPart) []byte {
	dst = append(dst, '[')
	for i := range parts {
		p := &parts[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = appendJSONString(dst, p.MerchantLogin)
		if p.InvID != 0 {
			dst = append(dst, `,"InvoiceId":`...)
			dst = strconv.AppendInt(dst, p.InvID, 10)
		}
		dst = append(dst, `,"amount":`...)
		dst = appendFixed(dst, p.Amount, 2)
		if p.Receipt != nil {
			dst = append(dst, `,"receipt":`...)
			dst = p.Receipt.appendJSON(dst)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}
