package io.mesh4j;

/**
 * A request the mesh sent over TLS failed before it reached the application: the handshake was refused, or the
 * certificate material it needs is not there. Not retried to another identity.
 */
public class MeshTlsHandshakeException extends MeshRoutingException {
  private final String failedCheck;

  /**
   * @param failedCheck which check failed: {@code SAN_MISMATCH}, {@code NO_URI_SAN}, {@code EXPIRED},
   *     {@code NOT_YET_VALID}, {@code UNKNOWN_CA}, {@code NO_CERTIFICATE}, {@code NO_TRUST_MATERIAL},
   *     {@code NO_MATERIAL} (our own certificate is not loaded), {@code PEER_REFUSED} (the peer refused us), or
   *     {@code HANDSHAKE} (any other TLS failure)
   */
  public MeshTlsHandshakeException(String failedCheck, String detail, Throwable cause) {
    super(Reason.TLS_HANDSHAKE, failedCheck + ": " + detail);
    this.failedCheck = failedCheck;
    if (cause != null) {
      initCause(cause);
    }
  }

  public String failedCheck() {
    return failedCheck;
  }
}
