package io.mesh4j.cli.current;

/**
 * What the control plane serves now for one resource, as meshctl's own subscription received it.
 *
 * @param version the {@code version_info} of the response that carried it, or {@code null} when it does not exist
 */
public record CurrentResource(String version) {
  public static final CurrentResource ABSENT = new CurrentResource(null);

  public boolean exists() {
    return version != null;
  }
}
