package io.mesh4j.runtime.security;

/** A TLS context cannot be built: its material source is missing or unreadable. */
public final class MaterialUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  MaterialUnavailableException(String message) {
    super(message, null, false, false);
  }
}
