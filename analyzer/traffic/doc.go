// Package traffic analyses captured flows: it peels the content encodings and formats of each
// request body (gzip, deflate, brotli, zstd; form, JSON, multipart, base64 and JSON nested in
// fields, raw protobuf), attributes each flow to an SDK and a registrable domain, finds the data
// items each request carries (per-endpoint adapters, generic key and shape detectors, the
// tester's known values in their encoded and hashed forms), and places every flow on the consent
// timeline.
//
// The package is pure: it reads only what the caller passes, and a broken body is a problem
// recorded on its flow, never an error or a panic.
package traffic
