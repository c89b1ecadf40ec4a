package lifepay

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClientValueNeverPrintsKey: fmt reaches a Client value's unexported
// fields raw (no method of theirs is called), so the key must not be in
// one: %s of *c used to print it.
func TestClientValueNeverPrintsKey(t *testing.T) {
	c, err := NewClient(Config{ServiceID: "12345", SecretKey: "TOPSECRET-key"})
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		assert.NotContains(t, fmt.Sprintf(verb, *c), "TOPSECRET", verb)
		assert.NotContains(t, fmt.Sprintf(verb, c), "TOPSECRET", verb)
		assert.NotContains(t, fmt.Sprintf(verb, struct{ C Client }{*c}), "TOPSECRET", verb)
	}
	js, err := json.Marshal(Config{SecretKey: "TOPSECRET-key"})
	require.NoError(t, err)
	assert.NotContains(t, string(js), "TOPSECRET")
}
