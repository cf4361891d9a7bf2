package io.mesh4j.cli.kubernetes;

/** The Kubernetes API could not be asked, or refused; the message says why in one line, and what to check. */
public final class KubernetesException extends Exception {
  public KubernetesException(String message) {
    super(message);
  }

  public KubernetesException(String message, Throwable cause) {
    super(message, cause);
  }
}
