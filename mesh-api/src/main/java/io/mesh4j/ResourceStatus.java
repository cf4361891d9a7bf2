package io.mesh4j;

import java.time.Instant;

/**
 * What the mesh made of one xDS resource.
 *
 * @param typeUrl the resource type, e.g. {@code type.googleapis.com/envoy.config.listener.v3.Listener}
 * @param name the resource name
 * @param version the version of the last accepted response that carried it, or {@code ""} before any
 * @param lastUpdated when it was last accepted, or {@code null} before any
 * @param state where it stands
 * @param errorDetail why the last update was rejected, when {@code state} is NACKED; otherwise {@code null}
 * @param source where the value in use came from: the {@code server_uri} of the control plane that sent it, or
 *     {@code cache:<directory>} for a value read from the persisted config cache ({@link ResourceState#CACHED});
 *     {@code null} while there is no value
 */
public record ResourceStatus(
    String typeUrl,
    String name,
    String version,
    Instant lastUpdated,
    ResourceState state,
    String errorDetail,
    String source) {

  /** A status without a known source. */
  public ResourceStatus(
      String typeUrl, String name, String version, Instant lastUpdated, ResourceState state, String errorDetail) {
    this(typeUrl, name, version, lastUpdated, state, errorDetail, null);
  }
}
