package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// maxReceiptFile bounds a -receipt file: a receipt of a hundred lines is
// a few tens of kilobytes.
const maxReceiptFile = 1 << 20

// receiptFile is Robokassa's receipt JSON (protocol §11) as a shop writes
// it. Numbers are read as json.Number and converted to decimal without
// passing through float64.
type receiptFile struct {
	Sno   string            `json:"sno"`
	Items []receiptFileItem `json:"items"`
}

type receiptFileItem struct {
	Name             string       `json:"name"`
	Quantity         *json.Number `json:"quantity"`
	Sum              *json.Number `json:"sum"`
	Cost             *json.Number `json:"cost"`
	Tax              string       `json:"tax"`
	PaymentMethod    string       `json:"payment_method"`
	PaymentObject    string       `json:"payment_object"`
	NomenclatureCode string       `json:"nomenclature_code"`
}

// readReceipt reads the receipt JSON in path ("-" is standard input).
func (c *cli) readReceipt(path string) (*robokassa.Receipt, error) {
	var r io.Reader
	if path == "-" {
		r = c.stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageError("-receipt: %v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxReceiptFile+1))
	if err != nil {
		return nil, usageError("-receipt: %v", err)
	}
	if len(data) > maxReceiptFile {
		return nil, usageError("-receipt: the file is larger than %d bytes", maxReceiptFile)
	}
	rc, err := parseReceipt(data)
	if err != nil {
		return nil, usageError("-receipt %s: %v", path, err)
	}
	return rc, nil
}

// parseReceipt converts receipt JSON into a robokassa.Receipt. Unknown
// fields are refused (a misspelt "summ" would otherwise vanish); the
// SDK checks the values' rules when the link is built.
func parseReceipt(data []byte) (*robokassa.Receipt, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var f receiptFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not receipt JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not receipt JSON: more than one JSON value")
	}
	rc := &robokassa.Receipt{Sno: robokassa.Sno(f.Sno)}
	for i, it := range f.Items {
		field := func(name string) string { return "items[" + strconv.Itoa(i) + "]." + name }
		item := robokassa.ReceiptItem{
			Name:             it.Name,
			Tax:              robokassa.Tax(it.Tax),
			PaymentMethod:    robokassa.ReceiptPaymentMethod(it.PaymentMethod),
			PaymentObject:    robokassa.PaymentObject(it.PaymentObject),
			NomenclatureCode: it.NomenclatureCode,
		}
		var err error
		if it.Quantity == nil {
			return nil, fmt.Errorf("%s: is required", field("quantity"))
		}
		if item.Quantity, err = number(*it.Quantity); err != nil {
			return nil, fmt.Errorf("%s: %w", field("quantity"), err)
		}
		if it.Sum == nil && it.Cost == nil {
			return nil, fmt.Errorf("%s: is required when cost is absent", field("sum"))
		}
		if it.Sum != nil {
			if item.Sum, err = number(*it.Sum); err != nil {
				return nil, fmt.Errorf("%s: %w", field("sum"), err)
			}
		}
		if it.Cost != nil {
			d, err := number(*it.Cost)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", field("cost"), err)
			}
			item.Cost = decimal.NewNullDecimal(d)
		}
		rc.Items = append(rc.Items, item)
	}
	return rc, nil
}

// number converts a JSON number to a decimal exactly.
func number(n json.Number) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(string(n))
	if err != nil {
		return decimal.Decimal{}, errors.New("must be a number")
	}
	return d, nil
}
