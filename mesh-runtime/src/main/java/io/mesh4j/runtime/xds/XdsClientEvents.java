package io.mesh4j.runtime.xds;

/**
 * What the xDS client tells observers as it happens, for gRFC A78's counters. Called on the client's serializer:
 * keep it short, never block.
 */
public interface XdsClientEvents {
  XdsClientEvents NONE = new XdsClientEvents() {};

  /** A response of {@code typeUrl} carried {@code valid} resources that decoded and {@code invalid} that did not. */
  default void resourceUpdates(String serverUri, String typeUrl, int valid, int invalid) {}

  /** The server became unreachable or the stream failed before any response (once per outage). */
  default void serverFailure(String serverUri) {}
}
