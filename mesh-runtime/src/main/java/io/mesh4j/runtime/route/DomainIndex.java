package io.mesh4j.runtime.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Virtual hosts indexed by domain, searched in Envoy's order: exact, then suffix wildcards ({@code *.foo.com}, longest
 * first), then prefix wildcards ({@code foo.*}, longest first), then {@code *}. A wildcard stands for at least one
 * character. Domains are stored lower case; the host given to {@link #find} must already be lower case. As in Envoy a
 * {@code *} anywhere but the first or last character has no special meaning, and a domain with a leading {@code *} is a
 * suffix wildcard even if it also ends with one.
 */
final class DomainIndex {
  private final Map<String, VirtualHost> exact;
  private final String[] suffixes;
  private final VirtualHost[] suffixHosts;
  private final String[] prefixes;
  private final VirtualHost[] prefixHosts;
  private final VirtualHost any;

  private DomainIndex(
      Map<String, VirtualHost> exact,
      String[] suffixes,
      VirtualHost[] suffixHosts,
      String[] prefixes,
      VirtualHost[] prefixHosts,
      VirtualHost any) {
    this.exact = exact;
    this.suffixes = suffixes;
    this.suffixHosts = suffixHosts;
    this.prefixes = prefixes;
    this.prefixHosts = prefixHosts;
    this.any = any;
  }

  VirtualHost find(String host) {
    VirtualHost found = exact.get(host);
    if (found != null) {
      return found;
    }
    int length = host.length();
    for (int i = 0; i < suffixes.length; i++) {
      String suffix = suffixes[i];
      if (length > suffix.length() && host.endsWith(suffix)) {
        return suffixHosts[i];
      }
    }
    for (int i = 0; i < prefixes.length; i++) {
      String prefix = prefixes[i];
      if (length > prefix.length() && host.startsWith(prefix)) {
        return prefixHosts[i];
      }
    }
    return any;
  }

  /** Collects domains; {@link #add} reports a duplicate (compared case-insensitively). */
  static final class Builder {
    private final Map<String, VirtualHost> exact = new HashMap<>();
    private final Map<String, VirtualHost> suffixes = new HashMap<>();
    private final Map<String, VirtualHost> prefixes = new HashMap<>();
    private VirtualHost any;

    /** Adds a domain, or returns the virtual host that already has it (and adds nothing). */
    VirtualHost add(String domain, VirtualHost host) {
      String lower = Hosts.toLowerCase(domain);
      if (lower.equals("*")) {
        if (any != null) {
          return any;
        }
        any = host;
        return null;
      }
      if (lower.startsWith("*")) {
        return suffixes.putIfAbsent(lower.substring(1), host);
      }
      if (lower.endsWith("*")) {
        return prefixes.putIfAbsent(lower.substring(0, lower.length() - 1), host);
      }
      return exact.putIfAbsent(lower, host);
    }

    DomainIndex build() {
      List<String> suffixList = longestFirst(suffixes);
      List<String> prefixList = longestFirst(prefixes);
      VirtualHost[] suffixHosts = new VirtualHost[suffixList.size()];
      for (int i = 0; i < suffixHosts.length; i++) {
        suffixHosts[i] = suffixes.get(suffixList.get(i));
      }
      VirtualHost[] prefixHosts = new VirtualHost[prefixList.size()];
      for (int i = 0; i < prefixHosts.length; i++) {
        prefixHosts[i] = prefixes.get(prefixList.get(i));
      }
      return new DomainIndex(
          Map.copyOf(exact),
          suffixList.toArray(new String[0]),
          suffixHosts,
          prefixList.toArray(new String[0]),
          prefixHosts,
          any);
    }

    private static List<String> longestFirst(Map<String, VirtualHost> wildcards) {
      List<String> list = new ArrayList<>(wildcards.keySet());
      // Two different strings of the same length cannot both be a suffix (or prefix) of one host, so ties do not
      // matter for the result; sorting them makes the order deterministic anyway.
      list.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
      return list;
    }
  }
}
