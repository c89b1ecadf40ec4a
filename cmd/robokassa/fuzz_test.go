package main

import (
	"strings"
	"testing"
)

// FuzzExplain feeds explain arbitrary links: it must end with exit 0, 1
// or 2, never panic, and never print a password.
func FuzzExplain(f *testing.F) {
	for _, seed := range []string{
		"MerchantLogin=demo&OutSum=990.00&InvId=12&SignatureValue=6c9d6eb96b82e643b343c26a85349a37",
		"https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=demo&OutSum=990&Shp_b=2&Shp_a=1&IsTest=1&SignatureValue=00",
		"MerchantLogin=demo&OutSum=1&Receipt=%257B%257D&SuccessUrl2=https%3A%2F%2Fx&SuccessUrl2Method=GET&StepByStep=true&Token=t&SignatureValue=" + strings.Repeat("a", 40),
		"?MerchantLogin=d:e&OutSum=x&InvId=0&shp_A=%00&SHP_a=:Shp_b=1&SignatureValue=" + strings.Repeat("F", 128),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, link string) {
		r := runCLI(t, demoEnv, "", "explain", "-shp", "c=3", "--", link)
		if r.code < 0 || r.code > 2 {
			t.Fatalf("exit %d", r.code)
		}
		for _, pw := range []string{"password_1", "test_password_1"} {
			if strings.Contains(r.stdout+r.stderr, pw) && !strings.Contains(link, pw) {
				t.Fatalf("printed %q", pw)
			}
		}
	})
}
