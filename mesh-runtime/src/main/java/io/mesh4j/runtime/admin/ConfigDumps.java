package io.mesh4j.runtime.admin;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.BootstrapConfigDump;
import io.envoyproxy.envoy.admin.v3.ClientResourceStatus;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.admin.v3.UpdateFailureState;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.xds.ResourceDump;
import java.time.Instant;
import java.util.List;

/**
 * The client's xDS resources as Envoy's admin {@code /config_dump} shows them ({@code envoy.admin.v3.ConfigDump}):
 * bootstrap (the node), then listeners, clusters, routes, endpoints and secrets, each dynamic resource with its
 * version, last update, client status and, when rejected, the error. Secrets' private keys and generic secrets are
 * redacted, as Envoy redacts them.
 */
public final class ConfigDumps {
  static final String REDACTED = "[redacted]";

  private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(List.of(BootstrapConfigDump.getDescriptor(), ListenersConfigDump.getDescriptor(),
          ClustersConfigDump.getDescriptor(), RoutesConfigDump.getDescriptor(), EndpointsConfigDump.getDescriptor(),
          SecretsConfigDump.getDescriptor(), Listener.getDescriptor(), Cluster.getDescriptor(),
          RouteConfiguration.getDescriptor(), ClusterLoadAssignment.getDescriptor(), Secret.getDescriptor(),
          HttpConnectionManager.getDescriptor(), Router.getDescriptor(), HTTPFault.getDescriptor(),
          RBAC.getDescriptor(), RBACPerRoute.getDescriptor(), JwtAuthentication.getDescriptor(),
          UpstreamTlsContext.getDescriptor(), DownstreamTlsContext.getDescriptor()))
      .build();

  private ConfigDumps() {}

  /** The dump as Envoy's JSON. A resource with a type this printer does not know is left out of the JSON text. */
  public static String json(Node node, List<ResourceDump> resources) {
    try {
      return JsonFormat.printer().usingTypeRegistry(TYPES).print(configDump(node, resources));
    } catch (InvalidProtocolBufferException e) {
      // A nested Any of a type outside the registry: dump without the resources' bodies rather than fail.
      try {
        return JsonFormat.printer().usingTypeRegistry(TYPES).print(configDump(node, withoutBodies(resources)));
      } catch (InvalidProtocolBufferException again) {
        throw new IllegalStateException(again);
      }
    }
  }

  /** Reads a dump this class printed (meshctl reads instances' {@code /config_dump}). */
  public static ConfigDump parse(String json) throws InvalidProtocolBufferException {
    ConfigDump.Builder dump = ConfigDump.newBuilder();
    JsonFormat.parser().usingTypeRegistry(TYPES).ignoringUnknownFields().merge(json, dump);
    return dump.build();
  }

