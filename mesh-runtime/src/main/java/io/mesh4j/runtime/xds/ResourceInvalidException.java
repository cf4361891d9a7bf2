package io.mesh4j.runtime.xds;

/**
 * A resource failed validation. The message names the field (in proto field names, e.g.
 * {@code virtual_hosts[0].routes[2].match.safe_regex.regex}) and what is wrong with it; it becomes the NACK's
 * {@code error_detail}. Cheap: no stack trace.
 */
public final class ResourceInvalidException extends Exception {
  public ResourceInvalidException(String message) {
    super(message, null, false, false);
  }

  /** Prefixes the message of {@code cause} with a field path, for nested decoders. */
  public static ResourceInvalidException at(String fieldPath, ResourceInvalidException cause) {
    return new ResourceInvalidException(fieldPath + "." + cause.getMessage());
  }
}
