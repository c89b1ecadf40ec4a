package robokassatest

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// The XML web service, Merchant/WebService/Service.asmx/<Method> (spec §8),
// GET or POST. Every answer carries <Result><Code/><Description/></Result>:
// 0 ok, 1 bad signature, 2 shop not found, 3 operation not found, 4 a test
// and a real operation share the InvoiceID, 1000 internal error (here: a
// malformed parameter).

const wsNamespace = "http://merchant.roboxchange.com/WebService/"

// wsDate is the web service's date format: ISO 8601, seven fractional
// digits, Moscow offset.
const wsDate = "2006-01-02T15:04:05.0000000-07:00"

// emulatedCard is the masked card every emulated payment is made with.
const emulatedCard = "220012******3456"

type wsResult struct {
	Code        int    `xml:"Code"`
	Description string `xml:"Description,omitempty"`
}

// writeXML answers an XML document.
func writeXML(w http.ResponseWriter, v any) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, "robokassatest: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}

// wsForm reads a web-service request. A repeated parameter gets code 1:
// which copy was signed cannot be told.
func wsForm(w http.ResponseWriter, r *http.Request) (url.Values, *wsResult) {
	form, perr := readForm(w, r, 16<<10)
	if perr == nil {
		perr = checkDuplicates(form)
	}
	if perr != nil {
		return nil, &wsResult{1000, perr.detail}
	}
	return form, nil
}

// opStateResponse is OperationStateResponse (testdata/opstate/*.xml of
// package robokassa shows the shape).
type opStateResponse struct {
	XMLName   xml.Name      `xml:"OperationStateResponse"`
	Xmlns     string        `xml:"xmlns,attr"`
	Result    wsResult      `xml:"Result"`
	State     *opStateState `xml:"State,omitempty"`
	Info      *opStateInfo  `xml:"Info,omitempty"`
	UserField *struct {
		Field []struct {
			Name  string `xml:"Name"`
			Value string `xml:"Value"`
		} `xml:"Field"`
	} `xml:"UserField,omitempty"`
}

// opStateState and opStateInfo are the State and Info elements of
// OperationStateResponse.
type opStateState struct {
	Code        int    `xml:"Code"`
	RequestDate string `xml:"RequestDate"`
	StateDate   string `xml:"StateDate"`
}

type opStateInfo struct {
	IncCurrLabel  string `xml:"IncCurrLabel"`
	IncSum        string `xml:"IncSum"`
	IncAccount    string `xml:"IncAccount,omitempty"`
	PaymentMethod struct {
		Code        string `xml:"Code"`
		Description string `xml:"Description"`
	} `xml:"PaymentMethod"`
	OutCurrLabel string `xml:"OutCurrLabel"`
	OutSum       string `xml:"OutSum"`
	OpKey        string `xml:"OpKey"`
	BankCardRRN  string `xml:"BankCardRRN,omitempty"`
}

