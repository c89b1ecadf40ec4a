package robokassatest

import "net/http"

// Temporary: the API handlers land in their own files.

type invoice struct {
	id      string
	typ     string
	paid    bool
	expired bool
	paidAt  interface{}
}
type invoiceStore struct{}

func newInvoiceStore() invoiceStore         { return invoiceStore{} }
func (invoiceStore) byInvID(int64) *invoice { return nil }

type refund struct{}
type receiptKey struct{}
type secondReceipt struct{}

func notImplemented(w http.ResponseWriter, _ *http.Request) { http.Error(w, "not yet", 501) }

func (s *Server) handleFormFLS(w http.ResponseWriter, r *http.Request)        { notImplemented(w, r) }
func (s *Server) handleFormFLSSubmit(w http.ResponseWriter, r *http.Request)  { notImplemented(w, r) }
func (s *Server) handleRecurring(w http.ResponseWriter, r *http.Request)      { notImplemented(w, r) }
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request)        { notImplemented(w, r) }
func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request)         { notImplemented(w, r) }
func (s *Server) handleOpStateExt(w http.ResponseWriter, r *http.Request)     { notImplemented(w, r) }
func (s *Server) handleCurrencies(w http.ResponseWriter, r *http.Request)     { notImplemented(w, r) }
func (s *Server) handlePaymentMethods(w http.ResponseWriter, r *http.Request) { notImplemented(w, r) }
func (s *Server) handleRates(w http.ResponseWriter, r *http.Request)          { notImplemented(w, r) }
func (s *Server) handleCalcOutSum(w http.ResponseWriter, r *http.Request)     { notImplemented(w, r) }
func (s *Server) handleLimit(w http.ResponseWriter, r *http.Request)          { notImplemented(w, r) }
func (s *Server) handleCreateInvoice(w http.ResponseWriter, r *http.Request)  { notImplemented(w, r) }
func (s *Server) handleDeactivateInvoice(w http.ResponseWriter, r *http.Request) {
	notImplemented(w, r)
}
func (s *Server) handleInvoiceList(w http.ResponseWriter, r *http.Request)   { notImplemented(w, r) }
func (s *Server) handleInvoicePage(w http.ResponseWriter, r *http.Request)   { notImplemented(w, r) }
func (s *Server) handleRefund(w http.ResponseWriter, r *http.Request)        { notImplemented(w, r) }
func (s *Server) handleRefundState(w http.ResponseWriter, r *http.Request)   { notImplemented(w, r) }
func (s *Server) handleReceiptAttach(w http.ResponseWriter, r *http.Request) { notImplemented(w, r) }
func (s *Server) handleReceiptStatus(w http.ResponseWriter, r *http.Request) { notImplemented(w, r) }
