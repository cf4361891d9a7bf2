package io.mesh4j.runtime.inbound;

import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * How a filter chain terminates TLS ({@code DownstreamTlsContext}): a context over the mesh's rotating key and trust
 * managers (so a rotation needs no restart and open connections keep their handshake) and the parameters every new
 * engine gets (protocols, cipher suites, client authentication).
 */
public record ServerTls(SSLContext context, SSLParameters parameters, boolean requireClientCertificate) {
  public ServerTls {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(parameters, "parameters");
  }

  /** A server-mode engine for one connection. */
  public SSLEngine newEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setSSLParameters(parameters);
    if (requireClientCertificate) {
      engine.setNeedClientAuth(true);
    }
    return engine;
  }
}
