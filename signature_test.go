package robokassa

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignatureVectors feeds each shared vector's wire values to the
// signature builder and checks the base string and the hash.
func TestSignatureVectors(t *testing.T) {
	for _, v := range loadSignatureVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			in := v.Inputs
			s := newSignature(in.MerchantLogin, in.OutSum, in.InvID)
			if in.ReceiptJSON != "" {
				s.set(modReceipt, urlEncode(in.ReceiptJSON))
			}
			if in.StepByStep {
				s.set(modStepByStep, "true")
			}
			s.set(modResultURL2, in.ResultURL2)
			s.set(modSuccessURL2, in.SuccessURL2)
			s.set(modSuccessURL2Method, in.SuccessURL2Method)
			s.set(modFailURL2, in.FailURL2)
			s.set(modFailURL2Method, in.FailURL2Method)
			s.set(modToken, in.Token)
			s.set(modOutSumCurrency, in.OutSumCurrency)
			s.set(modUserIP, in.UserIP)
			s.password = in.Password
			m := map[string]string{}
			for k, val := range in.Shp {
				m[strings.TrimPrefix(k, "Shp_")] = val
			}
			var err error
			s.shp, err = validShpPairs(m, nil)
			require.NoError(t, err)

			assert.Equal(t, v.Base, string(s.appendBase(nil, false)))
			assert.Equal(t, v.Signature, s.sign(v.Algorithm))
			assert.True(t, s.verify(v.Algorithm, strings.ToUpper(v.Signature)), "uppercase hex must verify")
			assert.NotContains(t, s.masked(), in.Password+":")
		})
	}
}

// TestModifierOrder sets the modifiers in every order a random shuffle
// gives and checks the base never changes (spec §3.1).
func TestModifierOrder(t *testing.T) {
	values := map[modifier]string{
		modOutSumCurrency: "USD", modUserIP: "127.0.0.1", modReceipt: "%7B%7D", modStepByStep: "true",
		modResultURL2: "https://r2", modSuccessURL2: "https://ok", modSuccessURL2Method: "GET",
		modFailURL2: "https://fail", modFailURL2Method: "POST", modToken: "tok",
	}
	const want = "l:1.00:2:USD:127.0.0.1:%7B%7D:true:https://r2:https://ok:GET:https://fail:POST:tok:pw:Shp_a=1"
	order := make([]modifier, 0, len(values))
	for m := range values {
		order = append(order, m)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50; i++ {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		s := newSignature("l", "1.00", "2")
		for _, m := range order {
			s.set(m, values[m])
		}
		s.password = "pw"
		s.shp = []shpPair{{"Shp_", "a", "1"}}
		require.Equal(t, want, string(s.appendBase(nil, false)))
	}
}

func TestSortShpByName(t *testing.T) {
	// Byte order of the full name: "Shp_item" < "Shp_item2" (the PHP
	// SDK's name=value sort would put Shp_item2 first) and "Shp_B" < "Shp_a".
	p := []shpPair{{"Shp_", "item2", "b"}, {"Shp_", "a", "1"}, {"Shp_", "item", "a"}, {"Shp_", "B", "2"}}
	sortShp(p)
	var names []string
	for _, x := range p {
		names = append(names, x.prefix+x.name)
	}
	assert.Equal(t, []string{"Shp_B", "Shp_a", "Shp_item", "Shp_item2"}, names)
	assert.True(t, sort.StringsAreSorted(names))
}

func TestURLEncodeMatchesPHP(t *testing.T) {
	for in, want := range map[string]string{
		"":             "",
		"abc-_.XYZ09":  "abc-_.XYZ09",
		"abc 1":        "abc+1",
		"~tilde~":      "%7Etilde%7E",
		"with/slash":   "with%2Fslash",
		`{"a":1}`:      "%7B%22a%22%3A1%7D",
		"Чай":          "%D0%A7%D0%B0%D0%B9",
		"a+b&c=d%":     "a%2Bb%26c%3Dd%25",
		"\x00\x1f\x7f": "%00%1F%7F",
	} {
		assert.Equal(t, want, urlEncode(in), "urlEncode(%q)", in)
		assert.Equal(t, "x"+want, string(appendURLEncode([]byte("x"), in)), "appendURLEncode(%q)", in)
	}
}

func TestMatchesRejects(t *testing.T) {
	data := []byte("x")
	good := string(MD5.appendHex(nil, data))
	assert.True(t, MD5.matches(good, data))
	assert.True(t, MD5.matches(strings.ToUpper(good), data))
	assert.False(t, MD5.matches(good[:31], data), "short")
	assert.False(t, MD5.matches(good+"0", data), "long")
	assert.False(t, MD5.matches("zz"+good[2:], data), "not hex")
	assert.False(t, MD5.matches("", data), "empty")
	assert.False(t, SHA256.matches(good, data), "other algorithm")
}
