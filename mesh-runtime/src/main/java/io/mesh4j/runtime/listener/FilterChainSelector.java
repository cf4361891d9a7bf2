package io.mesh4j.runtime.listener;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import java.net.InetAddress;
import java.util.List;

/**
 * Picks a listener's filter chain for a new connection as Envoy's filter chain manager does (gRFC A36 follows it):
 * the criteria are applied in a fixed order (destination port, destination IP, server name, transport protocol,
 * application protocols, direct source IP, source type, source IP, source port), and at each one only the chains
 * with the most specific value that matches stay (an exact port over none, the longest prefix, an exact server name
 * over the longest wildcard over none...). When a criterion leaves no chain, the default chain is used: there is no
 * going back to a less specific branch, as in Envoy's tree of maps.
 *
 * <p>Immutable and lock-free; a selection among up to 64 chains allocates nothing but a copy of the addresses' bytes,
 * when some chain matches on IP prefixes.
 *
 * @param <T> what a chain is at run time
 */
public final class FilterChainSelector<T> {
  private static final int STAGES = 9;

  private final FilterChainMatch[] matches;
  private final Object[] chains;
  private final T defaultChain;
  /** Whether any chain matches on the destination, or on the source, IP prefix: only then are the bytes read. */
  private final boolean destinationPrefixes;
  private final boolean sourcePrefixes;

  private FilterChainSelector(List<FilterChainMatch> matches, List<T> chains, T defaultChain) {
    if (matches.size() != chains.size()) {
      throw new IllegalArgumentException("one match per chain");
    }
    this.matches = matches.toArray(new FilterChainMatch[0]);
    this.chains = chains.toArray();
    this.defaultChain = defaultChain;
    boolean destination = false;
    boolean source = false;
    for (FilterChainMatch match : matches) {
      destination |= !match.prefixRanges().isEmpty();
      source |= !match.sourcePrefixRanges().isEmpty() || !match.directSourcePrefixRanges().isEmpty();
    }
    this.destinationPrefixes = destination;
    this.sourcePrefixes = source;
  }

  /**
   * @param matches the chains' matches, in the listener's order
   * @param chains the chains, in the same order
   * @param defaultChain the default chain, or null
   */
  public static <T> FilterChainSelector<T> of(List<FilterChainMatch> matches, List<T> chains, T defaultChain) {
    return new FilterChainSelector<>(matches, chains, defaultChain);
  }

  /** The chain for a connection, or null when none matches and there is no default chain. */
  @SuppressWarnings("unchecked")
  public T select(ConnectionFacts facts) {
    int n = matches.length;
    if (n == 0) {
      return defaultChain;
    }
    // InetAddress hands out a copy of its bytes: taken once per connection, and only when some chain needs them.
    byte[] local = destinationPrefixes ? bytes(facts.localAddress()) : null;
    byte[] remote = sourcePrefixes ? bytes(facts.remoteAddress()) : null;
    if (n > Long.SIZE) {
      return selectMany(facts, local, remote);
    }
    // Up to 64 chains (every listener istiod makes): the candidates are the bits of one long, nothing allocated.
    long candidates = n == Long.SIZE ? -1L : (1L << n) - 1;
    for (int stage = 0; stage < STAGES; stage++) {
      int best = -1;
      for (long left = candidates; left != 0; left &= left - 1) {
        best = Math.max(best, specificity(stage, matches[Long.numberOfTrailingZeros(left)], facts, local, remote));
      }
      if (best < 0) {
        return defaultChain;
      }
      for (long left = candidates; left != 0; left &= left - 1) {
        int i = Long.numberOfTrailingZeros(left);
        if (specificity(stage, matches[i], facts, local, remote) != best) {
          candidates &= ~(1L << i);
        }
      }
    }
    // Decoding refuses listeners with two equal matches, so exactly one chain is left.
    return (T) chains[Long.numberOfTrailingZeros(candidates)];
  }

