package main

import (
	"bytes"
	"fmt"
	"time"

	"howett.net/plist"
)

// encodePlist writes a property list as XML (tab-indented, as Xcode does) or binary. YAML
// values map naturally: maps → dict, lists → array, strings, ints, floats, bools, timestamps.
func encodePlist(v map[string]any, binaryFormat bool) ([]byte, error) {
	if err := checkPlistValue(v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := plist.NewEncoderForFormat(&buf, plist.XMLFormat)
	if binaryFormat {
		enc = plist.NewEncoderForFormat(&buf, plist.BinaryFormat)
	} else {
		enc.Indent("\t")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if !binaryFormat {
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// checkPlistValue rejects what a property list cannot hold (YAML nulls), with the key path.
func checkPlistValue(v any) error {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if err := checkPlistValue(x); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	case []any:
		for i, x := range t {
			if err := checkPlistValue(x); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
	case string, bool, int, int64, uint64, float64, time.Time, []byte:
	case nil:
		return fmt.Errorf("null has no property list form")
	default:
		return fmt.Errorf("unsupported value %T", v)
	}
	return nil
}
