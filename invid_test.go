package robokassa

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewInvIDUniqueAcrossGoroutines(t *testing.T) {
	const workers, each = 8, 2000
	ids := make(chan int64, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				ids <- NewInvID()
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := make(map[int64]bool, workers*each)
	var highBit int
	for id := range ids {
		require.Positive(t, id)
		require.False(t, seen[id], "duplicate id %d", id)
		seen[id] = true
		if id > 1<<62 {
			highBit++
		}
	}
	// Uniform over 63 bits: about half the ids have the top bit set.
	assert.InDelta(t, workers*each/2, highBit, workers*each/10)
}
