package io.mesh4j.runtime.server;

import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.InboundPorts;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.model.DownstreamTlsConfig;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.xds.ResourceSubscriptions;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The server listeners of one mesh: each {@link #open} subscribes to the listener named by the bootstrap's {@code
 * server_listener_resource_name_template} for the served address, over the mesh's one xDS client (so they show in the
 * status view and CSDS like every other resource), with TLS from the mesh's certificate material.
 *
 * <p><b>Which address is asked for.</b> istiod answers any {@code ip:port} and echoes it back. grpc-java always asks
 * for {@code 0.0.0.0:port}; we ask for the address the server is bound to when the adapter knows it ({@link
 * #open(InetSocketAddress)}), written {@code ip:port} or {@code [ipv6]:port}, and for {@code 0.0.0.0:port} when it
 * is a wildcard or unknown. The listener that comes back must listen on that port and on that address, {@code
 * 0.0.0.0} or {@code ::}, or it is NACKed ({@code ListenerType} checks it from the name).
 */
public final class MeshInboundPorts implements InboundPorts {
  private final ResourceSubscriptions xds;
  private final ListenerType listenerType;
  private final RouteConfigurationType routeType;
  private final MeshSecurity security;
  private final UnaryOperator<String> listenerName;
  private final Set<ServerListenerPort> open = ConcurrentHashMap.newKeySet();

  /**
   * @param listenerType the mesh's one listener type (the xDS client decodes every listener with the type first
   *     watched, so it must be the one the client side uses)
   * @param routeType likewise, the mesh's one route configuration type
   * @param listenerName the server listener's resource name for {@code ip:port}; throws, naming the bootstrap field,
   *     when the bootstrap has no template
   */
  public MeshInboundPorts(ResourceSubscriptions xds, ListenerType listenerType, RouteConfigurationType routeType,
      MeshSecurity security, UnaryOperator<String> listenerName) {
    this.xds = Objects.requireNonNull(xds, "xds");
    this.listenerType = Objects.requireNonNull(listenerType, "listenerType");
    this.routeType = Objects.requireNonNull(routeType, "routeType");
    this.security = Objects.requireNonNull(security, "security");
    this.listenerName = Objects.requireNonNull(listenerName, "listenerName");
  }

  @Override
  public InboundPort open(int port) {
    return open(new InetSocketAddress(port));
  }

  @Override
  public InboundPort open(InetSocketAddress bound) {
    int port = bound.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("not a served port: " + port);
    }
    ServerListenerPort served = new ServerListenerPort(port, listenerName.apply(ipPort(bound)), this);
    open.add(served);
    served.start();
    return served;
  }

  /** How the served address appears in the listener's name. */
  static String ipPort(InetSocketAddress bound) {
    InetAddress address = bound.getAddress();
    if (address == null || address.isAnyLocalAddress()) {
      return "0.0.0.0:" + bound.getPort();
    }
    String ip = address.getHostAddress();
    return (address instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + bound.getPort();
  }

  ResourceSubscriptions xds() {
    return xds;
  }

  ListenerType listenerType() {
    return listenerType;
  }

  RouteConfigurationType routeType() {
    return routeType;
  }

  MeshSecurity security() {
    return security;
  }

  /** A port published a new listener: the TLS contexts (and SDS watches) no port uses any more are released. */
  void published() {
    retain();
  }

  void closed(ServerListenerPort port) {
    open.remove(port);
    retain();
  }

  private synchronized void retain() {
    Set<DownstreamTlsConfig> inUse = new HashSet<>();
    for (ServerListenerPort port : open) {
      inUse.addAll(port.tlsInUse());
    }
    security.retainDownstream(inUse);
  }
}
