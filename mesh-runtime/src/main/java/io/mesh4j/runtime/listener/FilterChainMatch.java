package io.mesh4j.runtime.listener;

import java.util.List;
import java.util.Objects;

/**
 * A decoded {@code filter_chain_match}. Every list is empty when the field is unset, which matches anything; {@code
 * destinationPort} is 0 and {@code transportProtocol} "" when unset.
 *
 * @param serverNames lower-cased; {@code *.example.com} is a wildcard for any name under {@code example.com}
 */
public record FilterChainMatch(
    int destinationPort,
    List<CidrRange> prefixRanges,
    List<String> serverNames,
    String transportProtocol,
    List<String> applicationProtocols,
    List<CidrRange> directSourcePrefixRanges,
    SourceType sourceType,
    List<CidrRange> sourcePrefixRanges,
    List<Integer> sourcePorts) {

  /** {@code source_type}. */
  public enum SourceType {
    ANY,
    /** {@code SAME_IP_OR_LOOPBACK}: the source is a loopback address or the destination address itself. */
    SAME_IP_OR_LOOPBACK,
    /** {@code EXTERNAL}: any other source. */
    EXTERNAL
  }

  /** Matches every connection: an unset {@code filter_chain_match}. */
  public static final FilterChainMatch ANY =
      new FilterChainMatch(0, List.of(), List.of(), "", List.of(), List.of(), SourceType.ANY, List.of(), List.of());

  public FilterChainMatch {
    prefixRanges = List.copyOf(prefixRanges);
    serverNames = List.copyOf(serverNames);
    Objects.requireNonNull(transportProtocol, "transportProtocol");
    applicationProtocols = List.copyOf(applicationProtocols);
    directSourcePrefixRanges = List.copyOf(directSourcePrefixRanges);
    Objects.requireNonNull(sourceType, "sourceType");
    sourcePrefixRanges = List.copyOf(sourcePrefixRanges);
    sourcePorts = List.copyOf(sourcePorts);
  }
}
