package report

import (
	"reflect"
	"strings"
	"time"

	"github.com/sdkflow/sdkflow/model"
)

// Redact rewrites every text of r that an encoder can show through redact (the tester's known
// values and their variants replaced, traffic.KnownValues.Redact), so that a report can be
// published. The recorded headers and bodies of each flow, which encoders never show, are
// dropped rather than rewritten: a content-encoded body cannot be searched as text. Call it
// after the rules ran and before Finalize and the encoders.
func Redact(r *model.Report, redact func(string) string) {
	if r == nil || redact == nil {
		return
	}
	for i := range r.Sessions {
		for j := range r.Sessions[i].Flows {
			f := &r.Sessions[i].Flows[j]
			f.Request = model.Message{BodySize: f.Request.BodySize}
			f.Response = model.Message{BodySize: f.Response.BodySize}
			f.Extra = nil
		}
	}
	redactValue(reflect.ValueOf(r).Elem(), redact)
}

var timeType = reflect.TypeFor[time.Time]()

// redactValue walks the fields a JSON encoding would show (json:"-" fields hold binary facts
// and raw messages, which no encoder prints) and rewrites their strings.
func redactValue(v reflect.Value, redact func(string) string) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); s != "" {
				if out := redact(s); out != s {
					v.SetString(out)
				}
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			redactValue(v.Elem(), redact)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		// A value inside an interface cannot be set in place: rewrite a copy and store it back.
		inner := v.Elem()
		cp := reflect.New(inner.Type()).Elem()
		cp.Set(inner)
		redactValue(cp, redact)
		if v.CanSet() {
			v.Set(cp)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() || strings.HasPrefix(sf.Tag.Get("json"), "-") {
				continue
			}
			redactValue(v.Field(i), redact)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := 0; i < v.Len(); i++ {
			redactValue(v.Index(i), redact)
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		type entry struct{ k, v reflect.Value }
		var changed []entry
		for iter.Next() {
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(iter.Value())
			redactValue(val, redact)
			changed = append(changed, entry{iter.Key(), val})
		}
		for _, e := range changed {
			v.SetMapIndex(e.k, e.v)
		}
	}
}
