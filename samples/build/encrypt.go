package main

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

const (
	machoMagic64        = 0xfeedfacf
	lcEncryptionInfo64  = 0x2c
	machHeader64Size    = 32
	encryptionCmdIDOffs = 16 // cryptid within encryption_info_command_64
)

// encryptedCopy copies a thin Mach-O slice and simulates FairPlay encryption on the copy:
// cryptid=1 in LC_ENCRYPTION_INFO_64 and [cryptoff, cryptoff+cryptsize) overwritten with bytes
// derived from the file's name (deterministic, and unreadable as code or strings). Slices
// without the load command (simulator slices) are copied unchanged, as on a real device build.
func (b *builder) encryptedCopy(slice string) (string, error) {
	data, err := os.ReadFile(slice)
	if err != nil {
		return "", err
	}
	if err := simulateEncryption(data, filepath.Base(slice)); err != nil {
		return "", fmt.Errorf("%s: simulating encryption: %w", slice, err)
	}
	dir, err := b.tempDir(filepath.Base(slice) + "-encrypted")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, filepath.Base(slice))
	return out, os.WriteFile(out, data, 0o755)
}

func simulateEncryption(data []byte, seed string) error {
	le := binary.LittleEndian
	if len(data) < machHeader64Size || le.Uint32(data) != machoMagic64 {
		return errors.New("not a thin 64-bit little-endian Mach-O file")
	}
	ncmds := le.Uint32(data[16:])
	sizeofcmds := le.Uint32(data[20:])
	if uint64(machHeader64Size)+uint64(sizeofcmds) > uint64(len(data)) {
		return errors.New("load commands overrun the file")
	}
	// 64-bit offsets: a size near 2^32 must not wrap around and send the walk backwards.
	off := uint64(machHeader64Size)
	end := uint64(machHeader64Size) + uint64(sizeofcmds)
	for i := uint32(0); i < ncmds; i++ {
		if off+8 > end {
			return errors.New("truncated load command")
		}
		cmd, size := le.Uint32(data[off:]), uint64(le.Uint32(data[off+4:]))
		if size < 8 || off+size > end {
			return fmt.Errorf("load command %d: bad size %d", i, size)
		}
		if cmd == lcEncryptionInfo64 {
			if size < 24 {
				return errors.New("short LC_ENCRYPTION_INFO_64")
			}
			cryptoff, cryptsize := uint64(le.Uint32(data[off+8:])), uint64(le.Uint32(data[off+12:]))
			if cryptoff+cryptsize > uint64(len(data)) {
				return errors.New("encrypted range beyond the end of the file")
			}
			le.PutUint32(data[off+encryptionCmdIDOffs:], 1)
			scramble(data[cryptoff:cryptoff+cryptsize], seed)
			return nil
		}
		off += size
	}
	return nil
}

// scramble overwrites p with a SHA-256 counter stream keyed by seed.
func scramble(p []byte, seed string) {
	var ctr [8]byte
	for i := 0; len(p) > 0; i++ {
		binary.LittleEndian.PutUint64(ctr[:], uint64(i))
		h := sha256.Sum256(append([]byte(seed), ctr[:]...))
		p = p[copy(p, h[:]):]
	}
}
