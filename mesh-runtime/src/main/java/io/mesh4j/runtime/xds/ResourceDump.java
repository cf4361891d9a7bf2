package io.mesh4j.runtime.xds;

import com.google.protobuf.Message;
import io.mesh4j.ResourceStatus;
import java.util.Objects;

/**
 * One subscribed resource as a config dump shows it (CSDS): its status and the last accepted resource itself.
 *
 * @param resource the last accepted proto, or {@code null} when none was accepted (or it no longer exists)
 * @param rejectedVersion the {@code version_info} of the response whose copy of this resource was rejected, while
 *     it is NACKED (CSDS's {@code error_state.version_info}, as Envoy fills it); otherwise {@code null}
 */
public record ResourceDump(ResourceStatus status, Message resource, String rejectedVersion) {
  public ResourceDump {
    Objects.requireNonNull(status, "status");
  }

  public ResourceDump(ResourceStatus status, Message resource) {
    this(status, resource, null);
  }
}
