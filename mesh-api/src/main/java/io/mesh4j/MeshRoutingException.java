package io.mesh4j;

import java.io.IOException;
import java.util.Objects;

/**
 * The mesh refused or could not route a request. The {@link Reason} says why in the terms Envoy uses
 * (its HTTP status and response flag), so callers can treat it like the answer a sidecar would have given.
 */
public class MeshRoutingException extends IOException {

  /** Why a request was not sent. */
  public enum Reason {
    /** The control plane did not say, within the listener wait, whether the host is in the mesh. */
    NO_LISTENER(503, "NR"),
    /** The host is in the mesh but no route matched the request (Envoy: 404, NR). */
    NO_ROUTE(404, "NR"),
    /** The route names a cluster the control plane has not sent, or has removed (Envoy: 503, NC). */
    NO_CLUSTER(503, "NC"),
    /** The cluster has no healthy endpoint (Envoy: 503, UH). */
    NO_HEALTHY_UPSTREAM(503, "UH"),
    /** The host is not in the mesh and the outbound policy is REGISTRY_ONLY (Istio: 502 to the BlackHoleCluster). */
    NOT_IN_MESH(502, "NR"),
    /** The mesh was closed. */
    MESH_CLOSED(503, "UH"),
    /** The route timeout, or the last attempt's per-try timeout, expired (Envoy: 504, UT); also when an injected
     * fault delay reaches the route timeout. */
    UPSTREAM_TIMEOUT(504, "UT"),
    /** A circuit breaker of the cluster is open: too many requests, pending requests or retries (Envoy: 503, UO). */
    OVERFLOW(503, "UO"),
    /**
     * The TLS handshake with the chosen endpoint failed or could not start (peer identity, expiry, unknown CA,
     * missing certificate material); see {@link MeshTlsHandshakeException#failedCheck()} (Envoy: 503, UF).
     */
    TLS_HANDSHAKE(503, "UF");

    private final int httpStatus;
    private final String responseFlag;

    Reason(int httpStatus, String responseFlag) {
      this.httpStatus = httpStatus;
      this.responseFlag = responseFlag;
    }

    /** The status Envoy would have answered with. */
    public int httpStatus() {
      return httpStatus;
    }

    /** Envoy's access-log response flag for this outcome. */
    public String responseFlag() {
      return responseFlag;
    }
  }

  private final Reason reason;

  public MeshRoutingException(Reason reason, String detail) {
    super(Objects.requireNonNull(reason, "reason") + " (" + reason.httpStatus + " " + reason.responseFlag + "): " + detail);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
