package io.mesh4j.runtime.listener;

import io.mesh4j.runtime.model.DownstreamTlsConfig;
import java.util.Objects;

/**
 * One decoded filter chain of a server listener.
 *
 * @param name the chain's {@code name} ("" when unset), for the log and the status view
 * @param match its {@code filter_chain_match} ({@link FilterChainMatch#ANY} when unset, and for the default chain)
 * @param tls its {@code DownstreamTlsContext}, or null for a plaintext chain
 * @param hcm its HttpConnectionManager
 */
public record ServerFilterChain(
    String name, FilterChainMatch match, DownstreamTlsConfig tls, HttpConnectionManagerConfig hcm) {
  public ServerFilterChain {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(hcm, "hcm");
  }
}
