package io.mesh4j.runtime.inbound;

/** Opens the server listeners of a mesh: one {@link InboundPort} per port the application serves under the mesh. */
public interface InboundPorts {

  /**
   * Subscribes to the server listener for {@code port} (its name from the bootstrap's {@code
   * server_listener_resource_name_template}) and returns the port's view of it.
   *
   * @param port the port the application's server is bound to
   */
  InboundPort open(int port);
}
