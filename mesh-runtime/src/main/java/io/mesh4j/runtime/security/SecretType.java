package io.mesh4j.runtime.security;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.FieldAllowList;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import io.mesh4j.runtime.xds.XdsResourceType;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * SDS over the ADS stream: {@code Secret} with a {@code tls_certificate} ({@code certificate_chain} and
 * {@code private_key}, inline) or a {@code validation_context} ({@code trusted_ca}, inline). SAN matchers belong in
 * the cluster's {@code default_validation_context} and are rejected here; so are session ticket keys and generic
 * secrets. File data sources are rejected too: a secret that points at files is what {@code file_watcher} is for.
 */
public final class SecretType extends XdsResourceType<SecretResource> {
  public static final String TYPE_URL = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
  public static final SecretType INSTANCE = new SecretType();

  private SecretType() {}

  @Override
  public String typeUrl() {
    return TYPE_URL;
  }

  @Override
  public String shortName() {
    return "SDS";
  }

  @Override
  public Class<? extends Message> messageClass() {
    return Secret.class;
  }

  @Override
  protected int nameFieldNumber() {
    return Secret.NAME_FIELD_NUMBER;
  }

  @Override
  public boolean isFullStateOfTheWorld() {
    return false;
  }

  @Override
  public String name(Message message) {
    return ((Secret) message).getName();
  }

  @Override
  public SecretResource decode(Message message, DecodeContext context) throws ResourceInvalidException {
    Secret secret = (Secret) message;
    FieldAllowList.check(secret, "", Set.of("name", "tls_certificate", "validation_context"), Set.of(), "SDS", context);
    try {
      if (secret.hasTlsCertificate()) {
        TlsCertificate cert = secret.getTlsCertificate();
        FieldAllowList.check(cert, "tls_certificate.", Set.of("certificate_chain", "private_key"), Set.of(), "SDS",
            context);
        return new SecretResource(secret.getName(), SecretMaterials.identity(
            inline(cert.getCertificateChain(), "tls_certificate.certificate_chain"),
            inline(cert.getPrivateKey(), "tls_certificate.private_key")));
      }
      if (secret.hasValidationContext()) {
        CertificateValidationContext validation = secret.getValidationContext();
        FieldAllowList.check(validation, "validation_context.", Set.of("trusted_ca"), Set.of(), "SDS", context);
        return new SecretResource(secret.getName(),
            SecretMaterials.roots(inline(validation.getTrustedCa(), "validation_context.trusted_ca")));
      }
    } catch (IllegalArgumentException e) {
      throw new ResourceInvalidException((secret.hasTlsCertificate() ? "tls_certificate." : "validation_context.")
          + e.getMessage());
    }
    throw new ResourceInvalidException("tls_certificate or validation_context: one is required");
  }

  private static String inline(DataSource source, String path) throws ResourceInvalidException {
    return switch (source.getSpecifierCase()) {
      case INLINE_BYTES -> source.getInlineBytes().toString(StandardCharsets.US_ASCII);
      case INLINE_STRING -> source.getInlineString();
      case SPECIFIER_NOT_SET -> throw new ResourceInvalidException(path + ": required");
      default -> throw new ResourceInvalidException(path + ": only inline_bytes or inline_string are supported");
    };
  }
}
