package io.mesh4j.runtime.listener;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IP prefix of a {@code filter_chain_match} ({@code envoy.config.core.v3.CidrRange}), normalized as Envoy does:
 * the bits past the prefix length are cleared, so {@code 10.1.2.3/8} and {@code 10.0.0.0/8} are the same range.
 */
public final class CidrRange {
  private final byte[] prefix;
  private final int length;

  private CidrRange(byte[] prefix, int length) {
    this.prefix = prefix;
    this.length = length;
  }

  /** @throws IllegalArgumentException when the length exceeds the address's bits */
  public static CidrRange of(InetAddress address, int length) {
    byte[] bytes = address.getAddress();
    if (length < 0 || length > bytes.length * 8) {
      throw new IllegalArgumentException("prefix_len " + length + " exceeds " + bytes.length * 8);
    }
    for (int bit = length; bit < bytes.length * 8; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return new CidrRange(bytes, length);
  }

  public int length() {
    return length;
  }

  /** Whether {@code address} is in the range; an IPv4 address is never in an IPv6 range, nor the reverse. */
  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  /** As {@link #contains(InetAddress)}, for an address's bytes (4 or 16). */
  public boolean contains(byte[] bytes) {
    if (bytes.length != prefix.length) {
      return false;
    }
    int whole = length / 8;
    for (int i = 0; i < whole; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    int rest = length % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (bytes[whole] & mask) == (prefix[whole] & mask);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrRange other && length == other.length && Arrays.equals(prefix, other.prefix);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(prefix) * 31 + length;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(prefix).getHostAddress() + "/" + length;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
