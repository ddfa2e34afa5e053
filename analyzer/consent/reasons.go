package consent

import (
	"strings"

	"github.com/sdkflow/sdkflow/analyzer/plist"
)

// reasonCodes lists Apple's reason codes for a category with their allowed use, for fix texts:
// "C617.1: files inside the app container, ...; DDA9.1: ...".
func reasonCodes(category string) string {
	var parts []string
	for _, r := range plist.Reasons {
		if r.Category == category {
			parts = append(parts, r.Code+": "+r.Use)
		}
	}
	return strings.Join(parts, "; ")
}
