package io.mesh4j.runtime.okhttp;

import io.mesh4j.MeshTlsHandshakeException;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.model.LbEndpoint;
import io.mesh4j.runtime.security.MaterialUnavailableException;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.security.PeerCertificateException;
import io.mesh4j.runtime.security.UpstreamTls;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sends a routed request to a cluster with an {@code UpstreamTlsContext}: the application wrote {@code http://}, the
 * mesh adds TLS (Istio proxyless). The URL becomes {@code https://endpoint}, and the call uses the cluster's socket
 * factory, trust manager and host name verifier through OkHttp's per-call chain overrides. Those objects are one
 * per TLS identity ({@link MeshSecurity#upstream}), so OkHttp's connection pool, which keys connections by them,
 * keeps pooling (and HTTP/2 multiplexing) across clusters that share an identity, with the application's own pool
 * and dispatcher.
 *
 * <p>Handshake failures become {@link MeshTlsHandshakeException} naming the failed check; nothing is retried here,
 * not even by OkHttp's own connection recovery: one handshake per mesh attempt.
 */
final class UpstreamTlsCall {
  private UpstreamTlsCall() {}

  static Response proceed(Interceptor.Chain chain, Request routed, ClusterRuntime cluster, LbEndpoint endpoint,
      MeshSecurity security, Duration materialWait) throws IOException {
    UpstreamTlsConfig config = cluster.cluster().tls();
    String where = "cluster '" + cluster.name() + "' endpoint " + endpoint.hostPort();
    if (security == null) {
      throw new MeshTlsHandshakeException("NO_MATERIAL", where + ": this client has no TLS support", null);
    }
    UpstreamTls tls;
    try {
      tls = security.upstream(config);
      String missing = tls.awaitReady(materialWait);
      if (missing != null) {
        throw new MeshTlsHandshakeException("NO_MATERIAL", where + ": " + missing, null);
      }
    } catch (MaterialUnavailableException e) {
      throw new MeshTlsHandshakeException("NO_MATERIAL", where + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for TLS material of " + where);
    }
    Request secured = routed.newBuilder().url(routed.url().newBuilder().scheme("https").build()).build();
    try {
      // One handshake per mesh attempt, as Envoy: OkHttp's own recovery (a new connection after a failed one, the
      // next route or connection spec) would repeat a refused handshake under the same attempt, unseen by the
      // mesh's retry policy, breakers and outlier detection. The mesh decides whether to try again, and where.
      return chain.withSslSocketFactory(tls.socketFactory(), tls.trustManager())
          .withHostnameVerifier(tls.hostnameVerifier())
          .withRetryOnConnectionFailure(false)
          .proceed(secured);
    } catch (SSLException e) {
      IOException classified = classify(e, where);
      throw classified;
    }
  }

  /** A handshake failure, typed; other TLS errors (a reset after the handshake) pass through unchanged. */
  private static IOException classify(SSLException e, String where) {
    PeerCertificateException peer = PeerCertificateException.find(e);
    if (peer != null) {
      return new MeshTlsHandshakeException(peer.check().name(), where + ": " + peer.getMessage(), e);
    }
    String message = String.valueOf(e.getMessage());
    // Under TLS 1.3 the server's verdict on our certificate arrives after our side of the handshake, at first read.
    if ((message.contains("bad_certificate")
        || message.contains("certificate_required") || message.contains("unknown_ca")
        || message.contains("certificate_unknown"))) {
      return new MeshTlsHandshakeException("PEER_REFUSED", where + ": the peer refused our certificate ("
          + message + ")", e);
    }
    if (e instanceof SSLHandshakeException || e instanceof SSLPeerUnverifiedException) {
      return new MeshTlsHandshakeException("HANDSHAKE", where + ": " + message, e);
    }
    return e;
  }
}
