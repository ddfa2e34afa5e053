// Command sdkflow finds the third-party SDKs inside a mobile app, records what they send, and
// reports where that breaks the user's consent.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], systemStreams()))
}
