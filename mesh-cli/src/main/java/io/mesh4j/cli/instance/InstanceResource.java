package io.mesh4j.cli.instance;

import com.google.protobuf.Any;
import java.time.Instant;

/**
 * What one workload instance made of one subscribed resource, as it reports it.
 *
 * @param typeUrl the resource type
 * @param name the resource name
 * @param version the version of the last update it accepted, {@code ""} before any
 * @param state the instance's client status
 * @param errorDetail why the last update was rejected (NACKED), else {@code null}
 * @param rejectedVersion the version it rejected, when it says (CSDS {@code error_state.version_info}), else
 *     {@code null}
 * @param lastUpdated when it last accepted an update, or {@code null}
 * @param resource the resource it holds (its last accepted one), or {@code null} when it has none or does not say
 */
public record InstanceResource(
    String typeUrl,
    String name,
    String version,
    ClientState state,
    String errorDetail,
    String rejectedVersion,
    Instant lastUpdated,
    Any resource) {

  /** CSDS's {@code ClientResourceStatus}, the states every reader maps to. */
  public enum ClientState {
    REQUESTED,
    DOES_NOT_EXIST,
    ACKED,
    NACKED,
    UNKNOWN
  }
}
