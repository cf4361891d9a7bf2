package io.mesh4j.runtime.security;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.mesh4j.runtime.model.DownstreamTlsConfig;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.Set;

/**
 * A server listener filter chain's {@code transport_socket}: {@code envoy.transport_sockets.tls} with a {@code
 * DownstreamTlsContext}, or {@code raw_buffer} (plaintext). The {@code common_tls_context} is read as for clusters
 * (provider instances, SDS secrets, validation context with SAN matchers, {@code tls_params}), with Envoy's server
 * defaults (TLSv1.2 to TLSv1.3). As gRPC requires, a server chain must name its certificate, and
 * {@code require_client_certificate} needs roots to check the client's against.
 *
 * <p>Accepted and noted: session resumption settings ({@code session_ticket_keys}, {@code session_timeout},
 * {@code disable_stateless_session_resumption}...), {@code prefer_client_ciphers},
 * {@code full_scan_certs_on_sni_mismatch}, and {@code alpn_protocols} (each server transport negotiates its own
 * protocols: h2 for gRPC). Rejected: {@code require_sni: true}, {@code ocsp_staple_policy}.
 */
public final class DownstreamTlsContextDecoder {
  static final String DOWNSTREAM_TLS_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";

  private static final Set<String> HANDLED = Set.of("common_tls_context", "require_client_certificate", "require_sni");
  private static final Set<String> IGNORABLE = Set.of("session_ticket_keys", "session_ticket_keys_sds_secret_config",
      "disable_stateless_session_resumption", "disable_stateful_session_resumption", "session_timeout",
      "prefer_client_ciphers", "full_scan_certs_on_sni_mismatch");

  private DownstreamTlsContextDecoder() {}

  /**
   * The chain's TLS, or {@code null} for plaintext.
   *
   * @param path the transport socket's field path, e.g. {@code filter_chains[0].transport_socket}
   * @param providerInstances the bootstrap's certificate provider instance names
   */
  public static DownstreamTlsConfig decode(TransportSocket socket, String path, Set<String> providerInstances,
      DecodeContext context) throws ResourceInvalidException {
    if (!socket.hasTypedConfig()) {
      throw new ResourceInvalidException(path + ".typed_config: required");
    }
    String typeUrl = socket.getTypedConfig().getTypeUrl();
    if (typeUrl.equals(UpstreamTlsContextDecoder.RAW_BUFFER_TYPE)) {
      return null;
    }
    if (!typeUrl.equals(DOWNSTREAM_TLS_TYPE)) {
      throw new ResourceInvalidException(path + ".typed_config: " + typeUrl + " is not supported (only "
          + UpstreamTlsContextDecoder.TLS_SOCKET + " with DownstreamTlsContext, or raw_buffer)");
    }
    DownstreamTlsContext tls;
    try {
      tls = socket.getTypedConfig().unpack(DownstreamTlsContext.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + ".typed_config: cannot unpack DownstreamTlsContext: "
          + e.getMessage());
    }
    return decode(tls, path + ".typed_config.", providerInstances, context);
  }

  /** @param path the context's field path with a trailing dot */
  public static DownstreamTlsConfig decode(DownstreamTlsContext tls, String path, Set<String> providerInstances,
      DecodeContext context) throws ResourceInvalidException {
    FieldAllowList.check(tls, path, HANDLED, IGNORABLE, "LDS", context);
    if (tls.getRequireSni().getValue()) {
      throw new ResourceInvalidException(path + "require_sni: not supported");
    }
    if (!tls.hasCommonTlsContext()) {
      throw new ResourceInvalidException(path + "common_tls_context: required (a server presents a certificate)");
    }
    String commonPath = path + "common_tls_context.";
    UpstreamTlsConfig common = UpstreamTlsContextDecoder.decodeCommon(tls.getCommonTlsContext(), "", commonPath,
        providerInstances, "LDS", "TLSv1.3", context);
    if (common.identity() == null) {
      throw new ResourceInvalidException(commonPath + "tls_certificate_provider_instance: required (a server "
          + "presents a certificate)");
    }
    boolean requireClient = tls.getRequireClientCertificate().getValue();
    if (requireClient && common.trust() == null) {
      throw new ResourceInvalidException(path + "require_client_certificate: needs a validation context to check "
          + "client certificates against");
    }
    if (tls.getCommonTlsContext().getAlpnProtocolsCount() > 0) {
      context.ignoredField("LDS: " + commonPath + "alpn_protocols (each server transport negotiates its own)");
    }
    return new DownstreamTlsConfig(common.identity(), common.trust(), common.sanMatches(), requireClient,
        common.minVersion(), common.maxVersion(), common.cipherSuites(),
        tls.getCommonTlsContext().getAlpnProtocolsList());
  }
}
