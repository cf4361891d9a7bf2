package io.mesh4j.runtime.filter.jwt;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig;
import io.mesh4j.runtime.filter.FilterConfig;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.concurrent.atomic.AtomicLong;

/** Configs written as the proto JSON a control plane sends, decoded through the provider as xDS would. */
final class JwtConfigs {
  /** 2023-11-14T22:13:20Z: before the Envoy test tokens' exp (2033), after their expired one's (2008). */
  static final long NOW_SECONDS = 1_700_000_000L;

  private JwtConfigs() {}

  static AtomicLong clock() {
    return new AtomicLong(NOW_SECONDS * 1000);
  }

  static JwtEnvironment environment(AtomicLong clockMillis, JwksFetcher fetcher) {
    return new JwtEnvironment(clockMillis::get, fetcher, JwksThreads.EXECUTOR, false);
  }

  static JwtAuthnConfig decode(String json, JwtEnvironment environment) throws ResourceInvalidException {
    return (JwtAuthnConfig) new JwtAuthnFilterProvider(environment)
        .parseBase(Any.pack(parse(json)), "http_filters[0].typed_config", DecodeContext.discarding());
  }

  static JwtAuthnConfig decode(String json) throws ResourceInvalidException {
    return decode(json, environment(clock(), (cluster, uri, timeout) -> {
      throw new java.io.IOException("no fetch in this test");
    }));
  }

  static FilterConfig decodeOverride(String json) throws ResourceInvalidException {
    PerRouteConfig.Builder builder = PerRouteConfig.newBuilder();
    try {
      JsonFormat.parser().merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e);
    }
    return new JwtAuthnFilterProvider().parseOverride(Any.pack(builder.build()), "typed_per_filter_config['jwt']",
        DecodeContext.discarding());
  }

  static JwtAuthentication parse(String json) {
    JwtAuthentication.Builder builder = JwtAuthentication.newBuilder();
    try {
      JsonFormat.parser().merge(json, builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e);
    }
    return builder.build();
  }

  /** Escapes a JWKS document for an {@code inline_string}. */
  static String inline(String jwks) {
    return jwks.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
