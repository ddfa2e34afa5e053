// Package traffic analyses captured flows: it peels the content encodings and formats of each
// request body (gzip, deflate, brotli, zstd; form, JSON, multipart, base64 and JSON nested in
// fields, JWT claims, raw protobuf), attributes each flow to an SDK and a registrable domain,
// finds the data items each request carries (per-endpoint adapters, generic key and shape
// detectors, the tester's known values in their encoded and hashed forms), and places every
// flow on the consent timeline.
//
// A data item's Location is one of
//
//	path                         a URL path segment
//	query.NAME                   a query parameter
//	header.NAME                  a request header (lower case); header.cookie.NAME for a cookie
//	body.PATH                    the request body
//	response.body.PATH           the response body (only where an adapter reads it)
//
// where PATH joins form fields and JSON keys with dots, array elements as [i], protobuf field
// numbers after pb (pb.1.21), and marks nested layers: NAME(base64), NAME(jwt). Its Match lists
// every way it was found, most telling first, comma-separated:
//
//	adapter:NAME/FIELD           a per-endpoint adapter (adapter:facebook-activities/device-model)
//	known:LABEL/VARIANT          a tester's value (known:idfa/plain, known:email/lower/sha256-hex)
//	key:NAME                     a generic detector, by the key the value was under
//	shape:KIND                   a generic detector, by the value's shape alone (shape:email)
//
// The all-zero IDFA is reported as type no-advertising-id, never as an advertising-id.
//
// The package is pure: it reads only what the caller passes, and a broken body is a problem
// recorded on its flow, never an error or a panic.
package traffic
