package io.mesh4j.runtime.route;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.mesh4j.runtime.view.RequestView;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A compiled RouteConfiguration: virtual hosts indexed by domain, routes as compiled matchers. Immutable; safe to
 * read from any thread; selection takes no lock and allocates nothing (except the query parameters, only when a route
 * with query matchers is tried, and what the regex engine needs when a regex route is tried).
 *
 * <p><b>Authorities with a port.</b> Envoy matches the whole {@code :authority}, port included: {@code foo:8080}
 * does not match the domain {@code foo} (Envoy's FAQ "Why is my route not found?"), unless the RouteConfiguration
 * sets {@code ignore_port_in_host_matching} or the HttpConnectionManager strips the port
 * ({@code strip_any_host_port}). grpc-java matches its target authority as written, without stripping either, and
 * istiod therefore lists both {@code name} and {@code name:port} in its domains. We do the same as both: the
 * authority is matched as given (lower-cased), and the port is removed first only when {@code
 * ignore_port_in_host_matching} is set or when the listener asks for it through {@link #ignoringPortInHostMatching()}.
 * So {@code foo:8080} never falls back to a vhost for {@code foo}; a lenient fallback would route requests that
 * Envoy answers with 404, or pick a different vhost than Envoy would (e.g. a {@code *} vhost).
 */
public final class RouteTable {
  private final String name;
  private final DomainIndex domains;
  private final boolean ignorePortInHostMatching;
  private final Set<String> clusterNames;
  /** What it was decoded from, for the next decode of its resource to reuse; {@code null} for a derived table. */
  private final DecodedFrom decodedFrom;

  RouteTable(String name, DomainIndex domains, boolean ignorePortInHostMatching, Set<String> clusterNames,
      DecodedFrom decodedFrom) {
    this.name = name;
    this.domains = domains;
    this.ignorePortInHostMatching = ignorePortInHostMatching;
    this.clusterNames = Set.copyOf(clusterNames);
    this.decodedFrom = decodedFrom;
  }

  /**
   * The proto a table was decoded from (the same object the xDS client keeps for the status view) and its compiled
   * virtual hosts, in the proto's order.
   */
  record DecodedFrom(RouteConfiguration proto, VirtualHost[] hosts) {}

  DecodedFrom decodedFrom() {
    return decodedFrom;
  }

  /** The RouteConfiguration's name. */
  public String name() {
    return name;
  }

  /**
   * The first route of the best-matching virtual host that matches the request, or {@code null} if none. Draws its
   * own random number for {@code runtime_fraction}; prefer {@link #select(RequestView, long)} with the request's draw.
   */
  public Route select(RequestView request) {
    return select(request, ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  /**
   * The first route of the best-matching virtual host that matches the request, or {@code null} if none (no
   * authority, no path, no virtual host, or no matching route).
   *
   * @param random the request's uniformly distributed draw; as in Envoy, the same draw should then be given to
   *     {@link RouteAction#selectCluster(long)}. Routes with {@code runtime_fraction} match when {@code random %
   *     denominator < numerator}.
   */
  public Route select(RequestView request, long random) {
    String authority = request.authority();
    if (authority == null) {
      return null;
    }
    VirtualHost host = virtualHost(authority);
    if (host == null) {
      return null;
    }
    String path = request.path();
    if (path == null) {
      return null;
    }
    return host.select(request, path, random);
  }

  /** Every cluster any route of this table can send to. */
  public Set<String> clusterNames() {
    return clusterNames;
  }

  /** This table with {@code ignore_port_in_host_matching} on, for a listener that strips any host port. */
  public RouteTable ignoringPortInHostMatching() {
    return ignorePortInHostMatching ? this : new RouteTable(name, domains, true, clusterNames, null);
  }

  /** The name of the virtual host the authority selects, or null; for tests and the status view. */
  public String virtualHostName(String authority) {
    VirtualHost host = virtualHost(authority);
    return host == null ? null : host.name();
  }

  private VirtualHost virtualHost(String authority) {
    String host = authority;
    if (ignorePortInHostMatching) {
      int port = Hosts.portStart(host);
      if (port >= 0) {
        host = host.substring(0, port);
      }
    }
    return domains.find(Hosts.toLowerCase(host));
  }

  @Override
  public String toString() {
    return "RouteTable{" + name + "}";
  }
}
