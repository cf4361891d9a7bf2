package io.mesh4j.runtime.metrics;

import java.util.Objects;

/**
 * Istio's full label set for one request ({@code istio_requests_total} and its companions), and the key meters are
 * cached by. Every part is bounded: peers and services come from the config, codes and flags from small sets; no
 * path, no endpoint address.
 *
 * @param reporter {@code source} (this client's view) or {@code destination} (a server's)
 * @param protocol {@code http} or {@code grpc}
 * @param responseCode the HTTP status, 0 when the caller went away before one
 * @param grpcStatus the gRPC status code as a number, "" for plain HTTP
 * @param responseFlags Envoy's flags ({@link ResponseFlags#format}), "-" for none
 * @param connectionSecurityPolicy {@code mutual_tls} / {@code none} at the destination; {@code unknown} at the source
 */
public record RequestLabels(
    String reporter,
    WorkloadLabels source,
    WorkloadLabels destination,
    ServiceLabels service,
    String protocol,
    int responseCode,
    String grpcStatus,
    String responseFlags,
    String connectionSecurityPolicy) {
  public static final String SOURCE = "source";
  public static final String DESTINATION = "destination";
  public static final String HTTP = "http";
  public static final String GRPC = "grpc";

  public RequestLabels {
    Objects.requireNonNull(reporter, "reporter");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(grpcStatus, "grpcStatus");
    Objects.requireNonNull(responseFlags, "responseFlags");
    Objects.requireNonNull(connectionSecurityPolicy, "connectionSecurityPolicy");
  }
}
