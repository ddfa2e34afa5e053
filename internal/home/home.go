// Package home decides where sdkflow keeps its state: the sessions database and the CA.
// Nothing else on disk is written by sdkflow except the outputs a user names.
package home

import (
	"errors"
	"os"
	"path/filepath"
)

// Dirs are the state directories.
type Dirs struct {
	// Data holds the sessions database.
	Data string
	// CA holds the proxy's certificate authority (key mode 0600).
	CA string
}

// Resolve returns the state directories. override (the --store flag) and then SDKFLOW_HOME put
// both under one directory; otherwise the XDG base directories apply.
func Resolve(override string) (Dirs, error) {
	if override == "" {
		override = os.Getenv("SDKFLOW_HOME")
	}
	if override != "" {
		abs, err := filepath.Abs(override)
		if err != nil {
			return Dirs{}, err
		}
		return Dirs{Data: abs, CA: filepath.Join(abs, "ca")}, nil
	}
	data, err := xdg("XDG_DATA_HOME", ".local/share")
	if err != nil {
		return Dirs{}, err
	}
	config, err := xdg("XDG_CONFIG_HOME", ".config")
	if err != nil {
		return Dirs{}, err
	}
	return Dirs{Data: filepath.Join(data, "sdkflow"), CA: filepath.Join(config, "sdkflow", "ca")}, nil
}

func xdg(env, fallback string) (string, error) {
	if dir := os.Getenv(env); filepath.IsAbs(dir) {
		return dir, nil
	}
	h, err := os.UserHomeDir()
	if err != nil || h == "" {
		return "", errors.New("cannot find a home directory: set SDKFLOW_HOME or pass --store")
	}
	return filepath.Join(h, fallback), nil
}
