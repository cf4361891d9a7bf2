package io.mesh4j.cli.instance;

/** An instance could not be read; the message says why in a line fit for a table's footnote. */
public class InstanceReadException extends Exception {
  public InstanceReadException(String message, Throwable cause) {
    super(message, cause);
  }

  public InstanceReadException(String message) {
    super(message);
  }
}
