package io.mesh4j.runtime.inbound;

import java.net.InetSocketAddress;

/** Opens the server listeners of a mesh: one {@link InboundPort} per port the application serves under the mesh. */
public interface InboundPorts {

  /**
   * Subscribes to the server listener for {@code port} (its name from the bootstrap's {@code
   * server_listener_resource_name_template} with {@code 0.0.0.0:port}, as gRPC servers ask for it) and returns the
   * port's view of it.
   *
   * @param port the port the application's server is bound to
   */
  InboundPort open(int port);

  /**
   * As {@link #open(int)}, for a server bound to a known address: the listener is asked for {@code ip:port} with
   * that address ({@code 0.0.0.0:port} for a wildcard address), and may answer with that address, {@code 0.0.0.0} or
   * {@code ::}.
   */
  default InboundPort open(InetSocketAddress bound) {
    return open(bound.getPort());
  }
}
