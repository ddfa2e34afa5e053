package proxy

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// AllowList decides which clients the proxy serves: loopback always, others only inside one of
// the prefixes the tester named with --allow. Everyone else is refused, so the proxy never
// becomes a relay for the network it listens on.
type AllowList struct {
	prefixes []netip.Prefix
}

// ParseAllowList parses CIDR prefixes (a bare address allows that one address).
func ParseAllowList(specs []string) (*AllowList, error) {
	a := &AllowList{}
	for _, s := range specs {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			addr, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("--allow %q: not an address or CIDR prefix", s)
			}
			a.prefixes = append(a.prefixes, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("--allow %q: %v", s, err)
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("--allow %q would let the whole Internet use the proxy; name your network (e.g. 192.168.1.0/24)", s)
		}
		a.prefixes = append(a.prefixes, netip.PrefixFrom(p.Addr().Unmap(), p.Bits()).Masked())
	}
	return a, nil
}

// Allows reports whether a client at addr (a net.Addr string, "ip:port" or bare ip) is served.
func (a *AllowList) Allows(addr string) bool {
	ip, ok := clientIP(addr)
	if !ok {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	if a == nil {
		return false
	}
	for _, p := range a.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Prefixes returns the allowed prefixes (loopback is always allowed on top).
func (a *AllowList) Prefixes() []netip.Prefix {
	if a == nil {
		return nil
	}
	return append([]netip.Prefix(nil), a.prefixes...)
}

func clientIP(addr string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(addr); err == nil {
		return ap.Addr().Unmap(), true
	}
	if ip, err := netip.ParseAddr(addr); err == nil {
		return ip.Unmap(), true
	}
	return netip.Addr{}, false
}

// maxRefusedLogged bounds the set of refused addresses remembered for once-per-address logging.
const maxRefusedLogged = 1024

// allowListener closes connections from clients the allow-list refuses, before a byte is read,
// and reports each refused address once.
type allowListener struct {
	net.Listener
	allow   *AllowList
	refused func(addr string)

	mu   sync.Mutex
	seen map[netip.Addr]bool
}

func (l *allowListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := c.RemoteAddr().String()
		if l.allow.Allows(addr) {
			return c, nil
		}
		c.Close()
		l.noteRefused(addr)
	}
}

func (l *allowListener) noteRefused(addr string) {
	ip, _ := clientIP(addr)
	l.mu.Lock()
	first := !l.seen[ip]
	if first {
		if l.seen == nil {
			l.seen = make(map[netip.Addr]bool)
		}
		if len(l.seen) >= maxRefusedLogged {
			first = false
		} else {
			l.seen[ip] = true
		}
	}
	l.mu.Unlock()
	if first && l.refused != nil {
		l.refused(ip.String())
	}
}