// handleOpStateExt serves OpStateExt: Signature = hash(MerchantLogin:
// InvoiceID:Password2). The operation is reported from the moment its
// page is shown (state 5); an InvoiceID shared by a test and a real
// operation gets code 4.
func (s *Server) handleOpStateExt(w http.ResponseWriter, r *http.Request) {
	resp := opStateResponse{Xmlns: wsNamespace}
	defer writeXML(w, &resp)
	form, bad := wsForm(w, r)
	if bad != nil {
		resp.Result = wsResult{1, "parameters must not repeat"}
		return
	}
	sh := s.shopByLogin(form.Get("MerchantLogin"))
	if sh == nil {
		resp.Result = wsResult{2, "shop not found"}
		return
	}
	base := form.Get("MerchantLogin") + ":" + form.Get("InvoiceID") + ":" + string(sh.Password2)
	if !sh.checkSignature(base, form.Get("Signature")) {
		resp.Result = wsResult{1, "invalid signature: hash(MerchantLogin:InvoiceID:Password2) expected"}
		return
	}
	id, err := strconv.ParseInt(form.Get("InvoiceID"), 10, 64)
	if err != nil || id <= 0 {
		resp.Result = wsResult{3, "operation not found"}
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	real, test := s.store.find(sh, id, false), s.store.find(sh, id, true)
	op := real
	switch {
	case real != nil && test != nil:
		resp.Result = wsResult{4, "a test and a real operation share this InvoiceID"}
		return
	case real == nil && test == nil:
		resp.Result = wsResult{3, "operation not found"}
		return
	case real == nil:
		op = test
	}
	fillOpState(&resp, op, time.Now())
}

// fillOpState describes op; the caller holds the lock.
func fillOpState(resp *opStateResponse, op *operation, now time.Time) {
	resp.State = &opStateState{int(op.state), now.In(moscow).Format(wsDate), op.history[len(op.history)-1].At.In(moscow).Format(wsDate)}
	m := methodOf(op.label)
	resp.Info = &opStateInfo{IncCurrLabel: m.label, IncSum: op.outSum.StringFixed(6), OutCurrLabel: "BNR",
		OutSum: op.outSum.Sub(op.fee()).StringFixed(6), OpKey: op.opKey}
	resp.Info.PaymentMethod.Code = m.alias
	resp.Info.PaymentMethod.Description = m.describe("ru")
	if op.moneyTaken() {
		resp.Info.IncAccount, resp.Info.BankCardRRN = emulatedCard, op.rrn
	}
	if len(op.shp) > 0 {
		resp.UserField = &struct {
			Field []struct {
				Name  string `xml:"Name"`
				Value string `xml:"Value"`
			} `xml:"Field"`
		}{}
		for _, f := range op.shp {
			resp.UserField.Field = append(resp.UserField.Field, struct {
				Name  string `xml:"Name"`
				Value string `xml:"Value"`
			}{f.name, f.value})
		}
	}
}

// describe names a method in a language for GetPaymentMethods and
// OpStateExt.
func (m *method) describe(lang string) string {
	switch {
	case lang == "en" && m.descEN != "":
		return m.descEN
	case lang == "en":
		return m.nameEN
	case m.descRU != "":
		return m.descRU
	}
	return m.nameRU
}

// wsLogin checks the MerchantLogin of an unsigned call: code 2 when no
// shop has it.
func (s *Server) wsLogin(w http.ResponseWriter, r *http.Request) (url.Values, string, *wsResult) {
	form, bad := wsForm(w, r)
	if bad != nil {
		return nil, "", bad
	}
	if s.shopByLogin(form.Get("MerchantLogin")) == nil {
		return nil, "", &wsResult{2, "shop not found"}
	}
	lang := form.Get("Language")
	if lang != "en" {
		lang = "ru"
	}
	return form, lang, nil
}

type currencyXML struct {
	Label    string `xml:"Label,attr"`
	Alias    string `xml:"Alias,attr"`
	Name     string `xml:"Name,attr"`
	MinValue string `xml:"MinValue,attr"`
	MaxValue string `xml:"MaxValue,attr"`
	Rate     *struct {
		IncSum string `xml:"IncSum,attr"`
	} `xml:"Rate,omitempty"`
}

type groupXML struct {
	Code        string        `xml:"Code,attr"`
	Description string        `xml:"Description,attr"`
	Items       []currencyXML `xml:"Items>Currency"`
}

type currenciesResponse struct {
	XMLName xml.Name
	Xmlns   string     `xml:"xmlns,attr"`
	Result  wsResult   `xml:"Result"`
	Groups  []groupXML `xml:"Groups>Group,omitempty"`
}

// groups lists the catalogue by group; rate, when set, adds each
// option's Rate for it (GetRates).
func groups(lang, only string, rate func(*method) string) []groupXML {
	var out []groupXML
	for i := range catalogue {
		m := &catalogue[i]
		if only != "" && !(m.label == only || m.alias == only) {
			continue
		}
		name, gdesc := m.nameRU, m.groupRU
		if lang == "en" {
			name, gdesc = m.nameEN, m.groupEN
		}
		c := currencyXML{Label: m.label, Alias: m.alias, Name: name, MinValue: m.minValue.StringFixed(2), MaxValue: m.maxValue.StringFixed(2)}
		if rate != nil {
			c.Rate = &struct {
				IncSum string `xml:"IncSum,attr"`
			}{rate(m)}
		}
		if len(out) == 0 || out[len(out)-1].Code != m.group {
			out = append(out, groupXML{Code: m.group, Description: gdesc})
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, c)
	}
	return out
}

// handleCurrencies serves GetCurrencies: the catalogue by group.
func (s *Server) handleCurrencies(w http.ResponseWriter, r *http.Request) {
	resp := currenciesResponse{XMLName: xml.Name{Local: "CurrenciesList"}, Xmlns: wsNamespace}
	defer writeXML(w, &resp)
	_, lang, bad := s.wsLogin(w, r)
	if bad != nil {
		resp.Result = *bad
		return
	}
	resp.Groups = groups(lang, "", nil)
}

// handleRates serves GetRates: for each option (or the one IncCurrLabel
// names), the IncSum a buyer pays for the shop to receive OutSum after
// the option's commission: OutSum / (1 − rate), rounded up to the kopeck.
func (s *Server) handleRates(w http.ResponseWriter, r *http.Request) {
	resp := currenciesResponse{XMLName: xml.Name{Local: "RatesList"}, Xmlns: wsNamespace}
	defer writeXML(w, &resp)
	form, lang, bad := s.wsLogin(w, r)
	if bad != nil {
		resp.Result = *bad
		return
	}
	out, ok := parseSum(form.Get("OutSum"))
	if !ok || !out.IsPositive() {
		resp.Result = wsResult{1000, "OutSum must be an amount greater than zero"}
		return
	}
	only := form.Get("IncCurrLabel")
	if only != "" && !knownMethod(only) {
		resp.Result = wsResult{1000, "unknown IncCurrLabel"}
		return
	}
	if only != "" {
		only = methodOf(only).label
	}
	resp.Groups = groups(lang, only, func(m *method) string {
		return out.DivRound(decimal.NewFromInt(1).Sub(m.rate), 8).RoundCeil(2).StringFixed(2)
	})
}

// handlePaymentMethods serves GetPaymentMethods: the catalogue's methods.
func (s *Server) handlePaymentMethods(w http.ResponseWriter, r *http.Request) {
	type methodXML struct {
		Code        string `xml:"Code,attr"`
		Description string `xml:"Description,attr"`
	}
	resp := struct {
		XMLName xml.Name    `xml:"PaymentMethodsList"`
		Xmlns   string      `xml:"xmlns,attr"`
		Result  wsResult    `xml:"Result"`
		Methods []methodXML `xml:"Methods>Method,omitempty"`
	}{Xmlns: wsNamespace}
	defer writeXML(w, &resp)
	_, lang, bad := s.wsLogin(w, r)
	if bad != nil {
		resp.Result = *bad
		return
	}
	for i := range catalogue {
		resp.Methods = append(resp.Methods, methodXML{catalogue[i].alias, catalogue[i].describe(lang)})
	}
}

// handleCalcOutSum serves CalcOutSumm: what the shop receives when a
// buyer pays IncSum with IncCurrLabel: IncSum minus the commission, the
// same Fee a ResultURL notification reports.
func (s *Server) handleCalcOutSum(w http.ResponseWriter, r *http.Request) {
	resp := struct {
		XMLName xml.Name `xml:"CalcSummsResponseData"`
		Xmlns   string   `xml:"xmlns,attr"`
		Result  wsResult `xml:"Result"`
		OutSum  string   `xml:"OutSum,omitempty"`
	}{Xmlns: wsNamespace}
	defer writeXML(w, &resp)
	form, _, bad := s.wsLogin(w, r)
	if bad != nil {
		resp.Result = *bad
		return
	}
	label := form.Get("IncCurrLabel")
	if !knownMethod(label) {
		resp.Result = wsResult{1000, "unknown IncCurrLabel"}
		return
	}
	in, ok := parseSum(form.Get("IncSum"))
	if !ok || !in.IsPositive() {
		resp.Result = wsResult{1000, "IncSum must be an amount greater than zero"}
		return
	}
	resp.OutSum = in.Sub(methodOf(label).fee(in)).StringFixed(2)
}

// handleLimit serves GetLimit: the shop's fixed limit.
func (s *Server) handleLimit(w http.ResponseWriter, r *http.Request) {
	resp := struct {
		XMLName xml.Name `xml:"LimitResponse"`
		Xmlns   string   `xml:"xmlns,attr"`
		Result  wsResult `xml:"Result"`
		Limit   string   `xml:"Limit,omitempty"`
	}{Xmlns: wsNamespace}
	defer writeXML(w, &resp)
	if _, _, bad := s.wsLogin(w, r); bad != nil {
		resp.Result = *bad
		return
	}
	resp.Limit = shopLimit.StringFixed(2)
}
