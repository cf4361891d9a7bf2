package io.mesh4j.cli.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.Map;

/**
 * Reads xDS resources meshctl meets without knowing them in advance: their names, and whether two are the same
 * resource. Same means equal as messages, not as bytes: an instance re-serializes what it parsed.
 */
public final class ResourceContent {
  public static final String SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
  private static final String WRAPPED = "type.googleapis.com/envoy.service.discovery.v3.Resource";
  private static final Map<String, Message> TYPES = Map.of(
      XdsType.LDS.typeUrl(), Listener.getDefaultInstance(),
      XdsType.RDS.typeUrl(), RouteConfiguration.getDefaultInstance(),
      XdsType.CDS.typeUrl(), Cluster.getDefaultInstance(),
      XdsType.EDS.typeUrl(), ClusterLoadAssignment.getDefaultInstance(),
      XdsType.ECDS.typeUrl(), TypedExtensionConfig.getDefaultInstance(),
      SECRET, Secret.getDefaultInstance());

  private ResourceContent() {}

  /** Whether meshctl can read resources of {@code typeUrl}. */
  public static boolean known(String typeUrl) {
    return TYPES.containsKey(typeUrl);
  }

  /** The resource's name ({@code cluster_name} for endpoints), or {@code null} when its type is unknown. */
  public static String name(Any resource) throws InvalidProtocolBufferException {
    if (resource.getTypeUrl().equals(WRAPPED)) {
      return Resource.parseFrom(resource.getValue()).getName();
    }
    Message message = parse(resource);
    if (message == null) {
      return null;
    }
    if (message instanceof ClusterLoadAssignment) {
      return ((ClusterLoadAssignment) message).getClusterName();
    }
    return (String) message.getField(message.getDescriptorForType().findFieldByName("name"));
  }

  /** Whether {@code a} and {@code b} are the same resource; {@code false} when either is missing or unreadable. */
  public static boolean same(Any a, Any b) {
    if (a == null || b == null) {
      return false;
    }
    try {
      Any left = unwrap(a);
      Any right = unwrap(b);
      if (!left.getTypeUrl().equals(right.getTypeUrl())) {
        return false;
      }
      Message parsed = parse(left);
      return parsed == null ? left.getValue().equals(right.getValue()) : parsed.equals(parse(right));
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private static Any unwrap(Any resource) throws InvalidProtocolBufferException {
    return resource.getTypeUrl().equals(WRAPPED) ? Resource.parseFrom(resource.getValue()).getResource() : resource;
  }

  private static Message parse(Any resource) throws InvalidProtocolBufferException {
    Message type = TYPES.get(resource.getTypeUrl());
    return type == null ? null : type.getParserForType().parseFrom(resource.getValue());
  }
}
