package signatures

import (
	"bytes"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// MarshalYAML writes Default and Safe as YAML booleans (or "unset"), as the schema wants.
func (f ConsentFlag) MarshalYAML() (any, error) {
	type flag struct {
		Key      string `yaml:"key"`
		Default  any    `yaml:"default"`
		Safe     any    `yaml:"safe"`
		Controls string `yaml:"controls"`
		Note     string `yaml:"note,omitempty"`
		GatedBy  string `yaml:"gatedBy,omitempty"`
	}
	return flag{Key: f.Key, Default: flagYAML(f.Default), Safe: flagYAML(f.Safe), Controls: f.Controls, Note: f.Note, GatedBy: f.GatedBy}, nil
}

func flagYAML(v string) any {
	switch v {
	case FlagTrue:
		return true
	case FlagFalse:
		return false
	}
	return v
}

// EncodeYAML writes one signature in the file format, preceded by comment lines (without
// "# "), so that ParseFile reads it back unchanged.
func EncodeYAML(w io.Writer, s *Signature, comments ...string) error {
	var buf bytes.Buffer
	for _, c := range comments {
		fmt.Fprintf(&buf, "# %s\n", c)
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("encoding signature %s: %w", s.ID, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encoding signature %s: %w", s.ID, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
