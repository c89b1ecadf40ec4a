package robokassatest

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Endpoint names one emulated path (or group of paths) for
// [Server.InjectFault].
type Endpoint string

// The emulated endpoints. Paths are matched without regard to letter case,
// as Robokassa's servers do.
const (
	// EndpointIndex is the payment page, GET|POST /Merchant/Index.aspx
	// (spec §3).
	EndpointIndex Endpoint = "Index.aspx"
	// EndpointCoF is the saved-card payment page, GET|POST
	// /Merchant/Payment/CoFPayment (spec §7).
	EndpointCoF Endpoint = "CoFPayment"
	// EndpointPageSubmit is where the payment page's Pay and Decline
	// buttons post (POST /Merchant/Emulator/Submit, the emulator's own).
	EndpointPageSubmit Endpoint = "Submit"
	// EndpointFormFLS is the arbitrary-sum widget's script, GET
	// /Merchant/PaymentForm/FormFLS.js (spec §3.4).
	EndpointFormFLS Endpoint = "FormFLS.js"
	// EndpointFormFLSSubmit is where the widget's form posts the sum the
	// buyer chose (POST /Merchant/PaymentForm/Submit, the emulator's own).
	EndpointFormFLSSubmit Endpoint = "FormFLS.Submit"
	// EndpointInvoicePage is a payment link of the Invoice API, GET
	// /merchant/Invoice/<EncodedID> (spec §9.1).
	EndpointInvoicePage Endpoint = "Invoice page"
	// EndpointRecurring is POST /Merchant/Recurring (spec §5).
	EndpointRecurring Endpoint = "Recurring"
	// EndpointConfirm and EndpointCancel are hold Confirm and Cancel,
	// POST /Merchant/Payment/Confirm and /Merchant/Payment/Cancel (spec §6).
	EndpointConfirm Endpoint = "Confirm"
	EndpointCancel  Endpoint = "Cancel"
	// EndpointOpStateExt is /Merchant/WebService/Service.asmx/OpStateExt
	// (spec §8).
	EndpointOpStateExt Endpoint = "OpStateExt"
	// EndpointWebService is every other method of
	// /Merchant/WebService/Service.asmx/ (GetCurrencies,
	// GetPaymentMethods, GetRates, CalcOutSumm, GetLimit).
	EndpointWebService Endpoint = "WebService"
	// EndpointInvoice is the Invoice API,
	// POST /InvoiceServiceWebApi/api/{CreateInvoice,DeactivateInvoice,GetInvoiceInformationList}.
	EndpointInvoice Endpoint = "Invoice API"
	// EndpointRefund is POST /RefundService/Refund/Create and
	// EndpointRefundState GET /RefundService/Refund/GetState (spec §9.2).
	EndpointRefund      Endpoint = "Refund"
	EndpointRefundState Endpoint = "RefundState"
	// EndpointReceiptAttach and EndpointReceiptStatus are
	// POST /RoboFiscal/Receipt/Attach and /RoboFiscal/Receipt/Status
	// (spec §9.3).
	EndpointReceiptAttach Endpoint = "ReceiptAttach"
	EndpointReceiptStatus Endpoint = "ReceiptStatus"
)

// isPage reports whether a buyer's browser meets the endpoint: its
// refusals are HTML error pages.
func (ep Endpoint) isPage() bool {
	switch ep {
	case EndpointIndex, EndpointCoF, EndpointPageSubmit, EndpointFormFLSSubmit, EndpointInvoicePage:
		return true
	}
	return false
}

// FaultKind is how an endpoint misbehaves.
type FaultKind int

// Fault kinds.
const (
	// Fault500 answers 500 Internal Server Error without doing anything.
	Fault500 FaultKind = iota + 1
	// FaultDrop closes the connection without an answer and without
	// doing anything: the client sees a network error.
	FaultDrop
	// FaultDelay waits Fault.Delay and then answers normally: past a
	// client's deadline, the request is still carried out, as a real
	// server would.
	FaultDelay
	// FaultGarbage answers 200 with a body that is not what the
	// endpoint returns, without doing anything.
	FaultGarbage
	// FaultDropAfter carries the request out and then closes the
	// connection without the answer: the money moved, the client cannot
	// know. This is why money calls are never retried.
	FaultDropAfter
)

// String returns the kind's name.
func (k FaultKind) String() string {
	switch k {
	case Fault500:
		return "500"
	case FaultDrop:
		return "drop"
	case FaultDelay:
		return "delay"
	case FaultGarbage:
		return "garbage"
	case FaultDropAfter:
		return "drop-after"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is a misbehaviour [Server.InjectFault] arms.
type Fault struct {
	Kind FaultKind
	// Count is how many calls misbehave; 0 means 1.
	Count int
	// Delay is FaultDelay's wait.
	Delay time.Duration
}

// InjectFault makes the next f.Count calls to ep misbehave as f.Kind
// says. Faults armed for the same endpoint are used in the order armed.
func (s *Server) InjectFault(ep Endpoint, f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[ep] = append(s.faults[ep], f)
}

// takeFault uses up one call of the first fault armed for ep.
func (s *Server) takeFault(ep Endpoint) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[ep]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	if q[0].Count--; q[0].Count == 0 {
		q = q[1:]
	}
	if len(q) == 0 {
		delete(s.faults, ep)
	} else {
		s.faults[ep] = q
	}
	return f, true
}

// garbageBody is what FaultGarbage answers: neither XML, JSON, "OK…" nor
// a page, with a stray NUL and invalid UTF-8.
const garbageBody = "<html><body>Object reference not set to an instance of an object.\x00\xff\xfe</b"

// applyFault runs h under fault f; it reports the status written, or 0
// for a dropped connection.
func (s *Server) applyFault(f Fault, w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	switch f.Kind {
	case Fault500:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	case FaultDrop:
		panic(http.ErrAbortHandler) // net/http closes the connection and logs nothing
	case FaultDelay:
		if !s.sleep(r.Context(), f.Delay) && s.ctx.Err() != nil {
			http.Error(w, "server closing", http.StatusServiceUnavailable)
			return
		}
		h(w, r)
	case FaultGarbage:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(garbageBody))
	case FaultDropAfter:
		h(&discard{header: http.Header{}}, r)
		panic(http.ErrAbortHandler)
	default:
		h(w, r)
	}
}

