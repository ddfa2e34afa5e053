//go:build !unix

package bundle

import "time"

func processCPU() time.Duration { return 0 }
