package io.mesh4j.runtime.security;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.mesh4j.runtime.matcher.MatcherDecoder;
import io.mesh4j.runtime.model.CertificateSourceRef;
import io.mesh4j.runtime.model.SanMatch;
import io.mesh4j.runtime.model.UpstreamTlsConfig;
import io.mesh4j.runtime.xds.ConfigSources;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster's {@code transport_socket}: {@code envoy.transport_sockets.tls} with an {@code UpstreamTlsContext}, or
 * the plain-text {@code raw_buffer}. Envoy's semantics:
 * <ul>
 *   <li>the client certificate from {@code tls_certificate_provider_instance} (preferred) or the deprecated
 *       {@code tls_certificate_certificate_provider_instance} (istiod sends both), or one SDS secret;
 *   <li>the roots from {@code ca_certificate_provider_instance} (preferred) or the deprecated
 *       {@code validation_context_certificate_provider_instance}, an SDS validation secret, {@code trusted_ca}
 *       (file or inline) or {@code system_root_certs}; no validation context means no verification, as in Envoy,
 *       and SAN matchers without roots are refused, as Envoy refuses them;
 *   <li>{@code match_typed_subject_alt_names} and the deprecated {@code match_subject_alt_names};
 *   <li>{@code sni}; {@code tls_params} protocol versions (Envoy's client defaults: TLSv1.2 to TLSv1.2) and
 *       {@code cipher_suites} (BoringSSL names, mapped to JSSE ones).
 * </ul>
 * Provider instance names must be in the bootstrap, or the cluster is rejected naming the field.
 * {@code alpn_protocols} is noted: the HTTP client offers its own protocols (h2, http/1.1).
 */
public final class UpstreamTlsContextDecoder {
  static final String TLS_SOCKET = "envoy.transport_sockets.tls";
  static final String RAW_BUFFER_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer";
  static final String UPSTREAM_TLS_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";

  private static final Set<String> UPSTREAM_HANDLED = Set.of("common_tls_context", "sni");
  private static final Set<String> UPSTREAM_IGNORABLE = Set.of("max_session_keys", "allow_renegotiation");
  private static final Set<String> COMMON_HANDLED = Set.of("tls_params", "tls_certificate_provider_instance",
      "tls_certificate_certificate_provider_instance", "tls_certificate_sds_secret_configs", "validation_context",
      "validation_context_sds_secret_config", "combined_validation_context",
      "validation_context_certificate_provider_instance", "alpn_protocols");
  private static final Set<String> VALIDATION_HANDLED = Set.of("trusted_ca", "ca_certificate_provider_instance",
      "system_root_certs", "match_subject_alt_names", "match_typed_subject_alt_names", "trust_chain_verification");
  private static final Set<String> TLS_PARAMS_HANDLED =
      Set.of("tls_minimum_protocol_version", "tls_maximum_protocol_version", "cipher_suites");

  /** BoringSSL cipher names Envoy accepts, to JSSE names (TLS 1.2 and below; TLS 1.3 suites are not configurable). */
  private static final Map<String, String> CIPHERS = new LinkedHashMap<>();

  static {
    CIPHERS.put("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    CIPHERS.put("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    CIPHERS.put("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    CIPHERS.put("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    CIPHERS.put("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    CIPHERS.put("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    CIPHERS.put("ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
    CIPHERS.put("ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    CIPHERS.put("ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
    CIPHERS.put("ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    CIPHERS.put("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256");
    CIPHERS.put("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384");
    CIPHERS.put("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA");
    CIPHERS.put("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA");
  }

  private UpstreamTlsContextDecoder() {}

  /** The TLS config, or {@code null} for a plain-text socket. */
  public static UpstreamTlsConfig decode(TransportSocket socket, Set<String> providerInstances, DecodeContext context)
      throws ResourceInvalidException {
    String path = "transport_socket";
    if (!socket.hasTypedConfig()) {
      throw new ResourceInvalidException(path + ".typed_config: required");
    }
    String typeUrl = socket.getTypedConfig().getTypeUrl();
    if (typeUrl.equals(RAW_BUFFER_TYPE)) {
      return null;
    }
    if (!typeUrl.equals(UPSTREAM_TLS_TYPE)) {
      throw new ResourceInvalidException(path + ".typed_config: " + typeUrl + " is not supported (only "
          + TLS_SOCKET + " with UpstreamTlsContext, or raw_buffer)");
    }
    UpstreamTlsContext tls;
    try {
      tls = socket.getTypedConfig().unpack(UpstreamTlsContext.class);
    } catch (InvalidProtocolBufferException e) {
      throw new ResourceInvalidException(path + ".typed_config: cannot unpack UpstreamTlsContext: " + e.getMessage());
    }
    path += ".typed_config.";
    FieldAllowList.check(tls, path, UPSTREAM_HANDLED, UPSTREAM_IGNORABLE, "CDS", context);
    return decodeCommon(tls.getCommonTlsContext(), tls.getSni(), path + "common_tls_context.", providerInstances,
        "CDS", "TLSv1.2", context);
  }

  @SuppressWarnings("deprecation") // the deprecated provider-instance fields istiod still sends
  /**
   * The part both sides share. {@code owner} names the resource in notes ("CDS", "LDS"); {@code defaultMax} is the
   * highest version when {@code tls_params} leaves it to the default (Envoy: TLSv1.2 for clients, TLSv1.3 for
   * servers). A server reads {@code alpn_protocols} itself.
   */
  static UpstreamTlsConfig decodeCommon(CommonTlsContext common, String sni, String path,
      Set<String> providerInstances, String owner, String defaultMax, DecodeContext context)
      throws ResourceInvalidException {
    FieldAllowList.check(common, path, COMMON_HANDLED, Set.of(), owner, context);
    if (common.getAlpnProtocolsCount() > 0 && owner.equals("CDS")) {
      context.ignoredField("CDS: " + path + "alpn_protocols (OkHttp offers h2 and http/1.1 itself)");
    }
    CertificateSourceRef identity = null;
    if (common.hasTlsCertificateProviderInstance()) {
      identity = instance(common.getTlsCertificateProviderInstance(), path + "tls_certificate_provider_instance",
          providerInstances);
    } else if (common.hasTlsCertificateCertificateProviderInstance()) {
      CommonTlsContext.CertificateProviderInstance old = common.getTlsCertificateCertificateProviderInstance();
      identity = instance(old.getInstanceName(), old.getCertificateName(),
          path + "tls_certificate_certificate_provider_instance", providerInstances);
    }
    if (common.getTlsCertificateSdsSecretConfigsCount() > 0) {
      if (identity != null || common.getTlsCertificateSdsSecretConfigsCount() > 1) {
        throw new ResourceInvalidException(path + "tls_certificate_sds_secret_configs: only one client certificate "
            + "source is supported");
      }
      identity = sds(common.getTlsCertificateSdsSecretConfigs(0), path + "tls_certificate_sds_secret_configs[0]");
    }

    CertificateValidationContext validation = null;
    String validationPath = null;
    CertificateSourceRef trust = null;
    switch (common.getValidationContextTypeCase()) {
      case VALIDATION_CONTEXT:
        validation = common.getValidationContext();
        validationPath = path + "validation_context.";
        break;
      case VALIDATION_CONTEXT_SDS_SECRET_CONFIG:
        trust = sds(common.getValidationContextSdsSecretConfig(), path + "validation_context_sds_secret_config");
        break;
      case VALIDATION_CONTEXT_CERTIFICATE_PROVIDER_INSTANCE:
        CommonTlsContext.CertificateProviderInstance old = common.getValidationContextCertificateProviderInstance();
        trust = instance(old.getInstanceName(), old.getCertificateName(),
            path + "validation_context_certificate_provider_instance", providerInstances);
        break;
      case COMBINED_VALIDATION_CONTEXT:
        CommonTlsContext.CombinedCertificateValidationContext combined = common.getCombinedValidationContext();
        String combinedPath = path + "combined_validation_context.";
        FieldAllowList.check(combined, combinedPath, Set.of("default_validation_context",
            "validation_context_sds_secret_config", "validation_context_certificate_provider_instance"), Set.of(),
            owner, context);
        validation = combined.getDefaultValidationContext();
        validationPath = combinedPath + "default_validation_context.";
        if (combined.hasValidationContextSdsSecretConfig()) {
          trust = sds(combined.getValidationContextSdsSecretConfig(),
              combinedPath + "validation_context_sds_secret_config");
        } else if (combined.hasValidationContextCertificateProviderInstance()) {
          CommonTlsContext.CertificateProviderInstance oldInstance =
              combined.getValidationContextCertificateProviderInstance();
          trust = instance(oldInstance.getInstanceName(), oldInstance.getCertificateName(),
              combinedPath + "validation_context_certificate_provider_instance", providerInstances);
        }
        break;
      default:
        break;
    }
    List<SanMatch> sans = List.of();
    if (validation != null) {
      FieldAllowList.check(validation, validationPath, VALIDATION_HANDLED, Set.of(), owner, context);
      if (validation.getTrustChainVerification()
          != CertificateValidationContext.TrustChainVerification.VERIFY_TRUST_CHAIN) {
        throw new ResourceInvalidException(validationPath + "trust_chain_verification: only VERIFY_TRUST_CHAIN is "
            + "supported");
      }
      CertificateSourceRef fromContext = null;
      if (validation.hasCaCertificateProviderInstance()) {
        // Preferred over the deprecated instance field when istiod sends both.
        fromContext = instance(validation.getCaCertificateProviderInstance(),
            validationPath + "ca_certificate_provider_instance", providerInstances);
      } else if (validation.hasTrustedCa()) {
        fromContext = dataSource(validation.getTrustedCa(), validationPath + "trusted_ca");
      } else if (validation.hasSystemRootCerts()) {
        fromContext = new CertificateSourceRef.SystemRoots();
      }
      if (fromContext != null) {
        trust = fromContext;
      }
      sans = sanMatches(validation, validationPath);
    }
    if (trust == null && !sans.isEmpty()) {
      throw new ResourceInvalidException((validationPath == null ? path : validationPath)
          + "match_subject_alt_names: SAN checks without a trusted CA are insecure and not allowed (as in Envoy)");
    }
    if (trust == null && owner.equals("CDS")) {
      context.ignoredField("CDS: " + path + " without a validation context: the peer certificate is not verified "
          + "(as in Envoy)");
    }
    String min = "TLSv1.2";
    String max = defaultMax;
    List<String> ciphers = List.of();
    if (common.hasTlsParams()) {
      TlsParameters params = common.getTlsParams();
      String paramsPath = path + "tls_params.";
      FieldAllowList.check(params, paramsPath, TLS_PARAMS_HANDLED, Set.of(), owner, context);
      min = version(params.getTlsMinimumProtocolVersion(), "TLSv1.2", paramsPath + "tls_minimum_protocol_version");
      max = version(params.getTlsMaximumProtocolVersion(), defaultMax, paramsPath + "tls_maximum_protocol_version");
      if (min.compareTo(max) > 0) {
        throw new ResourceInvalidException(paramsPath + "tls_minimum_protocol_version: above the maximum " + max);
      }
      ciphers = ciphers(params.getCipherSuitesList(), paramsPath + "cipher_suites");
    }
    return new UpstreamTlsConfig(identity, trust, sans, sni, min, max, ciphers);
  }

  private static CertificateSourceRef instance(CertificateProviderPluginInstance instance, String path,
      Set<String> providerInstances) throws ResourceInvalidException {
    return instance(instance.getInstanceName(), instance.getCertificateName(), path, providerInstances);
  }

  private static CertificateSourceRef instance(String name, String certificateName, String path,
      Set<String> providerInstances) throws ResourceInvalidException {
    if (name.isEmpty()) {
      throw new ResourceInvalidException(path + ".instance_name: required");
    }
    if (!providerInstances.contains(name)) {
      throw new ResourceInvalidException(path + ".instance_name: '" + name
          + "' is not a certificate provider instance in the bootstrap " + providerInstances);
    }
    return new CertificateSourceRef.ProviderInstance(name, certificateName);
  }

  private static CertificateSourceRef sds(SdsSecretConfig config, String path) throws ResourceInvalidException {
    if (config.getName().isEmpty()) {
      throw new ResourceInvalidException(path + ".name: required");
    }
    if (!config.hasSdsConfig()) {
      throw new ResourceInvalidException(path + ".sds_config: required (static secrets are not supported)");
    }
    ConfigSources.requireAds(config.getSdsConfig(), path + ".sds_config", false);
    return new CertificateSourceRef.SdsSecret(config.getName());
  }

  static CertificateSourceRef dataSource(DataSource source, String path) throws ResourceInvalidException {
    return switch (source.getSpecifierCase()) {
      case FILENAME -> new CertificateSourceRef.PemFile(source.getFilename());
      case INLINE_BYTES -> new CertificateSourceRef.InlinePem(source.getInlineBytes().toString(StandardCharsets.US_ASCII));
      case INLINE_STRING -> new CertificateSourceRef.InlinePem(source.getInlineString());
      default -> throw new ResourceInvalidException(path + ": only filename, inline_bytes or inline_string are "
          + "supported");
    };
  }

  @SuppressWarnings("deprecation") // match_subject_alt_names: still sent by istiod
  static List<SanMatch> sanMatches(CertificateValidationContext validation, String path)
      throws ResourceInvalidException {
    List<SanMatch> out = new ArrayList<>();
    for (int i = 0; i < validation.getMatchTypedSubjectAltNamesCount(); i++) {
      SubjectAltNameMatcher typed = validation.getMatchTypedSubjectAltNames(i);
      String p = path + "match_typed_subject_alt_names[" + i + "]";
      SanMatch.SanType type = switch (typed.getSanType()) {
        case DNS -> SanMatch.SanType.DNS;
        case URI -> SanMatch.SanType.URI;
        case EMAIL -> SanMatch.SanType.EMAIL;
        case IP_ADDRESS -> SanMatch.SanType.IP_ADDRESS;
        default -> throw new ResourceInvalidException(p + ".san_type: " + typed.getSanType() + " is not supported");
      };
      out.add(stringMatch(type, typed.getMatcher(), p + ".matcher"));
    }
    for (int i = 0; i < validation.getMatchSubjectAltNamesCount(); i++) {
      out.add(stringMatch(SanMatch.SanType.ANY, validation.getMatchSubjectAltNames(i),
          path + "match_subject_alt_names[" + i + "]"));
    }
    return out;
  }

  private static SanMatch stringMatch(SanMatch.SanType type, StringMatcher m, String path)
      throws ResourceInvalidException {
    boolean ic = m.getIgnoreCase();
    return switch (m.getMatchPatternCase()) {
      case EXACT -> new SanMatch(type, SanMatch.Kind.EXACT, m.getExact(), ic);
      case PREFIX -> new SanMatch(type, SanMatch.Kind.PREFIX, nonEmpty(m.getPrefix(), path + ".prefix"), ic);
      case SUFFIX -> new SanMatch(type, SanMatch.Kind.SUFFIX, nonEmpty(m.getSuffix(), path + ".suffix"), ic);
      case CONTAINS -> new SanMatch(type, SanMatch.Kind.CONTAINS, nonEmpty(m.getContains(), path + ".contains"), ic);
      case SAFE_REGEX -> {
        String regex = m.getSafeRegex().getRegex();
        MatcherDecoder.compileRegex(regex, path + ".safe_regex.regex");
        yield new SanMatch(type, SanMatch.Kind.SAFE_REGEX, regex, false);
      }
      default -> throw new ResourceInvalidException(path + ": a string match is required (custom is not supported)");
    };
  }

  private static String nonEmpty(String value, String path) throws ResourceInvalidException {
    if (value.isEmpty()) {
      throw new ResourceInvalidException(path + ": must not be empty");
    }
    return value;
  }

  private static String version(TlsParameters.TlsProtocol protocol, String auto, String path)
      throws ResourceInvalidException {
    return switch (protocol) {
      case TLS_AUTO -> auto;
      case TLSv1_2 -> "TLSv1.2";
      case TLSv1_3 -> "TLSv1.3";
      default -> throw new ResourceInvalidException(path + ": " + protocol + " is not supported (TLSv1_2 or TLSv1_3)");
    };
  }

  private static List<String> ciphers(List<String> names, String path) throws ResourceInvalidException {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String entry = names.get(i);
      // "[A|B]" is an equal-preference group in BoringSSL; JSSE has only an order, so keep the group's order.
      String inner = entry.startsWith("[") && entry.endsWith("]") ? entry.substring(1, entry.length() - 1) : entry;
      for (String name : inner.split("\\|")) {
        String jsse = CIPHERS.get(name);
        if (jsse == null) {
          throw new ResourceInvalidException(path + "[" + i + "]: unknown or unsupported cipher suite '" + name + "'");
        }
        out.add(jsse);
      }
    }
    return out;
  }
}
