package io.mesh4j.cli.current;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.mesh4j.cli.xds.GrpcErrors;
import io.mesh4j.cli.xds.ResourceContent;
import io.mesh4j.cli.xds.XdsType;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Learns what the control plane serves now by asking it as an xDS client: one ADS stream (state of the world) per
 * {@link #fetch}, identified as the instance's node, subscribing to the names the instance subscribed to. It waits
 * until every name is answered (for LDS and CDS a name missing from a response does not exist), or the timeout, and
 * then ends the stream.
 *
 * <p>It needs nothing from the control plane but the xDS API every workload uses, so it works against a managed
 * control plane whose debug endpoints are out of reach. It only reads versions: nothing is decoded, ACKed or NACKed
 * (the stream is cancelled once answered), so it cannot disagree with the control plane about a resource. Its
 * {@code user_agent_name} is {@code meshctl}, so the control plane's logs tell it from the instance itself.
 */
public final class ControlPlaneSubscriber implements AutoCloseable {
  private final String target;
  private final ManagedChannel channel;
  private final Duration timeout;
  private final String version;

  /**
   * @param connection how to reach the control plane
   * @param timeout how long one fetch waits for its answers
   * @param version meshctl's version, sent as {@code user_agent_version}
   */
  public ControlPlaneSubscriber(ControlPlaneConnection connection, Duration timeout, String version) {
    this.target = connection.target();
    this.channel = connection.open();
    this.timeout = timeout;
    this.version = version;
  }

  public String target() {
    return target;
  }

  /**
   * Subscribes as {@code node} to {@code names} (per type URL; types it cannot read are skipped) and returns what
   * the control plane answered.
   */
  public CurrentConfig fetch(Node node, Map<String, Set<String>> names) throws InterruptedException {
    Map<String, Set<String>> asked = new LinkedHashMap<>();
    names.forEach((typeUrl, of) -> {
      if (ResourceContent.known(typeUrl) && !of.isEmpty()) {
        asked.put(typeUrl, Set.copyOf(of));
      }
    });
    if (asked.isEmpty()) {
      return new CurrentConfig(Map.of(), null);
    }
    Subscription subscription = new Subscription(node.toBuilder()
        .setUserAgentName("meshctl").setUserAgentVersion(version).build(), asked);
    subscription.ask(AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(subscription));
    subscription.done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return subscription.stop();
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  /** One ADS stream; its state is guarded by {@code this}, as gRPC calls the observer from its own threads. */
  private final class Subscription implements ClientResponseObserver<DiscoveryRequest, DiscoveryResponse> {
    private final Node node;
    private final Map<String, Set<String>> asked;
    private final Map<String, Set<String>> pending = new HashMap<>();
    private final Map<ResourceKey, CurrentResource> answered = new HashMap<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private ClientCallStreamObserver<DiscoveryRequest> requests;
    private String error;
    private boolean stopped;

    Subscription(Node node, Map<String, Set<String>> asked) {
      this.node = node;
      this.asked = asked;
      asked.forEach((typeUrl, of) -> pending.put(typeUrl, new HashSet<>(of)));
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> requestStream) {
      this.requests = requestStream;
    }

    /** Subscribes, one request per type; the only writes to the stream (nothing is ever ACKed). */
    void ask(StreamObserver<DiscoveryRequest> started) {
      asked.forEach((typeUrl, of) -> started.onNext(DiscoveryRequest.newBuilder()
          .setNode(node).setTypeUrl(typeUrl).addAllResourceNames(of).build()));
    }

    @Override
    public synchronized void onNext(DiscoveryResponse response) {
      if (stopped) {
        return;
      }
      String typeUrl = response.getTypeUrl();
      Set<String> waiting = pending.get(typeUrl);
      if (waiting == null) {
        return;
      }
      for (Any resource : response.getResourcesList()) {
        String name;
        try {
          name = ResourceContent.name(resource);
        } catch (InvalidProtocolBufferException e) {
          continue;
        }
        if (name != null && asked.get(typeUrl).contains(name)) {
          answered.put(new ResourceKey(typeUrl, name), new CurrentResource(response.getVersionInfo(), resource));
          waiting.remove(name);
        }
      }
      if (absentWhenMissing(typeUrl)) {
        for (String name : waiting) {
          answered.put(new ResourceKey(typeUrl, name), CurrentResource.ABSENT);
        }
        waiting.clear();
      }
      if (pending.values().stream().allMatch(Set::isEmpty)) {
        done.countDown();
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (!stopped && done.getCount() > 0) {
        error = "control plane " + target + ": " + GrpcErrors.describe(t);
      }
      done.countDown();
    }

    @Override
    public synchronized void onCompleted() {
      if (!stopped && done.getCount() > 0) {
        error = "control plane " + target + " ended the stream";
      }
      done.countDown();
    }

    /** Ends the stream and says what was answered; names still pending are reported as unanswered. */
    CurrentConfig stop() {
      CurrentConfig result;
      synchronized (this) {
        stopped = true;
        String unanswered = unanswered();
        String why = error;
        if (why == null && !unanswered.isEmpty()) {
          why = "no answer from " + target + " within " + timeout.toMillis() + " ms for " + unanswered;
        }
        result = new CurrentConfig(answered, why);
      }
      requests.cancel("meshctl has its answer", null);
      return result;
    }

    private String unanswered() {
      StringBuilder names = new StringBuilder();
      pending.forEach((typeUrl, of) -> of.forEach(name ->
          names.append(names.length() == 0 ? "" : ", ").append(XdsType.shortName(typeUrl)).append(' ').append(name)));
      return names.toString();
    }
  }

  private static boolean absentWhenMissing(String typeUrl) {
    return XdsType.of(typeUrl).map(XdsType::absentWhenMissing).orElse(false);
  }
}
