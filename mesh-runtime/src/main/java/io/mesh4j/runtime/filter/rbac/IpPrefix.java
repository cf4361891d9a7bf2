package io.mesh4j.runtime.filter.rbac;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A compiled {@code envoy.config.core.v3.CidrRange}: an address prefix of one IP version. As Envoy's {@code
 * CidrRange}, an address of the other version is never in range, and a prefix length beyond the address's bits is
 * taken as the whole address.
 */
final class IpPrefix {
  private final boolean ipv4;
  private final int length;
  // The prefix, left-aligned in 128 bits (IPv4 in the high 32 bits of hi), bits past the length cleared.
  private final long hi;
  private final long lo;
  private final String text;

  private IpPrefix(boolean ipv4, int length, long hi, long lo, String text) {
    this.ipv4 = ipv4;
    this.length = length;
    this.hi = hi;
    this.lo = lo;
    this.text = text;
  }

  /**
   * @param address an IPv4 or IPv6 literal
   * @param prefixLength the prefix length; clamped to the address's bits
   * @throws IllegalArgumentException when {@code address} is not an IP literal or the length is negative
   */
  static IpPrefix of(String address, int prefixLength) {
    if (prefixLength < 0) {
      throw new IllegalArgumentException("prefix length " + Integer.toUnsignedString(prefixLength) + " is negative");
    }
    byte[] bytes = parseLiteral(address);
    boolean ipv4 = bytes.length == 4;
    int length = Math.min(prefixLength, bytes.length * 8);
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < bytes.length; i++) {
      long b = bytes[i] & 0xffL;
      if (ipv4) {
        hi |= b << (56 - 8 * i);
      } else if (i < 8) {
        hi |= b << (56 - 8 * i);
      } else {
        lo |= b << (56 - 8 * (i - 8));
      }
    }
    return new IpPrefix(ipv4, length, hi & mask(length), lo & mask(length - 64), address + "/" + length);
  }

  /** Whether the socket address's IP is in this range; false for an unresolved or missing address. */
  boolean contains(InetSocketAddress socketAddress) {
    if (socketAddress == null) {
      return false;
    }
    InetAddress address = socketAddress.getAddress();
    if (address == null) {
      return false;
    }
    if (address instanceof Inet4Address) {
      // Inet4Address's hash code is its address: read without the copy getAddress() makes.
      return ipv4 && ((((long) address.hashCode()) << 32) & mask(length)) == hi;
    }
    if (ipv4) {
      return false;
    }
    byte[] bytes = address.getAddress();
    long addrHi = 0;
    long addrLo = 0;
    for (int i = 0; i < 8; i++) {
      addrHi = (addrHi << 8) | (bytes[i] & 0xffL);
      addrLo = (addrLo << 8) | (bytes[i + 8] & 0xffL);
    }
    return (addrHi & mask(length)) == hi && (addrLo & mask(length - 64)) == lo;
  }

  /** The high {@code bits} bits of a long set (all for 64 or more, none for 0 or less). */
  private static long mask(int bits) {
    if (bits <= 0) {
      return 0;
    }
    return bits >= 64 ? -1L : -1L << (64 - bits);
  }

  private static byte[] parseLiteral(String s) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException("address_prefix is empty");
    }
    boolean v6 = s.indexOf(':') >= 0;
    if (!v6 && !isDottedQuad(s)) {
      throw new IllegalArgumentException("'" + s + "' is not an IP address");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        throw new IllegalArgumentException("'" + s + "' is not an IP address");
      }
    }
    try {
      // Only literals reach here: with a ':' or as a dotted quad, InetAddress never resolves a name.
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + s + "' is not an IP address");
    }
  }

  private static boolean isDottedQuad(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3) {
        return false;
      }
      for (int i = 0; i < part.length(); i++) {
        if (part.charAt(i) < '0' || part.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
