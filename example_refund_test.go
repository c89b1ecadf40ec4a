package robokassa_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/shopspring/decimal"

	"github.com/robokassa-go/robokassa"
)

func ExampleClient_Refund() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Password3:     "password_3", // issued on request in the cabinet
	})
	if err != nil {
		log.Fatal(err)
	}
	// A partial refund of 490.00 with the refunded line for the receipt.
	// Leave Sum unset for a full refund.
	ticket, err := client.Refund(context.Background(), robokassa.RefundRequest{
		OpKey: "C2F1D5A4-9E61-4B7B-8E0E-2A1C7F0B3D11", // from OpStateExt
		Sum:   decimal.NewNullDecimal(decimal.RequireFromString("490")),
		Items: []robokassa.ReceiptItem{{
			Name:          "Item A",
			Quantity:      decimal.NewFromInt(1),
			Sum:           decimal.RequireFromString("490"),
			Tax:           robokassa.TaxVAT20,
			PaymentMethod: robokassa.ReceiptPaymentFull,
			PaymentObject: robokassa.ObjectCommodity,
		}},
	})
	var apiErr *robokassa.APIError
	switch {
	case errors.As(err, &apiErr) && robokassa.RefundCode(apiErr.Code) == robokassa.RefundCodeNotEnoughFunds:
		fmt.Println("nothing left to refund:", apiErr.Message)
	case err != nil:
		// Not retried automatically: check RefundState or the cabinet
		// before sending the same refund again.
		log.Fatal(err)
	default:
		fmt.Println("refund requested:", ticket.RequestID)
	}
}

func ExampleClient_RefundStatus() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	st, err := client.RefundStatus(context.Background(), "6f1c5f3e-3d2a-4b8e-9c6d-1a2b3c4d5e6f")
	switch {
	case errors.Is(err, robokassa.ErrNotFound):
		fmt.Println("no such refund request")
	case err != nil:
		log.Fatal(err)
	case st.State == robokassa.RefundStateFinished:
		fmt.Println("refunded", st.Amount.StringFixed(2))
	default:
		fmt.Println("refund is", st.State)
	}
}

func ExampleClient_AttachReceipt() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Algorithm:     robokassa.SHA256,
	})
	if err != nil {
		log.Fatal(err)
	}
	// The final receipt for order 13, prepaid earlier, now delivered.
	res, err := client.AttachReceipt(context.Background(), robokassa.SecondReceipt{
		ID:          "14", // a new id, not the InvId of the payment
		OriginInvID: 13,   // the InvId of the paid operation
		Sno:         robokassa.SnoOSN,
		URL:         "https://shop.example",
		Total:       decimal.RequireFromString("100"),
		Items: []robokassa.ReceiptItem{{
			Name:          "Item A",
			Quantity:      decimal.NewFromInt(1),
			Sum:           decimal.RequireFromString("100"),
			Tax:           robokassa.TaxNone,
			PaymentObject: robokassa.ObjectCommodity,
		}},
		Email: "buyer@example.com",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Code, res.OpKey)

	st, err := client.ReceiptStatus(context.Background(), "14")
	if err != nil {
		log.Fatal(err)
	}
	if st.Code == robokassa.ReceiptCodeRegistered {
		fmt.Println("fiscal document", st.FiscalDocumentNumber)
	}
}
