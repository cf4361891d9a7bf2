package io.mesh4j.runtime.xds;

import com.google.protobuf.Message;
import io.mesh4j.ResourceStatus;
import java.util.Objects;

/**
 * One subscribed resource as a config dump shows it (CSDS): its status and the last accepted resource itself.
 *
 * @param resource the last accepted proto, or {@code null} when none was accepted (or it no longer exists)
 */
public record ResourceDump(ResourceStatus status, Message resource) {
  public ResourceDump {
    Objects.requireNonNull(status, "status");
  }
}
