package io.mesh4j.runtime.bootstrap;

import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parsed gRPC xDS bootstrap (the format of {@code GRPC_XDS_BOOTSTRAP}), validated. Made by {@link BootstrapParser}.
 *
 * @param servers {@code xds_servers}, at least one, in fallback order (gRFC A71): the client talks to the first
 *     one that answers
 * @param node the {@code node} sent to the control plane, with mesh4j's user agent and client features filled in
 * @param certificateProviders {@code certificate_providers} by instance name, configs kept as parsed JSON for the
 *     security work
 * @param serverListenerResourceNameTemplate {@code server_listener_resource_name_template}, or {@code null}
 * @param clientDefaultListenerResourceNameTemplate {@code client_default_listener_resource_name_template}, {@code
 *     "%s"} when unset: the LDS name for a target is this template with {@code %s} replaced by {@code host:port}
 */
public record Bootstrap(
    List<XdsServer> servers,
    Node node,
    Map<String, CertificateProviderConfig> certificateProviders,
    String serverListenerResourceNameTemplate,
    String clientDefaultListenerResourceNameTemplate) {

  public Bootstrap {
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("servers must not be empty");
    }
    Objects.requireNonNull(node, "node");
    certificateProviders = Map.copyOf(certificateProviders);
    Objects.requireNonNull(clientDefaultListenerResourceNameTemplate, "clientDefaultListenerResourceNameTemplate");
  }

  /** The primary control plane: the first of {@link #servers()}. */
  public XdsServer server() {
    return servers.get(0);
  }

  /**
   * The LDS resource name of the server listener for {@code ipPort} (e.g. {@code 0.0.0.0:8080}): {@code
   * server_listener_resource_name_template} with {@code %s} replaced, as gRPC servers ask for it.
   *
   * @throws io.mesh4j.MeshConfigurationException naming the field when the bootstrap has no template
   */
  public String serverListenerName(String ipPort) {
    if (serverListenerResourceNameTemplate == null || serverListenerResourceNameTemplate.isEmpty()) {
      throw new io.mesh4j.MeshConfigurationException("bootstrap: server_listener_resource_name_template: missing; "
          + "a server under the mesh needs it to name its listener (Istio: xds.istio.io/grpc/lds/inbound/%s)");
    }
    return serverListenerResourceNameTemplate.replace("%s", ipPort);
  }

  /** The LDS resource name a client subscribes to for {@code authority} ({@code host:port}). */
  public String listenerName(String authority) {
    return clientDefaultListenerResourceNameTemplate.replace("%s", authority);
  }
}
