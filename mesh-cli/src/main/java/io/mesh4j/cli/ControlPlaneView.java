package io.mesh4j.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.mesh4j.BootstrapSource;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.bootstrap.Bootstrap;
import io.mesh4j.runtime.bootstrap.BootstrapLoader;
import io.mesh4j.runtime.cluster.ClusterType;
import io.mesh4j.runtime.cluster.EndpointType;
import io.mesh4j.runtime.listener.ListenerType;
import io.mesh4j.runtime.route.RouteConfigurationType;
import io.mesh4j.runtime.xds.ResourceWatcher;
import io.mesh4j.runtime.xds.XdsClient;
import io.mesh4j.runtime.xds.XdsResourceType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What the control plane serves now to a node: meshctl subscribes to it as an xDS client with the instance's node
 * (id, cluster, metadata, locality) and the same resource names, and reads the versions it is sent. It needs nothing
 * from the control plane but xDS, so it works against a managed control plane whose debug endpoints are out of reach.
 */
final class ControlPlaneView {
  private static final Map<String, XdsResourceType<?>> TYPES = Map.of(
      ListenerType.TYPE_URL, ListenerType.INSTANCE,
      RouteConfigurationType.INSTANCE.typeUrl(), RouteConfigurationType.INSTANCE,
      ClusterType.TYPE_URL, ClusterType.INSTANCE,
      EndpointType.TYPE_URL, EndpointType.INSTANCE);

  private ControlPlaneView() {}

  /**
   * The control plane's current status of each of {@code instance}'s resources, keyed by type URL and name, once
   * every one has been answered or {@code wait} passed.
   */
  static Map<String, ResourceStatus> current(String controlPlane, InstanceState instance, Duration wait)
      throws InterruptedException {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "meshctl-xds");
      thread.setDaemon(true);
      return thread;
    });
    XdsClient xds = XdsClient.newBuilder(bootstrap(controlPlane, instance.node()), scheduler).build();
    try {
      for (InstanceState.Resource resource : instance.resources()) {
        XdsResourceType<?> type = TYPES.get(resource.typeUrl());
        if (type != null) {
          watch(xds, type, resource.name());
        }
      }
      long deadline = System.nanoTime() + wait.toNanos();
      while (System.nanoTime() < deadline && !allAnswered(xds.status())) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      Map<String, ResourceStatus> byKey = new HashMap<>();
      for (ResourceStatus status : xds.status()) {
        byKey.put(key(status.typeUrl(), status.name()), status);
      }
      return byKey;
    } finally {
      xds.close();
      scheduler.shutdownNow();
    }
  }

  static String key(String typeUrl, String name) {
    return typeUrl + "|" + name;
  }

  private static boolean allAnswered(List<ResourceStatus> statuses) {
    return statuses.stream().noneMatch(s -> s.state() == ResourceState.REQUESTED);
  }

  private static <T> void watch(XdsClient xds, XdsResourceType<T> type, String name) {
    xds.watch(type, name, new ResourceWatcher<>() {
      @Override
      public void onChanged(T value) {}

      @Override
      public void onResourceDoesNotExist(String resourceName) {}

      @Override
      public void onError(String detail) {}
    });
  }

  /** A gRPC xDS bootstrap for the control plane with the instance's node. */
  static Bootstrap bootstrap(String controlPlane, Node node) {
    String metadata;
    try {
      metadata = JsonFormat.printer().print(node.getMetadata());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    String json = "{\"xds_servers\": [{\"server_uri\": \"" + controlPlane + "\","
        + " \"channel_creds\": [{\"type\": \"insecure\"}], \"server_features\": [\"xds_v3\"]}],"
        + " \"node\": {\"id\": " + quote(node.getId()) + ", \"cluster\": " + quote(node.getCluster())
        + ", \"metadata\": " + metadata + ", \"locality\": {\"region\": " + quote(node.getLocality().getRegion())
        + ", \"zone\": " + quote(node.getLocality().getZone()) + ", \"sub_zone\": "
        + quote(node.getLocality().getSubZone()) + "}}}";
    return BootstrapLoader.load(BootstrapSource.json(json), Map.of());
  }

  private static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.append('"').toString();
  }
}
