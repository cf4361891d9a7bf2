package io.mesh4j.runtime.grpc;

import io.grpc.ChannelCredentials;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslSessionContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.mesh4j.MeshTlsHandshakeException;
import io.mesh4j.runtime.cluster.ClusterRuntime;
import io.mesh4j.runtime.security.MaterialUnavailableException;
import io.mesh4j.runtime.security.MeshSecurity;
import io.mesh4j.runtime.security.PeerCertificateException;
import io.mesh4j.runtime.security.UpstreamTls;
import io.mesh4j.runtime.model.LbEndpoint;
import java.io.InterruptedIOException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Upstream TLS for gRPC endpoint channels: the cluster's {@link UpstreamTls} (shared with OkHttp: the same rotating
 * key and trust managers, so rotations apply to new connections and SPIFFE SANs are checked in the handshake) as
 * gRPC channel credentials, and handshake failures named as the OkHttp path names them.
 */
final class GrpcUpstreamTls {
  private GrpcUpstreamTls() {}

  /**
   * The cluster's TLS context, without waiting for its material (see {@link UpstreamTls#whenReady()} and
   * {@link #checkMaterial}); refusals are {@link MeshTlsHandshakeException}s.
   */
  static UpstreamTls context(ClusterRuntime cluster, LbEndpoint endpoint, MeshSecurity security, boolean supported)
      throws MeshTlsHandshakeException {
    if (security == null || !supported) {
      throw new MeshTlsHandshakeException("NO_MATERIAL", where(cluster, endpoint) + ": this channel has no TLS support",
          null);
    }
    try {
      return security.upstream(cluster.cluster().tls());
    } catch (MaterialUnavailableException e) {
      throw new MeshTlsHandshakeException("NO_MATERIAL", where(cluster, endpoint) + ": " + e.getMessage(), e);
    }
  }

  /** Once the wait for material is over (ready or not): refuses a context whose material is still missing. */
  static void checkMaterial(UpstreamTls tls, ClusterRuntime cluster, LbEndpoint endpoint)
      throws MeshTlsHandshakeException {
    String missing = tls.missingMaterial();
    if (missing != null) {
      throw new MeshTlsHandshakeException("NO_MATERIAL", where(cluster, endpoint) + ": " + missing, null);
    }
  }

  private static String where(ClusterRuntime cluster, LbEndpoint endpoint) {
    return "cluster '" + cluster.name() + "' endpoint " + endpoint.hostPort();
  }

  /**
   * How long the JDK's TLS client (used when netty's OpenSSL is not available) may resume a session: it has no switch
   * to turn resumption off, so this bounds how long after a rotation a new connection may still present the
   * certificate of an earlier handshake.
   */
  private static final int JDK_SESSION_SECONDS = 1;

  /**
   * Channel credentials over the context's managers. Our trust manager is an {@code X509ExtendedTrustManager} that
   * checks the configured SANs (SPIFFE IDs) itself, so the JDK adds no host name check against the authority.
   *
   * <p>The connections never resume a TLS session: a resumed session keeps the identities of the handshake it came
   * from, so after a rotation of our certificate a new connection would still present the old one (and the server
   * would see it). The OkHttp path drops its cached sessions when the material changes; gRPC's netty context offers no
   * hook at connection time, and its connections are long-lived, so a full handshake for each costs little.
   */
  static ChannelCredentials credentials(UpstreamTls tls) {
    SslContextBuilder builder = GrpcSslContexts.forClient().trustManager(tls.trustManager());
    if (tls.keyManager() != null) {
      builder.keyManager(tls.keyManager());
    }
    SslContext context;
    try {
      context = builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS context of a gRPC endpoint channel", e);
    }
    if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
      openSsl.setSessionCacheEnabled(false);
    } else {
      context.sessionContext().setSessionTimeout(JDK_SESSION_SECONDS);
    }
    return NettySslContextChannelCredentials.create(context);
  }

  /**
   * A call that failed in the TLS handshake closes with {@code UNAVAILABLE} naming the failed check (e.g. the
   * peer's SPIFFE ID), where gRPC alone would say "io exception"; other statuses pass unchanged.
   */
  static Status describe(Status status, String endpoint) {
    if (status.getCode() != Status.Code.UNAVAILABLE || status.getCause() == null) {
      return status;
    }
    PeerCertificateException peer = PeerCertificateException.find(status.getCause());
    if (peer != null) {
      return status.withDescription("TLS handshake with " + endpoint + " failed: " + peer.check() + ": "
          + peer.getMessage());
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return status.withDescription("TLS handshake with " + endpoint + " failed: " + t.getMessage());
      }
    }
    return status;
  }
}
