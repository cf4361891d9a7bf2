package io.mesh4j.runtime.security;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.runtime.security.CertificateSigningRequests.KeyType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code istio_ca} plugin's bootstrap config.
 *
 * <pre>{@code
 * "certificate_providers": {"default": {"plugin_name": "istio_ca", "config": {
 *   "ca_address": "istiod.istio-system.svc:15012",       // required, host:port of the CA's gRPC TLS endpoint
 *   "ca_root_file": "/var/run/secrets/istio/root-cert.pem", // required: roots for the CA's certificate and the mesh
 *   "token_file": "/var/run/secrets/tokens/istio-token",  // required: bearer token, re-read on every use
 *   "ca_authority": "istiod.istio-system.svc",            // optional: TLS authority/SNI, default ca_address's host
 *   "identity": "spiffe://cluster.local/ns/shop/sa/web",  // optional, default from the node metadata
 *   "trust_domain": "cluster.local",                      // optional, for the default identity
 *   "key_type": "EC_P256",                                // or "RSA_2048"
 *   "validity": "86400s",                                 // requested lifetime
 *   "rotation_fraction": 0.5,                             // renew when this part of the lifetime has passed
 *   "retry_initial_backoff": "1s", "retry_max_backoff": "60s", "request_timeout": "10s"}}}
 * }</pre>
 * The default identity is {@code spiffe://<trust_domain>/ns/<NAMESPACE>/sa/<SERVICE_ACCOUNT>} from the bootstrap
 * node's metadata, the keys Istio's agent writes.
 */
record IstioCaConfig(String host, int port, String authority, Path caRootFile, Path tokenFile, String identity,
    KeyType keyType, Duration validity, double rotationFraction, Duration retryInitialBackoff,
    Duration retryMaxBackoff, Duration requestTimeout) {

  static final String PLUGIN_NAME = "istio_ca";
  private static final List<String> KEYS = List.of("ca_address", "ca_root_file", "token_file", "ca_authority",
      "identity", "trust_domain", "key_type", "validity", "rotation_fraction", "retry_initial_backoff",
      "retry_max_backoff", "request_timeout");

  static IstioCaConfig parse(String instance, Map<String, Object> config, Struct nodeMetadata) {
    String where = "certificate_providers." + instance + ".config.";
    for (String key : config.keySet()) {
      if (!KEYS.contains(key)) {
        throw new MeshConfigurationException(where + key + ": unknown field of the istio_ca plugin " + KEYS);
      }
    }
    String address = string(config, "ca_address", where, true);
    int colon = address.lastIndexOf(':');
    int port;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port <= 0 || port > 65535 || colon == 0) {
      throw new MeshConfigurationException(where + "ca_address: '" + address + "' is not host:port");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String authority = string(config, "ca_authority", where, false);
    Path root = Path.of(string(config, "ca_root_file", where, true));
    Path token = Path.of(string(config, "token_file", where, true));
    String identity = string(config, "identity", where, false);
    if (identity == null) {
      identity = defaultIdentity(config, nodeMetadata, where);
    }
    if (!identity.startsWith("spiffe://") || identity.length() <= "spiffe://".length()) {
      throw new MeshConfigurationException(where + "identity: '" + identity + "' is not a spiffe:// URI");
    }
    String keyTypeName = string(config, "key_type", where, false);
    KeyType keyType;
    try {
      keyType = keyTypeName == null ? KeyType.EC_P256 : KeyType.valueOf(keyTypeName);
    } catch (IllegalArgumentException e) {
      throw new MeshConfigurationException(where + "key_type: '" + keyTypeName + "' is not one of "
          + List.of(KeyType.values()));
    }
    Duration validity = duration(config, "validity", where, Duration.ofHours(24));
    if (validity.toSeconds() < 1) {
      throw new MeshConfigurationException(where + "validity: must be at least 1s");
    }
    double fraction = 0.5;
    Object f = config.get("rotation_fraction");
    if (f != null) {
      if (!(f instanceof Number n) || !(n.doubleValue() > 0 && n.doubleValue() < 1)) {
        throw new MeshConfigurationException(where + "rotation_fraction: must be a number between 0 and 1, exclusive");
      }
      fraction = n.doubleValue();
    }
    Duration initial = duration(config, "retry_initial_backoff", where, Duration.ofSeconds(1));
    Duration max = duration(config, "retry_max_backoff", where, Duration.ofSeconds(60));
    if (max.compareTo(initial) < 0) {
      throw new MeshConfigurationException(where + "retry_max_backoff: must not be below retry_initial_backoff");
    }
    Duration timeout = duration(config, "request_timeout", where, Duration.ofSeconds(10));
    return new IstioCaConfig(host, port, authority, root, token, identity, keyType, validity, fraction, initial, max,
        timeout);
  }

  private static String defaultIdentity(Map<String, Object> config, Struct metadata, String where) {
    String trustDomain = string(config, "trust_domain", where, false);
    Map<String, Value> fields = metadata == null ? Map.of() : metadata.getFieldsMap();
    String namespace = fields.containsKey("NAMESPACE") ? fields.get("NAMESPACE").getStringValue() : "";
    String account = fields.containsKey("SERVICE_ACCOUNT") ? fields.get("SERVICE_ACCOUNT").getStringValue() : "";
    if (namespace.isEmpty() || account.isEmpty()) {
      throw new MeshConfigurationException(where + "identity: not set, and the bootstrap node metadata has no "
          + "NAMESPACE and SERVICE_ACCOUNT to make spiffe://<trust_domain>/ns/<NAMESPACE>/sa/<SERVICE_ACCOUNT> from");
    }
    return "spiffe://" + (trustDomain == null ? "cluster.local" : trustDomain) + "/ns/" + namespace + "/sa/" + account;
  }

  private static String string(Map<String, Object> config, String key, String where, boolean required) {
    Object value = config.get(key);
    if (value == null) {
      if (required) {
        throw new MeshConfigurationException(where + key + ": required by the istio_ca plugin");
      }
      return null;
    }
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new MeshConfigurationException(where + key + ": must be a non-empty string");
    }
    return s;
  }

  private static Duration duration(Map<String, Object> config, String key, String where, Duration fallback) {
    Object value = config.get(key);
    if (value == null) {
      return fallback;
    }
    Duration d = Durations.parse(value, where + key);
    if (d.isZero() || d.isNegative()) {
      throw new MeshConfigurationException(where + key + ": must be positive");
    }
    return d;
  }

  /** The TLS authority for the CA: {@code ca_authority}, else the address's host. */
  String effectiveAuthority() {
    return authority != null ? authority : host;
  }

  String address() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
