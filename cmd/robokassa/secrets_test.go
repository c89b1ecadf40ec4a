package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// secretEnv holds passwords that appear nowhere else, so finding one in
// the output can only be a leak.
var secretEnv = map[string]string{
	"ROBOKASSA_LOGIN":          "demo",
	"ROBOKASSA_PASSWORD1":      "Leak1-p4ssw0rd-a",
	"ROBOKASSA_PASSWORD2":      "Leak2-p4ssw0rd-b",
	"ROBOKASSA_TEST_PASSWORD1": "Leak3-p4ssw0rd-c",
	"ROBOKASSA_TEST_PASSWORD2": "Leak4-p4ssw0rd-d",
	"ROBOKASSA_PASSWORD3":      "Leak5-p4ssw0rd-e",
}

// secretInvocations runs every subcommand with secretEnv, on its success
// and failure paths, with the passwords also given as flags.
func secretInvocations(t *testing.T) map[string]result {
	shopSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Write([]byte("echo " + r.Form.Encode())) // a shop echoing what it got
	}))
	t.Cleanup(shopSrv.Close)
	// A web service that echoes the request in an error the SDK reports.
	wsSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Write([]byte(`<?xml version="1.0"?><OperationStateResponse><Result><Code>1</Code><Description>` + r.Form.Encode() + `</Description></Result></OperationStateResponse>`))
	}))
	t.Cleanup(wsSrv.Close)
	wsURL := wsSrv.URL
	flags := []string{
		"-password1", secretEnv["ROBOKASSA_PASSWORD1"], "-password2", secretEnv["ROBOKASSA_PASSWORD2"],
	}
	linkSig := md5hex("demo:990.00:12:" + secretEnv["ROBOKASSA_PASSWORD1"] + ":Shp_b=2:Shp_a=1")
	wrongLink := "MerchantLogin=demo&OutSum=990.00&InvId=12&Shp_b=2&Shp_a=1&SignatureValue=" + linkSig
	notification := "OutSum=990.000000&InvId=12&SignatureValue=" + md5hex("990.000000:12:"+secretEnv["ROBOKASSA_PASSWORD2"])
	out := map[string]result{}
	for name, args := range map[string][]string{
		"link":                {"link", "-sum", "990", "-inv", "12", "-explain", "-password1", secretEnv["ROBOKASSA_PASSWORD1"]},
		"link test":           {"link", "-sum", "990", "-test", "-explain"},
		"link form":           {"link", "-sum", "990", "-form"},
		"link error":          {"link", "-sum", "1.001", "-explain"},
		"link help":           {"link", "-h"},
		"verify":              append([]string{"verify", notification}, flags...),
		"verify refused":      {"verify", notification + "0"},
		"verify success":      {"verify", "-success", notification},
		"explain":             {"explain", wrongLink},
		"explain ok":          {"explain", "MerchantLogin=demo&OutSum=1.00&SignatureValue=" + md5hex("demo:1.00::"+secretEnv["ROBOKASSA_PASSWORD1"])},
		"explain wrong":       append([]string{"explain", wrongLink + "0"}, flags...),
		"trigger result":      {"trigger", "result", "-to", shopSrv.URL, "-sum", "1", "-inv", "12"},
		"trigger success get": append([]string{"trigger", "success", "-get", "-to", shopSrv.URL, "-sum", "1", "-inv", "12", "-test"}, flags...),
		"trigger fail":        {"trigger", "fail", "-to", shopSrv.URL, "-sum", "1", "-inv", "12"},
		"state":               {"state", "-auth-url", wsURL, "12"},
		"qr":                  {"qr", "https://auth.robokassa.ru/Merchant/Index.aspx?InvId=12"},
		"state refused":       append([]string{"state", "-auth-url", shopSrv.URL, "12"}, flags...),
	} {
		out[name] = runCLI(t, secretEnv, "", args...)
	}
	out["sandbox"] = sandboxSession(t, secretEnv)
	return out
}

func TestPasswordsNeverPrinted(t *testing.T) {
	runs := secretInvocations(t)
	for _, sub := range subcommandNames() {
		covered := false
		for name := range runs {
			covered = covered || strings.HasPrefix(name, sub)
		}
		assert.True(t, covered, "no run of %s", sub)
	}
	for name, r := range runs {
		t.Run(name, func(t *testing.T) {
			require.NotEmpty(t, r.stdout+r.stderr, "the invocation printed something")
			for k, pw := range secretEnv {
				if strings.Contains(k, "PASSWORD") {
					assert.NotContains(t, r.stdout, pw, "stdout shows %s", k)
					assert.NotContains(t, r.stderr, pw, "stderr shows %s", k)
				}
			}
		})
	}
}
