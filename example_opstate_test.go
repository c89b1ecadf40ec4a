package robokassa_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/robokassa-go/robokassa"
)

func ExampleClient_OpState() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Password2:     "password_2", // OpStateExt is signed with Password #2
	})
	if err != nil {
		log.Fatal(err)
	}
	st, err := client.OpState(context.Background(), 12)
	switch {
	case errors.Is(err, robokassa.ErrNotFound):
		fmt.Println("the buyer has not submitted payment details yet")
	case err != nil:
		log.Fatal(err)
	case st.State == robokassa.StatePaid:
		fmt.Println("paid", st.OutSum, "via", st.PaymentMethod.Code)
	default:
		fmt.Println("state:", st.State)
	}
}

func ExampleClient_AwaitPaid() {
	client, err := robokassa.NewClient(robokassa.Config{
		MerchantLogin: "demo",
		Password1:     "password_1",
		Password2:     "password_2",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	st, err := client.AwaitPaid(ctx, 12)
	switch {
	case err == nil:
		fmt.Println("paid at", st.StateDate)
	case errors.Is(err, robokassa.ErrNotPaid):
		fmt.Println("payment ended as", st.State)
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Println("still not paid; ask again later")
	default:
		log.Fatal(err)
	}
}

func ExampleClient_Currencies() {
	client, err := robokassa.NewClient(robokassa.Config{MerchantLogin: "demo", Password1: "password_1"})
	if err != nil {
		log.Fatal(err)
	}
	groups, err := client.Currencies(context.Background(), "en")
	if err != nil {
		log.Fatal(err)
	}
	for _, g := range groups {
		for _, c := range g.Currencies {
			fmt.Printf("%s: %s (IncCurrLabel=%s)\n", g.Description, c.Name, c.Label)
		}
	}
}
