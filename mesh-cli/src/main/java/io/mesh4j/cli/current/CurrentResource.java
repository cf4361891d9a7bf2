package io.mesh4j.cli.current;

import com.google.protobuf.Any;

/**
 * What the control plane serves now for one resource, as meshctl's own subscription received it.
 *
 * @param version the {@code version_info} of the response that carried it, or {@code null} when it does not exist
 * @param resource the resource as sent, or {@code null} when it does not exist
 */
public record CurrentResource(String version, Any resource) {
  public static final CurrentResource ABSENT = new CurrentResource(null, null);

  public boolean exists() {
    return version != null;
  }
}
