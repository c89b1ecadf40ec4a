package main

import (
	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

// product is something the shop sells: a balance top-up pack, or the
// monthly subscription (a recurring parent payment whose card is charged
// again each month by a child charge).
type product struct {
	ID          string
	Name        string
	Description string // shown to the buyer on Robokassa's page: at most 100 characters
	Price       decimal.Decimal
	Kind        string // kindTopUp or kindSubscription
}

// catalogue is what the shop sells, in the order the page shows it.
var catalogue = []product{
	{ID: "topup-100", Name: "Top-up 100 ₽", Description: "Balance top-up: 100 RUB", Price: decimal.RequireFromString("100.00"), Kind: kindTopUp},
	{ID: "topup-500", Name: "Top-up 500 ₽", Description: "Balance top-up: 500 RUB", Price: decimal.RequireFromString("500.00"), Kind: kindTopUp},
	{ID: "topup-1000", Name: "Top-up 1000 ₽", Description: "Balance top-up: 1000 RUB", Price: decimal.RequireFromString("1000.00"), Kind: kindTopUp},
	{ID: "monthly", Name: "Monthly subscription", Description: "Monthly subscription", Price: decimal.RequireFromString("299.00"), Kind: kindSubscription},
}

// productByID finds a product of the catalogue.
func productByID(id string) (product, bool) {
	for _, p := range catalogue {
		if p.ID == id {
			return p, true
		}
	}
	return product{}, false
}

// receipt is the 54-FZ fiscal receipt of one payment of p for amount:
// one line. A top-up is an advance for services to come (payment object
// "payment"); a subscription month is a service paid in full in
// advance. The shop's tax system is the simplified one on income; a shop
// with a single tax system may leave Sno empty.
func receipt(p product, amount decimal.Decimal) *robokassa.Receipt {
	item := robokassa.ReceiptItem{
		Name:          p.Name,
		Quantity:      decimal.NewFromInt(1),
		Sum:           amount,
		Tax:           robokassa.TaxNone,
		PaymentMethod: robokassa.ReceiptPaymentAdvance,
		PaymentObject: robokassa.ObjectPayment,
	}
	if p.Kind == kindSubscription {
		item.PaymentMethod = robokassa.ReceiptPaymentFullPrepayment
		item.PaymentObject = robokassa.ObjectService
	}
	return &robokassa.Receipt{Sno: robokassa.SnoUSNIncome, Items: []robokassa.ReceiptItem{item}}
}
