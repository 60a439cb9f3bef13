package auth

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// parseProxies reads server.trusted_proxies: CIDRs, or single addresses.
func parseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, fmt.Errorf("server.trusted_proxies: %q: not a CIDR (e.g. 10.0.0.0/8) (KD_TRUSTED_PROXIES)", s)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("server.trusted_proxies: %q: not an IP address or CIDR (KD_TRUSTED_PROXIES)", s)
		}
		a = a.Unmap().WithZone("")
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddress is the address a request comes from: its TCP peer, unless the peer is a trusted
// proxy. Then X-Forwarded-For is read from the right (each proxy appends the address it got
// the request from, so only the entries a trusted proxy added can be believed): the first
// address that is not a trusted proxy is the client. Entries left of it were written by the
// client and are ignored, as are all of them when the peer is not trusted. A garbled entry ends
// the walk at the last address read. An invalid Addr means the peer could not be read.
func clientAddress(r *http.Request, proxies []netip.Prefix) netip.Addr {
	if r == nil {
		return netip.Addr{}
	}
	client, ok := parseHop(r.RemoteAddr)
	if !ok || !trusted(client, proxies) {
		return client
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			break
		}
		client = a
		if !trusted(a, proxies) {
			break
		}
	}
	return client
}

// parseHop reads an address as a peer or a proxy writes it: 192.0.2.1, 192.0.2.1:5678, 2001:db8::1
// or [2001:db8::1]:5678; IPv4-mapped IPv6 addresses as IPv4, without a zone.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone(""), true
}

// bucketKey is what failures are counted by: an IPv4 address, or an IPv6 address's /64 (the
// smallest block a site is usually given, so one host cannot spread over 2^64 buckets).
func bucketKey(a netip.Addr) string {
	switch {
	case !a.IsValid():
		return "unknown"
	case a.Is4():
		return a.String()
	default:
		return netip.PrefixFrom(a, 64).Masked().String()
	}
}