// discard is a ResponseWriter whose answer nobody receives.
type discard struct {
	header http.Header
	body   bytes.Buffer
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return d.body.Write(b) }
func (d *discard) WriteHeader(int)             {}

// route is one emulated path.
type route struct {
	ep      Endpoint
	methods string // space-separated
	h       http.HandlerFunc
}

// Path prefixes of routes with a variable last segment (lower case).
const (
	prefixInvoicePage = "/merchant/invoice/"
	prefixWebService  = "/merchant/webservice/service.asmx/"
	prefixInvoiceAPI  = "/invoiceservicewebapi/api/"
)

func (s *Server) newRoutes() map[string]route {
	return map[string]route{
		"/merchant/index.aspx":                         {EndpointIndex, "GET POST", s.handleIndex},
		"/merchant/payment/cofpayment":                 {EndpointCoF, "GET POST", s.handleCoF},
		"/merchant/emulator/submit":                    {EndpointPageSubmit, "POST", s.handleSubmit},
		"/merchant/paymentform/formfls.js":             {EndpointFormFLS, "GET", s.handleFormFLS},
		"/merchant/paymentform/submit":                 {EndpointFormFLSSubmit, "POST", s.handleFormFLSSubmit},
		"/merchant/recurring":                          {EndpointRecurring, "POST", s.handleRecurring},
		"/merchant/payment/confirm":                    {EndpointConfirm, "POST", s.handleConfirm},
		"/merchant/payment/cancel":                     {EndpointCancel, "POST", s.handleCancel},
		prefixWebService + "opstateext":                {EndpointOpStateExt, "GET POST", s.handleOpStateExt},
		prefixWebService + "getcurrencies":             {EndpointWebService, "GET POST", s.handleCurrencies},
		prefixWebService + "getpaymentmethods":         {EndpointWebService, "GET POST", s.handlePaymentMethods},
		prefixWebService + "getrates":                  {EndpointWebService, "GET POST", s.handleRates},
		prefixWebService + "calcoutsumm":               {EndpointWebService, "GET POST", s.handleCalcOutSum},
		prefixWebService + "getlimit":                  {EndpointWebService, "GET POST", s.handleLimit},
		prefixInvoiceAPI + "createinvoice":             {EndpointInvoice, "POST", s.handleCreateInvoice},
		prefixInvoiceAPI + "deactivateinvoice":         {EndpointInvoice, "POST", s.handleDeactivateInvoice},
		prefixInvoiceAPI + "getinvoiceinformationlist": {EndpointInvoice, "POST", s.handleInvoiceList},
		"/refundservice/refund/create":                 {EndpointRefund, "POST", s.handleRefund},
		"/refundservice/refund/getstate":               {EndpointRefundState, "GET", s.handleRefundState},
		"/robofiscal/receipt/attach":                   {EndpointReceiptAttach, "POST", s.handleReceiptAttach},
		"/robofiscal/receipt/status":                   {EndpointReceiptStatus, "POST", s.handleReceiptStatus},
	}
}

// lookup finds the route of a path, matched in lower case.
func (s *Server) lookup(path string) (route, bool) {
	p := strings.ToLower(path)
	if rt, ok := s.routes[p]; ok {
		return rt, true
	}
	if strings.HasPrefix(p, prefixInvoicePage) && len(p) > len(prefixInvoicePage) {
		return route{EndpointInvoicePage, "GET POST", s.handleInvoicePage}, true
	}
	return route{}, false
}

// statusWriter records the status an answer was given.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP routes a request to the emulated endpoint, applying any fault
// armed for it. Unknown paths get 404, a method the endpoint does not
// take 405.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	rt, ok := s.lookup(r.URL.Path)
	fault := ""
	if s.Logger != nil {
		defer func() {
			// The path only: a query string may carry a signature.
			s.logf("robokassatest: request", "method", r.Method, "path", r.URL.Path, "endpoint", string(rt.ep),
				"status", sw.status, "fault", fault, "duration", time.Since(start))
		}()
	}
	switch {
	case !ok:
		http.Error(sw, "404 page not found", http.StatusNotFound)
		return
	case !hasMethod(rt.methods, r.Method):
		sw.Header().Set("Allow", strings.ReplaceAll(rt.methods, " ", ", "))
		if rt.ep.isPage() {
			s.errorPage(sw, http.StatusMethodNotAllowed, pageError{code: 30, detail: "this page takes " + strings.ReplaceAll(rt.methods, " ", " or ")})
			return
		}
		http.Error(sw, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if f, armed := s.takeFault(rt.ep); armed {
		fault = f.Kind.String()
		s.applyFault(f, sw, r, rt.h)
		return
	}
	rt.h(sw, r)
}

func hasMethod(list, m string) bool {
	for _, x := range strings.Fields(list) {
		if x == m {
			return true
		}
	}
	return false
}
