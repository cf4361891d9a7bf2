package io.mesh4j.runtime.metrics;

import io.mesh4j.runtime.view.RequestView;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request in Envoy's default access log format, to the SLF4J logger {@code io.mesh4j.accesslog} at
 * INFO:
 *
 * <pre>
 * [START_TIME] "METHOD PATH PROTOCOL" RESPONSE_CODE RESPONSE_FLAGS BYTES_RECEIVED BYTES_SENT DURATION
 * UPSTREAM_SERVICE_TIME "X-FORWARDED-FOR" "USER-AGENT" "X-REQUEST-ID" "AUTHORITY" "UPSTREAM_HOST"
 * </pre>
 *
 * followed by the upstream cluster and the number of attempts. As a client, bytes received are the request body's
 * and bytes sent the response's, as a sidecar's outbound listener counts them; {@code -} for what is unknown.
 */
public final class AccessLog {
  public static final String LOGGER = "io.mesh4j.accesslog";

  private final Logger log;
  private final Consumer<String> out;

  /** To the SLF4J logger {@value #LOGGER}. */
  public AccessLog() {
    this.log = LoggerFactory.getLogger(LOGGER);
    this.out = log::info;
  }

  /** To {@code out}, always (tests). */
  AccessLog(Consumer<String> out) {
    this.log = null;
    this.out = out;
  }

  /** Whether lines would be written now (the logger's INFO level). */
  public boolean enabled() {
    return log == null || log.isInfoEnabled();
  }

  void write(long startEpochMillis, String protocol, RequestView request, int responseCode, String flags,
      long requestBytes, long responseBytes, long durationMillis, String upstreamHost, String cluster,
      int attempts) {
    String method = "grpc".equals(protocol) ? "POST" : orDash(request.header(":method"));
    String line = "[" + DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(startEpochMillis)) + "] \""
        + method + " " + orDash(request.path()) + " " + ("grpc".equals(protocol) ? "HTTP/2" : "HTTP/1.1") + "\" "
        + responseCode + " " + flags + " " + requestBytes + " " + responseBytes + " " + durationMillis + " - \""
        + orDash(request.header("x-forwarded-for")) + "\" \"" + orDash(request.header("user-agent")) + "\" \""
        + orDash(request.header("x-request-id")) + "\" \"" + orDash(request.authority()) + "\" \""
        + orDash(upstreamHost) + "\" " + orDash(cluster) + " attempts=" + attempts;
    out.accept(line);
  }

  private static String orDash(String value) {
    return value == null || value.isEmpty() ? "-" : value;
  }
}