  static ConfigDump configDump(Node node, List<ResourceDump> resources) {
    ListenersConfigDump.Builder listeners = ListenersConfigDump.newBuilder();
    ClustersConfigDump.Builder clusters = ClustersConfigDump.newBuilder();
    RoutesConfigDump.Builder routes = RoutesConfigDump.newBuilder();
    EndpointsConfigDump.Builder endpoints = EndpointsConfigDump.newBuilder();
    SecretsConfigDump.Builder secrets = SecretsConfigDump.newBuilder();
    for (ResourceDump dump : resources) {
      ResourceStatus status = dump.status();
      Message resource = dump.resource();
      ClientResourceStatus clientStatus = clientStatus(status.state());
      UpdateFailureState error = error(status);
      Timestamp updated = status.lastUpdated() == null ? null : timestamp(status.lastUpdated());
      switch (typeName(status.typeUrl())) {
        case "envoy.config.listener.v3.Listener" -> {
          ListenersConfigDump.DynamicListener.Builder l = ListenersConfigDump.DynamicListener.newBuilder()
              .setName(status.name()).setClientStatus(clientStatus);
          if (resource != null) {
            ListenersConfigDump.DynamicListenerState.Builder state = ListenersConfigDump.DynamicListenerState
                .newBuilder().setVersionInfo(status.version()).setListener(Any.pack(resource));
            if (updated != null) {
              state.setLastUpdated(updated);
            }
            l.setActiveState(state);
          }
          if (error != null) {
            l.setErrorState(error);
          }
          listeners.addDynamicListeners(l);
        }
        case "envoy.config.cluster.v3.Cluster" -> {
          ClustersConfigDump.DynamicCluster.Builder c = ClustersConfigDump.DynamicCluster.newBuilder()
              .setVersionInfo(status.version()).setClientStatus(clientStatus);
          if (resource != null) {
            c.setCluster(Any.pack(resource));
          }
          if (updated != null) {
            c.setLastUpdated(updated);
          }
          if (error != null) {
            c.setErrorState(error);
          }
          clusters.addDynamicActiveClusters(c);
        }
        case "envoy.config.route.v3.RouteConfiguration" -> {
          RoutesConfigDump.DynamicRouteConfig.Builder r = RoutesConfigDump.DynamicRouteConfig.newBuilder()
              .setVersionInfo(status.version()).setClientStatus(clientStatus);
          if (resource != null) {
            r.setRouteConfig(Any.pack(resource));
          }
          if (updated != null) {
            r.setLastUpdated(updated);
          }
          if (error != null) {
            r.setErrorState(error);
          }
          routes.addDynamicRouteConfigs(r);
        }
        case "envoy.config.endpoint.v3.ClusterLoadAssignment" -> {
          EndpointsConfigDump.DynamicEndpointConfig.Builder e = EndpointsConfigDump.DynamicEndpointConfig
              .newBuilder().setVersionInfo(status.version()).setClientStatus(clientStatus);
          if (resource != null) {
            e.setEndpointConfig(Any.pack(resource));
          }
          if (updated != null) {
            e.setLastUpdated(updated);
          }
          if (error != null) {
            e.setErrorState(error);
          }
          endpoints.addDynamicEndpointConfigs(e);
        }
        case "envoy.extensions.transport_sockets.tls.v3.Secret" -> {
          SecretsConfigDump.DynamicSecret.Builder s = SecretsConfigDump.DynamicSecret.newBuilder()
              .setName(status.name()).setVersionInfo(status.version()).setClientStatus(clientStatus);
          if (resource instanceof Secret secret) {
            s.setSecret(Any.pack(redact(secret)));
          }
          if (updated != null) {
            s.setLastUpdated(updated);
          }
          if (error != null) {
            s.setErrorState(error);
          }
          secrets.addDynamicActiveSecrets(s);
        }
        default -> {
          // a type the admin view does not show
        }
      }
    }
    return ConfigDump.newBuilder()
        .addConfigs(Any.pack(BootstrapConfigDump.newBuilder()
            .setBootstrap(Bootstrap.newBuilder().setNode(node)).build()))
        .addConfigs(Any.pack(listeners.build()))
        .addConfigs(Any.pack(clusters.build()))
        .addConfigs(Any.pack(routes.build()))
        .addConfigs(Any.pack(endpoints.build()))
        .addConfigs(Any.pack(secrets.build()))
        .build();
  }

  /** The secret with its private key, password and generic secret replaced by {@value #REDACTED}. */
  static Secret redact(Secret secret) {
    Secret.Builder out = secret.toBuilder();
    DataSource redacted = DataSource.newBuilder().setInlineString(REDACTED).build();
    if (secret.hasTlsCertificate()) {
      TlsCertificate.Builder tls = out.getTlsCertificateBuilder();
      if (tls.hasPrivateKey()) {
        tls.setPrivateKey(redacted);
      }
      if (tls.hasPassword()) {
        tls.setPassword(redacted);
      }
    }
    if (secret.hasGenericSecret()) {
      out.getGenericSecretBuilder().setSecret(redacted);
    }
    if (secret.hasSessionTicketKeys()) {
      out.clearSessionTicketKeys();
    }
    return out.build();
  }

  private static List<ResourceDump> withoutBodies(List<ResourceDump> resources) {
    return resources.stream().map(d -> new ResourceDump(d.status(), null)).toList();
  }

  private static UpdateFailureState error(ResourceStatus status) {
    if (status.errorDetail() == null) {
      return null;
    }
    UpdateFailureState.Builder failure = UpdateFailureState.newBuilder().setDetails(status.errorDetail());
    if (status.lastUpdated() != null) {
      failure.setLastUpdateAttempt(timestamp(status.lastUpdated()));
    }
    return failure.build();
  }

  private static ClientResourceStatus clientStatus(ResourceState state) {
    return switch (state) {
      // A resource served from the persisted cache is still awaited from the control plane, as CSDS says too.
      case REQUESTED, CACHED -> ClientResourceStatus.REQUESTED;
      case DOES_NOT_EXIST -> ClientResourceStatus.DOES_NOT_EXIST;
      case ACKED -> ClientResourceStatus.ACKED;
      case NACKED -> ClientResourceStatus.NACKED;
    };
  }

  private static String typeName(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
