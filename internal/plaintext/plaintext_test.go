package plaintext_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/robokassa-go/robokassa/internal/plaintext"
)

func TestWrite(t *testing.T) {
	w := httptest.NewRecorder()
	plaintext.Write(w, http.StatusOK, "OK12")
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "OK12", w.Body.String())
	assert.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
}
