// Package signatures is sdkflow's knowledge of the SDK world, kept as data: one YAML file per
// SDK (embedded in the binary, extensible with user files), a JSON Schema for those files, a
// loader and validator whose errors name file and line, one compiled matcher for every kind of
// static fact and for network hosts, and the rule that turns combined evidence into confidence.
//
// The package is pure: it reads only the files it is asked to read and never writes.
package signatures
