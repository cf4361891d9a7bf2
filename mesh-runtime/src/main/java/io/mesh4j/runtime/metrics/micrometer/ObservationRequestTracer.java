package io.mesh4j.runtime.metrics.micrometer;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.RequestReplySenderContext;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.metrics.RequestTracer;
import io.mesh4j.runtime.view.RequestView;
import java.util.function.BiConsumer;

/**
 * Requests as Micrometer observations: {@code mesh4j.client.request} for the call, in the caller's current
 * observation, and a child {@code mesh4j.client.attempt} per attempt. An attempt is a {@link RequestReplySenderContext}
 * (kind CLIENT) whose carrier is that attempt's headers, so Micrometer Tracing's propagating handler writes the trace
 * context (W3C {@code traceparent}/{@code tracestate}, or B3, as the application's propagator says) into every
 * attempt, retries included, as Micrometer's own OkHttp and gRPC instrumentations do for a single send. Key values
 * follow Envoy's names where Envoy has one: cluster, upstream host, attempt number, retry reason, response flags.
 */
public final class ObservationRequestTracer implements RequestTracer {
  static final String REQUEST = "mesh4j.client.request";
  static final String ATTEMPT = "mesh4j.client.attempt";

  private final ObservationRegistry registry;

  private ObservationRequestTracer(ObservationRegistry registry) {
    this.registry = registry;
  }

  /**
   * @param registry a Micrometer {@code ObservationRegistry}
   * @throws MeshConfigurationException when it is not one
   */
  public static RequestTracer of(Object registry) {
    if (!(registry instanceof ObservationRegistry observations)) {
      throw new MeshConfigurationException("observationRegistry must be a Micrometer ObservationRegistry, got "
          + registry.getClass().getName());
    }
    return new ObservationRequestTracer(observations);
  }

  @Override
  public RequestSpan start(String protocol, RequestView request) {
    String method = "grpc".equals(protocol) ? "POST" : String.valueOf(request.header(":method"));
    Observation observation = Observation.createNotStarted(REQUEST, registry)
        // Low-cardinality span names, as Micrometer's own instrumentations: the method, or the gRPC method's path.
        .contextualName("grpc".equals(protocol) ? String.valueOf(request.path()) : method)
        .lowCardinalityKeyValue("mesh4j.protocol", protocol)
        .lowCardinalityKeyValue("http.request.method", method)
        .highCardinalityKeyValue("url.path", String.valueOf(request.path()))
        .highCardinalityKeyValue("server.address", String.valueOf(request.authority()))
        .start();
    return new Span(observation);
  }

  private final class Span implements RequestSpan {
    private final Observation request;
    private Observation attempt;

    Span(Observation request) {
      this.request = request;
    }

    @Override
    public void attemptStarted(int number, String cluster, String endpoint, String retryReason,
        BiConsumer<String, String> headers) {
      RequestReplySenderContext<BiConsumer<String, String>, Object> context =
          new RequestReplySenderContext<>((carrier, key, value) -> carrier.accept(key, value), Kind.CLIENT);
      context.setCarrier(headers);
      context.setRemoteServiceName(cluster);
      context.setRemoteServiceAddress(endpoint);
      Observation next = Observation.createNotStarted(ATTEMPT, () -> context, registry)
          .contextualName("attempt")
          .parentObservation(request)
          .lowCardinalityKeyValue("mesh4j.cluster", String.valueOf(cluster))
          .lowCardinalityKeyValue("mesh4j.attempt", Integer.toString(number))
          .lowCardinalityKeyValue("mesh4j.retry_reason", retryReason == null ? "none" : retryReason)
          .highCardinalityKeyValue("mesh4j.upstream_host", endpoint);
      // Tracing handlers take the span in scope as the parent: on the caller's thread that is the caller's, so the
      // request's goes in scope while its attempt starts.
      try (Observation.Scope scope = request.openScope()) {
        attempt = next.start();
      }
    }

    @Override
    public void attemptEnded(String outcome, String responseFlags) {
      if (attempt != null) {
        attempt.lowCardinalityKeyValue("mesh4j.outcome", outcome == null ? "none" : outcome)
            .lowCardinalityKeyValue("mesh4j.response_flags", responseFlags).stop();
        attempt = null;
      }
    }

    @Override
    public void end(String cluster, int responseCode, String grpcStatus, String responseFlags, int attempts) {
      attemptEnded(Integer.toString(responseCode), responseFlags);
      request.lowCardinalityKeyValue("mesh4j.cluster", String.valueOf(cluster))
          .lowCardinalityKeyValue("http.response.status_code", Integer.toString(responseCode))
          .lowCardinalityKeyValue("rpc.grpc.status_code", grpcStatus.isEmpty() ? "none" : grpcStatus)
          .lowCardinalityKeyValue("mesh4j.response_flags", responseFlags)
          .highCardinalityKeyValue("mesh4j.attempts", Integer.toString(attempts));
      if (responseCode == 0 || responseCode >= 500 || !"-".equals(responseFlags)) {
        request.error(new MeshRequestFailed(responseCode, responseFlags));
      }
      request.stop();
    }
  }

  /** Marks a failed request's observation (tracers show it as an error), without a stack trace. */
  static final class MeshRequestFailed extends RuntimeException {
    MeshRequestFailed(int responseCode, String responseFlags) {
      super(responseCode + " " + responseFlags, null, false, false);
    }
  }
}
