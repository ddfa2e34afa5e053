package main

import (
	"io"
	"reflect"
	"strings"
)

func ioLimit(r io.Reader, n int64) io.Reader { return io.LimitReader(r, n) }

// yamlKeys lists the YAML keys of a struct (through inline fields).
func yamlKeys(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			keys = append(keys, yamlKeys(reflect.New(f.Type).Interface())...)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		keys = append(keys, name)
	}
	return keys
}
