package html

import "github.com/sdkflow/sdkflow/signatures"

// sdkLabel is how prose names an SDK: its name and vendor from the app's inventory, or, for an
// SDK seen only in traffic (a capture without the app), from the built-in signature set; the
// bare signature id when neither knows it.
type sdkLabel struct{ name, vendor string }

func (b *builder) label(id string) sdkLabel {
	if s := b.sdks[id]; s != nil {
		return sdkLabel{s.Name, s.Vendor}
	}
	if l, ok := b.known[id]; ok {
		return l
	}
	l := sdkLabel{}
	if set, err := signatures.Embedded(); err == nil {
		if sig, ok := set.Get(id); ok {
			l = sdkLabel{sig.Name, sig.Vendor}
		}
	}
	b.known[id] = l
	return l
}
