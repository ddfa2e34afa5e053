package consent

// reasonCodes lists the reason codes Apple accepts for a category, for fix texts.
func reasonCodes(category string) string { return "" }
