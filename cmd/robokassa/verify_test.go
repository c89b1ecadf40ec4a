package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyVectors(t *testing.T) {
	for _, v := range loadVectors[callbackVector](t, "callbacks.json") {
		t.Run(v.Name, func(t *testing.T) {
			env := map[string]string{"ROBOKASSA_ALGORITHM": v.Algorithm}
			args := []string{"verify"}
			switch v.Kind {
			case "result":
				env["ROBOKASSA_PASSWORD2"] = v.Password
			case "success":
				env["ROBOKASSA_PASSWORD1"] = v.Password
				args = append(args, "-success")
			default:
				t.Fatalf("unknown kind %q", v.Kind)
			}
			// The body as an argument and on standard input.
			for _, r := range []result{
				runCLI(t, env, "", append(args, v.Body)...),
				runCLI(t, env, v.Body+"\n", args...),
				runCLI(t, env, v.Body, append(args, "-")...),
			} {
				assert.Empty(t, r.stderr)
				if v.Expect == "ok" {
					require.Equal(t, 0, r.code, r.stdout)
					assert.Contains(t, r.stdout, "signature ok ("+v.Algorithm+")")
					if v.Kind == "result" {
						assert.Regexp(t, `(?m)^answer\s+OK12\s`, r.stdout)
					}
				} else {
					assert.Equal(t, 1, r.code, r.stdout)
					assert.Contains(t, r.stdout, "notification refused: robokassa:")
					assert.NotContains(t, r.stdout, "answer")
				}
			}
		})
	}
}

func TestVerifyPrintsTheNotification(t *testing.T) {
	// Vector "result, Robokassa adds Shp_interface", with a Shp value the
	// SDK encoded (abc 1 → abc+1) added and the signature recomputed here.
	base := "990.000000:12:password_2:Shp_interface=link:Shp_note=abc+1:Shp_order=12"
	body := "OutSum=990.000000&InvId=12&Fee=1.500000&EMail=buyer%40example.com&PaymentMethod=BankCard&IncCurrLabel=BankCardPSR" +
		"&SignatureValue=" + strings.ToUpper(md5hex(base)) + "&Shp_interface=link&Shp_order=12&Shp_note=abc%2B1"
	r := runCLI(t, demoEnv, "", "verify", "https://shop.example/robokassa/result?"+body)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	lines := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n")[1:] {
		f := strings.Fields(l)
		lines[f[0]] = strings.Join(f[1:], " ")
	}
	assert.Equal(t, map[string]string{
		"InvId":         "12",
		"OutSum":        "990.000000",
		"Fee":           "1.500000",
		"EMail":         "buyer@example.com",
		"PaymentMethod": "BankCard",
		"IncCurrLabel":  "BankCardPSR",
		"test":          "no",
		"Shp_interface": "link",
		"Shp_note":      "abc 1 (received abc+1)",
		"Shp_order":     "12",
		"answer":        "OK12 (exactly this body, status 200, once the order is marked paid)",
	}, lines)
}

func TestVerifyTestMode(t *testing.T) {
	// IsTest=1, signed with the test Password #2.
	body := "OutSum=990.000000&InvId=12&IsTest=1&SignatureValue=" + md5hex("990.000000:12:test_password_2")

	r := runCLI(t, demoEnv, body, "verify")
	assert.Equal(t, 1, r.code, "a production shop refuses a test notification")
	assert.Contains(t, r.stdout, "test-mode notification received by a production client")
	assert.Contains(t, r.stdout, "give -test (or ROBOKASSA_TEST=1)")

	r = runCLI(t, demoEnv, body, "verify", "-test")
	require.Equal(t, 0, r.code, r.stdout)
	assert.Regexp(t, `(?m)^test\s+yes`, r.stdout)

	r = runCLI(t, with(demoEnv, "ROBOKASSA_TEST", "1"), body, "verify")
	require.Equal(t, 0, r.code, r.stdout)

	// Signed with the production Password #2 but marked IsTest=1.
	wrong := "OutSum=990.000000&InvId=12&IsTest=1&SignatureValue=" + md5hex("990.000000:12:password_2")
	r = runCLI(t, demoEnv, wrong, "verify", "-test")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "robokassa: bad signature")

	// SuccessURL in test mode: the test Password #1, lowercase hex.
	success := "OutSum=990.00&InvId=12&IsTest=1&Culture=ru&SignatureValue=" + md5hex("990.00:12:test_password_1")
	r = runCLI(t, demoEnv, success, "verify", "-success", "-test")
	require.Equal(t, 0, r.code, r.stdout)
	assert.Contains(t, r.stdout, "SuccessURL notification: signature ok")
	assert.Contains(t, r.stdout, "mark the order paid from ResultURL only")
}

func TestVerifyRefusals(t *testing.T) {
	good := "OutSum=990.000000&InvId=12&SignatureValue=" + md5hex("990.000000:12:password_2")
	for _, tc := range []struct {
		name, body, want string
	}{
		{"duplicate OutSum", good + "&OutSum=1.000000", `robokassa: duplicate parameter "OutSum"`},
		{"tampered", strings.Replace(good, "InvId=12", "InvId=13", 1), "robokassa: bad signature"},
		{"no InvId", strings.Replace(good, "InvId=12&", "", 1), `robokassa: missing parameter "InvId"`},
		{"a Shp that could be re-cut", good + "&Shp_a=x:Shp_b=y", `robokassa: invalid parameter "Shp_a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, demoEnv, tc.body, "verify")
			assert.Equal(t, 1, r.code)
			assert.Contains(t, r.stdout, tc.want)
		})
	}
}

func TestVerifyUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		stdin string
		args  []string
		want  string
	}{
		{"empty", demoEnv, "  \n", nil, "the notification is empty"},
		{"two arguments", demoEnv, "", []string{"a=1", "b=2"}, "want one notification, got 2 arguments"},
		{"URL without query", demoEnv, "", []string{"https://shop.example/result"}, "has no query string"},
		{"bad encoding", demoEnv, "", []string{"OutSum=%zz"}, "not valid URL encoding"},
		{"no password #2", with(demoEnv, "ROBOKASSA_PASSWORD2", ""), "", []string{"a=1"}, "give -password2 or set ROBOKASSA_PASSWORD2"},
		{"no password #1", with(demoEnv, "ROBOKASSA_PASSWORD1", ""), "", []string{"-success", "a=1"}, "give -password1 or set ROBOKASSA_PASSWORD1"},
		{"no test password #2", with(demoEnv, "ROBOKASSA_TEST_PASSWORD2", ""), "", []string{"-test", "a=1"}, "give -test-password2 or set ROBOKASSA_TEST_PASSWORD2"},
		{"too long", demoEnv, strings.Repeat("a", maxInput+1), nil, "longer than"},
		{"too many parameters", demoEnv, strings.Repeat("a=1&", maxParams+1), nil, "more than 1000 parameters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.env, tc.stdin, append([]string{"verify"}, tc.args...)...)
			assert.Equal(t, 2, r.code, r.stdout)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
}

func TestVerifyNeedsOnlyItsPassword(t *testing.T) {
	// Only Password #2 is set: no login, no Password #1.
	body := "OutSum=990.000000&InvId=12&SignatureValue=" + md5hex("990.000000:12:password_2")
	r := runCLI(t, map[string]string{"ROBOKASSA_PASSWORD2": "password_2"}, body, "verify")
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
}
