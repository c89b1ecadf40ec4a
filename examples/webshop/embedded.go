package main

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"

	"github.com/robokassa-go/robokassa"
	"github.com/robokassa-go/robokassa/robokassatest"
)

// embeddedLogin is the emulator shop's MerchantLogin.
const embeddedLogin = "demo-shop"

// embedded starts Robokassa's emulator in the same process: one shop
// whose technical settings point at this shop's ResultURL (POST),
// SuccessURL and FailURL (GET), with fresh random passwords (nothing to
// leak, nothing to configure). The client the shop builds from
// [robokassatest.Server.ClientConfig] is in production mode: the emulator
// has every API Robokassa's test mode lacks (recurring charges,
// OpStateExt, refunds).
func embedded(shopURL string, logger *slog.Logger) *robokassatest.Server {
	emu := robokassatest.NewUnstartedServer(robokassatest.Shop{
		MerchantLogin: embeddedLogin,
		Password1:     randomSecret(),
		Password2:     randomSecret(),
		TestPassword1: randomSecret(),
		TestPassword2: randomSecret(),
		Password3:     randomSecret(),
		ResultURL:     shopURL + pathResult,
		ResultMethod:  "POST",
		SuccessURL:    shopURL + pathSuccess,
		SuccessMethod: "GET",
		FailURL:       shopURL + pathFail,
		FailMethod:    "GET",
	})
	emu.Logger = logger.With("component", "robokassatest")
	emu.Start()
	return emu
}

// randomSecret is a fresh password for the embedded emulator's shop.
func randomSecret() robokassa.Secret {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	return robokassa.Secret(hex.EncodeToString(b[:]))
}
