package io.mesh4j.runtime.metrics;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.policy.AttemptFailure;
import io.mesh4j.runtime.view.RequestView;
import java.security.cert.Certificate;
import java.util.function.BiConsumer;

/**
 * What a transport notes about one outgoing request while it runs (cluster, attempts, endpoint, TLS peer, body
 * sizes, response flags), recorded once when it ends: as metrics, a trace span with one child per attempt, an access
 * log line. Exists only when one of them is on. A call's transport notes from
 * one thread at a time; the byte counts may come from the caller's and the response's threads, hence volatile.
 */
public final class OutboundCall {
  private static final String[] GRPC_CODES = new String[17];

  static {
    for (int i = 0; i < GRPC_CODES.length; i++) {
      GRPC_CODES[i] = Integer.toString(i);
    }
  }

  private final OutboundMetrics metrics;
  private final String protocol;
  private final RequestView request;
  private final RequestTracer.RequestSpan span;
  private final long start;
  private final long startEpochMillis;
  /** The latest attempt's answer (a status, -1 for none), which is the next attempt's retry reason. */
  private int attemptStatus = -1;
  private String cluster;
  private LbEndpoint endpoint;
  private int attempts;
  private int flags;
  private int attemptFlags;
  private boolean retryOverflow;
  private Certificate peerCertificate;
  private Certificate localCertificate;
  private volatile long requestBytes;
  private volatile long responseBytes;
  private volatile boolean finished;

  OutboundCall(OutboundMetrics metrics, String protocol, RequestView request, RequestTracer.RequestSpan span,
      long start) {
    this.metrics = metrics;
    this.protocol = protocol;
    this.request = request;
    this.span = span;
    this.start = start;
    this.startEpochMillis = metrics.accessLog() == null ? 0 : System.currentTimeMillis();
  }

  /** Whether attempts carry a trace context, so the transport passes their headers to {@link #attempt}. */
  public boolean traced() {
    return span != null;
  }

  /** The engine chose {@code cluster}; {@code faultDelayNanos} of injected delay came first (flag DI). */
  public void routed(String cluster, long faultDelayNanos) {
    this.cluster = cluster;
    if (faultDelayNanos > 0) {
      flags |= ResponseFlags.DI;
    }
  }

  /** Attempt {@code number} goes to {@code endpoint}. */
  public void attempt(LbEndpoint endpoint, int number) {
    attempt(endpoint, number, null);
  }

  /**
   * Attempt {@code number} goes to {@code endpoint}; when {@link #traced()}, its span's trace context is written into
   * its headers through {@code headers}.
   */
  public void attempt(LbEndpoint endpoint, int number, BiConsumer<String, String> headers) {
    String retryReason = null;
    if (number > 1) {
      retryReason = attemptFlags != ResponseFlags.NONE ? ResponseFlags.format(attemptFlags)
          : attemptStatus >= 0 ? Integer.toString(attemptStatus) : null;
      if (span != null) {
        span.attemptEnded(retryReason, ResponseFlags.format(attemptFlags));
      }
    }
    this.endpoint = endpoint;
    this.attempts = number;
    this.attemptFlags = ResponseFlags.NONE;
    this.attemptStatus = -1;
    if (span != null) {
      span.attemptStarted(number, cluster, endpoint.hostPort(), retryReason, headers == null ? NO_HEADERS : headers);
    }
  }

  /** The current attempt was answered with {@code status} (an HTTP status, or a gRPC code for gRPC). */
  public void attemptAnswered(int status) {
    attemptStatus = status;
  }

  private static final BiConsumer<String, String> NO_HEADERS = (name, value) -> {};

  /** The current attempt failed without a response: UF (connect failure), UC (reset) or UT (timeout). */
  public void attemptFailed(AttemptFailure failure) {
    if (failure != null) {
      attemptFlags = switch (failure) {
        case CONNECT_FAILURE -> ResponseFlags.UF;
        case REFUSED_STREAM, RESET -> ResponseFlags.UC;
        case TIMEOUT -> ResponseFlags.UT;
      };
    }
  }

  /** A retriable outcome was delivered because no retry was left (URX). */
  public void retryLimitReached() {
    flags |= ResponseFlags.URX;
  }

  /** A retriable outcome was delivered because the {@code max_retries} breaker refused the retry. */
  public void retryOverflowed() {
    retryOverflow = true;
  }

