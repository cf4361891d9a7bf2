package io.mesh4j.samples.controlplane;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Answers every state-of-the-world request with the requested resources that exist, even on an ADS stream.
 *
 * <p>In ADS mode java-control-plane's {@code SimpleCache} withholds a whole response while any requested name is
 * missing from the snapshot (it keeps Envoy's warming order). A proxyless client subscribes to a listener for every
 * host it is asked to call, so one unknown host would freeze every listener update. Answering with what exists is
 * what the xDS protocol allows: for LDS and CDS a name left out means "does not exist", for RDS and EDS it means
 * "nothing yet".
 */
final class AnswerWhatExistsWatcher implements ConfigWatcher {
  private final ConfigWatcher delegate;

  AnswerWhatExistsWatcher(ConfigWatcher delegate) {
    this.delegate = delegate;
  }

  @Override
  public Watch createWatch(
      boolean ads,
      XdsRequest request,
      Set<String> knownResourceNames,
      Consumer<Response> responseConsumer,
      boolean hasClusterChanged,
      boolean allowDefaultEmptyEdsUpdate) {
    return delegate.createWatch(
        false, request, knownResourceNames, responseConsumer, hasClusterChanged, allowDefaultEmptyEdsUpdate);
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
    return delegate.createDeltaWatch(
        request, requesterVersion, resourceVersions, pendingResources, isWildcard, responseConsumer, hasClusterChanged);
  }
}
