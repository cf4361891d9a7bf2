package io.mesh4j.runtime.security;

/** Certificate material that cannot be used: unreadable, malformed, mismatched or outside its validity. */
final class MaterialException extends Exception {
  MaterialException(String message) {
    super(message, null, false, false);
  }

  MaterialException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