  @SuppressWarnings("unchecked")
  private T selectMany(ConnectionFacts facts, byte[] local, byte[] remote) {
    int n = matches.length;
    boolean[] candidate = new boolean[n];
    java.util.Arrays.fill(candidate, true);
    for (int stage = 0; stage < STAGES; stage++) {
      int best = -1;
      for (int i = 0; i < n; i++) {
        if (candidate[i]) {
          best = Math.max(best, specificity(stage, matches[i], facts, local, remote));
        }
      }
      if (best < 0) {
        return defaultChain;
      }
      for (int i = 0; i < n; i++) {
        candidate[i] &= specificity(stage, matches[i], facts, local, remote) == best;
      }
    }
    for (int i = 0; i < n; i++) {
      if (candidate[i]) {
        return (T) chains[i];
      }
    }
    return defaultChain;
  }

  /** How specifically {@code match} matches at {@code stage}: -1 not at all, 0 as a wildcard, more is more specific. */
  private static int specificity(int stage, FilterChainMatch match, ConnectionFacts c, byte[] local,
      byte[] remote) {
    return switch (stage) {
      case 0 -> match.destinationPort() == 0 ? 0 : match.destinationPort() == c.localAddress().getPort() ? 1 : -1;
      case 1 -> prefix(match.prefixRanges(), local);
      case 2 -> serverName(match.serverNames(), c.serverName());
      case 3 -> match.transportProtocol().isEmpty() ? 0
          : match.transportProtocol().equals(c.transportProtocol()) ? 1 : -1;
      case 4 -> applicationProtocols(match.applicationProtocols(), c.applicationProtocols());
      case 5 -> prefix(match.directSourcePrefixRanges(), remote);
      case 6 -> sourceType(match.sourceType(), c);
      case 7 -> prefix(match.sourcePrefixRanges(), remote);
      default -> match.sourcePorts().isEmpty() ? 0 : match.sourcePorts().contains(c.remoteAddress().getPort()) ? 1 : -1;
    };
  }

  /** The longest range holding the address wins; no range is a wildcard. */
  private static byte[] bytes(java.net.InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    return ip == null ? null : ip.getAddress();
  }

  private static int prefix(List<CidrRange> ranges, byte[] address) {
    if (ranges.isEmpty()) {
      return 0;
    }
    int best = -1;
    if (address != null) {
      for (CidrRange range : ranges) {
        if (range.length() + 1 > best && range.contains(address)) {
          best = range.length() + 1;
        }
      }
    }
    return best;
  }

  /** An exact name beats every wildcard; among wildcards ({@code *.example.com}) the longest suffix wins. */
  private static int serverName(List<String> names, String sni) {
    if (names.isEmpty()) {
      return 0;
    }
    if (sni == null || sni.isEmpty()) {
      return -1;
    }
    int best = -1;
    for (String name : names) {
      if (name.startsWith("*.")) {
        // The names are lower-cased when decoded; the SNI is compared ignoring case, as DNS names are.
        int suffix = name.length() - 1;
        if (sni.length() > suffix && sni.regionMatches(true, sni.length() - suffix, name, 1, suffix)) {
          best = Math.max(best, suffix);
        }
      } else if (name.equalsIgnoreCase(sni)) {
        return Integer.MAX_VALUE;
      }
    }
    return best;
  }

  /** As Envoy: the first protocol the client offers that some chain wants decides; no list is a wildcard. */
  private static int applicationProtocols(List<String> wanted, List<String> offered) {
    if (wanted.isEmpty()) {
      return 0;
    }
    for (int i = 0; i < offered.size(); i++) {
      if (wanted.contains(offered.get(i))) {
        return offered.size() - i;
      }
    }
    return -1;
  }

  private static int sourceType(FilterChainMatch.SourceType type, ConnectionFacts c) {
    if (type == FilterChainMatch.SourceType.ANY) {
      return 0;
    }
    InetAddress remote = c.remoteAddress().getAddress();
    boolean local = remote != null
        && (remote.isLoopbackAddress() || remote.equals(c.localAddress().getAddress()));
    boolean wanted = type == FilterChainMatch.SourceType.SAME_IP_OR_LOOPBACK;
    return local == wanted ? 1 : -1;
  }
}
