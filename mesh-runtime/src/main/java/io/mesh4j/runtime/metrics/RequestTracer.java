package io.mesh4j.runtime.metrics;

import io.mesh4j.runtime.view.RequestView;
import java.util.function.BiConsumer;

/**
 * Traces a request as a span with one child per attempt, each attempt carrying the trace context in its headers.
 * Implemented over Micrometer's {@code Observation}; the mesh holds none unless the application gave a registry.
 */
public interface RequestTracer {
  /** A request starts, in the caller's current trace if any. */
  RequestSpan start(String protocol, RequestView request);

  /** One request's span. Its transport calls it from one thread at a time. */
  interface RequestSpan {
    /**
     * Attempt {@code number} starts: a child span, whose trace context is written into the attempt's headers
     * through {@code headers}.
     *
     * @param retryReason why the previous attempt was retried, or null for the first
     */
    void attemptStarted(int number, String cluster, String endpoint, String retryReason,
        BiConsumer<String, String> headers);

    /** The current attempt ended with {@code outcome} (a status, or Envoy's flags). */
    void attemptEnded(String outcome, String responseFlags);

    /** The request ended; ends its attempt too, if one is still open. */
    void end(String cluster, int responseCode, String grpcStatus, String responseFlags, int attempts);
  }
}
