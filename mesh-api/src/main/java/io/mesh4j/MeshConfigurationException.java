package io.mesh4j;

/** The mesh was given configuration it cannot use (a bootstrap field, an option); the message names what. */
public class MeshConfigurationException extends RuntimeException {
  public MeshConfigurationException(String message) {
    super(message);
  }

  public MeshConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
