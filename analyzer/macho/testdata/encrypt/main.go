// Command encrypt turns a fixture into what a FairPlay-encrypted App Store binary looks like
// to a reader: cryptid set to 1 in LC_ENCRYPTION_INFO_64 and the range it covers replaced by
// pseudo-random bytes (a fixed seed, so the output is reproducible).
//
//	go run ./encrypt IN OUT
package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
)

const lcEncryptionInfo64 = 0x2c

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: encrypt IN OUT")
		os.Exit(2)
	}
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	if binary.LittleEndian.Uint32(b) != 0xfeedfacf {
		fail(fmt.Errorf("%s: not a thin 64-bit Mach-O file", os.Args[1]))
	}
	ncmds := binary.LittleEndian.Uint32(b[16:])
	off := 32
	for i := uint32(0); i < ncmds; i++ {
		cmd, size := binary.LittleEndian.Uint32(b[off:]), binary.LittleEndian.Uint32(b[off+4:])
		if cmd == lcEncryptionInfo64 {
			cryptoff := binary.LittleEndian.Uint32(b[off+8:])
			cryptsize := binary.LittleEndian.Uint32(b[off+12:])
			binary.LittleEndian.PutUint32(b[off+16:], 1)
			rng := rand.New(rand.NewPCG(2020, 4))
			for j := cryptoff; j < cryptoff+cryptsize; j++ {
				b[j] = byte(rng.Uint32())
			}
			if err := os.WriteFile(os.Args[2], b, 0o644); err != nil {
				fail(err)
			}
			return
		}
		off += int(size)
	}
	fail(fmt.Errorf("%s: no LC_ENCRYPTION_INFO_64", os.Args[1]))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "encrypt:", err)
	os.Exit(1)
}
