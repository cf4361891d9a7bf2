package io.mesh4j.samples.controlplane;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Makes java-control-plane's {@link SimpleCache} answer a state-of-the-world stream as istiod does. Used by the local
 * control plane and by the runtime's loopback test control plane.
 *
 * <ul>
 *   <li>In ADS mode the cache withholds a whole response while any requested name is missing from the snapshot (it
 *       keeps Envoy's warming order). A proxyless client subscribes to a listener for every host it calls, so one
 *       unknown host would freeze every listener update. This watcher asks the cache for every resource of the type
 *       and filters the answer to the requested names: for LDS and CDS a name left out means "does not exist", for
 *       RDS and EDS "nothing yet", as the xDS protocol allows.
 *   <li>The cache answers a NACK (which carries the previous version) by sending the rejected snapshot again at once,
 *       which loops for as long as the client keeps rejecting it. Here a NACK waits for the next snapshot.
 * </ul>
 */
public final class AnswerWhatExistsWatcher implements ConfigWatcher {
  private final SimpleCache<String> cache;
  private final String group;

  /** @param group the one snapshot group every node is mapped to */
  public AnswerWhatExistsWatcher(SimpleCache<String> cache, String group) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.group = Objects.requireNonNull(group, "group");
  }


  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    // A set: the answer is filtered by it, and a client may name 10,000 clusters (a list made that quadratic).
    Set<String> requested = new HashSet<>(request.getResourceNamesList());
    DiscoveryRequest.Builder everything = request.v3Request().toBuilder().clearResourceNames();
    Snapshot snapshot = cache.getSnapshot(group);
    if (snapshot != null) {
      Map<String, ? extends Message> present = snapshot.resources(request.getResourceType());
      if (request.hasErrorDetail()) {
        everything.setVersionInfo(snapshot.version(request.getResourceType()));
      } else if (requested.stream().anyMatch(n -> !knownResourceNames.contains(n) && present.containsKey(n))) {
        everything.setVersionInfo(""); // a newly requested resource exists: answer now
      }
    }
    Consumer<Response> filtering =
        response -> {
          List<? extends Message> kept =
              response.resources().stream()
                  .filter(m -> requested.isEmpty() || requested.contains(Resources.getResourceName(m)))
                  .collect(Collectors.toList());
          responseConsumer.accept(Response.create(request, kept, response.version()));
        };
    return cache.createWatch(
        ads, XdsRequest.create(everything.build()), Set.of(), filtering, hasClusterChanged, allowDefaultEmptyEdsUpdate);
  }

  @Override
  public DeltaWatch createDeltaWatch(
      DeltaXdsRequest request,
      String requesterVersion,
      Map<String, String> resourceVersions,
      Set<String> pendingResources,
      boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer,
      boolean hasClusterChanged) {
    return cache.createDeltaWatch(
        request, requesterVersion, resourceVersions, pendingResources, isWildcard, responseConsumer, hasClusterChanged);
  }
}