  /** The TLS session of the attempt that answered: the peer's and our own leaf certificate. */
  public void tls(Certificate peer, Certificate local) {
    this.peerCertificate = peer;
    this.localCertificate = local;
  }

  public void addRequestBytes(long bytes) {
    if (bytes > 0) {
      requestBytes += bytes;
    }
  }

  public void addResponseBytes(long bytes) {
    if (bytes > 0) {
      responseBytes += bytes;
    }
  }

  /** The upstream answered: {@code httpStatus}, and for gRPC the call's status code (else -1). */
  public void answered(int httpStatus, int grpcStatus) {
    finish(httpStatus, grpcStatus, attemptFlags);
  }

  /** The mesh refused or could not complete the call (its reason's status and flag). */
  public void failed(MeshRoutingException e, int grpcStatus) {
    finish(e.reason().httpStatus(), grpcStatus, ResponseFlags.of(e) | attemptFlags);
  }

  /** The mesh answered itself (fault abort, redirect, direct response) with Envoy's {@code flag} or "". */
  public void localReply(int httpStatus, String flag, int grpcStatus) {
    finish(httpStatus, grpcStatus, ResponseFlags.of(flag));
  }

  /**
   * The last attempt failed without a response, or a gRPC call ended without one: Envoy answers 503 and the
   * attempt's flag (UF, UC), or 504 UT for a timeout.
   */
  public void upstreamFailed(int grpcStatus) {
    int status = (attemptFlags & ResponseFlags.UT) != 0 ? 504 : 503;
    finish(status, grpcStatus, attemptFlags == 0 ? ResponseFlags.UF : attemptFlags);
  }

  /** The caller cancelled (or went away) before the response was complete: 0 DC, as Envoy logs it. */
  public void cancelled(int grpcStatus) {
    finish(0, grpcStatus, ResponseFlags.DC);
  }

  /** The mesh does not route this request (it goes out directly): nothing is recorded. */
  public void notRouted() {
    finished = true;
  }

  /** Records the call with these outcome labels, once; later calls do nothing. */
  public void finish(int httpStatus, int grpcStatus, int outcomeFlags) {
    if (finished) {
      return;
    }
    finished = true;
    long duration = metrics.now() - start;
    int all = flags | outcomeFlags;
    WorkloadLabels source = metrics.self();
    WorkloadLabels destination;
    ClusterSeries series;
    if (metrics.sink() == null || cluster == null) {
      destination = WorkloadLabels.ALL_UNKNOWN;
      series = null;
    } else {
      destination = metrics.peer(endpoint == null ? null : endpoint.workload());
      series = metrics.cluster(cluster);
      if (peerCertificate != null) {
        destination = destination.withPrincipal(metrics.principal(peerCertificate));
        source = source.withPrincipal(metrics.principal(localCertificate));
      }
    }
    String grpc = grpcStatus < 0 ? "" : grpcStatus < GRPC_CODES.length ? GRPC_CODES[grpcStatus]
        : Integer.toString(grpcStatus);
    String flagText = ResponseFlags.format(all);
    RequestMetrics sink = metrics.sink();
    if (sink != null) {
      if (series == null) {
        series = metrics.cluster(null);
      }
      series.series(sink, source, destination, protocol, httpStatus, grpc, flagText)
          .record(duration, requestBytes, responseBytes);
      int retries = Math.max(0, attempts - 1);
      boolean retrySucceeded = retries > 0 && httpStatus > 0 && httpStatus < 500 && (grpcStatus <= 0)
          && attemptFlags == 0;
      sink.upstream(cluster, retries, retrySucceeded, retryOverflow, all);
    }
    if (span != null) {
      span.end(cluster, httpStatus, grpc, flagText, attempts);
    }
    AccessLog log = metrics.accessLog();
    if (log != null && log.enabled()) {
      log.write(startEpochMillis, protocol, request, httpStatus, flagText, requestBytes, responseBytes,
          duration / 1_000_000, endpoint == null ? null : endpoint.hostPort(), cluster, attempts);
    }
  }

  /** Whether an attempt was started. */
  public boolean attempted() {
    return attempts > 0;
  }

  /** Whether the latest attempt failed without a response. */
  public boolean attemptFailed() {
    return attemptFlags != ResponseFlags.NONE;
  }

  /** Whether the call was recorded. */
  public boolean isFinished() {
    return finished;
  }
}
