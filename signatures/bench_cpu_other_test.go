//go:build !unix

package signatures

import "time"

// cpuTime is not measured here; the benchmark reports wall times only.
func cpuTime() time.Duration { return 0 }
