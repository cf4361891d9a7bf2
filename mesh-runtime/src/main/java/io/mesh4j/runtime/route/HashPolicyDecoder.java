package io.mesh4j.runtime.route;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * RouteAction {@code hash_policy}: {@code header} (without {@code regex_rewrite}), {@code cookie} ({@code name},
 * {@code ttl}, {@code path}, {@code attributes}), {@code query_parameter}, and {@code terminal}. Rejected:
 * {@code connection_properties.source_ip} hashes this instance's own address (what a sidecar sees as the downstream
 * address),
 * {@code filter_state}, {@code header.regex_rewrite}.
 */
final class HashPolicyDecoder {
  private HashPolicyDecoder() {}

  static HashPolicy decode(List<RouteAction.HashPolicy> protos, String path) throws ResourceInvalidException {
    if (protos.isEmpty()) {
      return HashPolicy.NONE;
    }
    List<HashPolicy.Method> methods = new ArrayList<>();
    for (int i = 0; i < protos.size(); i++) {
      methods.add(method(protos.get(i), path + "[" + i + "]"));
    }
    return new HashPolicy(methods);
  }

  private static HashPolicy.Method method(RouteAction.HashPolicy p, String path) throws ResourceInvalidException {
    boolean terminal = p.getTerminal();
    switch (p.getPolicySpecifierCase()) {
      case HEADER -> {
        RouteAction.HashPolicy.Header header = p.getHeader();
        if (header.hasRegexRewrite()) {
          throw new ResourceInvalidException(path + ".header.regex_rewrite: not supported yet");
        }
        if (header.getHeaderName().isEmpty()) {
          throw new ResourceInvalidException(path + ".header.header_name: must not be empty");
        }
        return new HashPolicy.Header(header.getHeaderName().toLowerCase(Locale.ROOT), terminal);
      }
      case COOKIE -> {
        RouteAction.HashPolicy.Cookie cookie = p.getCookie();
        if (cookie.getName().isEmpty()) {
          throw new ResourceInvalidException(path + ".cookie.name: must not be empty");
        }
        Duration ttl = null;
        if (cookie.hasTtl()) {
          ttl = Duration.ofSeconds(cookie.getTtl().getSeconds(), cookie.getTtl().getNanos());
          if (ttl.isNegative()) {
            throw new ResourceInvalidException(path + ".cookie.ttl: must not be negative");
          }
        }
        List<String[]> attributes = new ArrayList<>();
        for (int i = 0; i < cookie.getAttributesCount(); i++) {
          var attribute = cookie.getAttributes(i);
          if (attribute.getName().isEmpty()) {
            throw new ResourceInvalidException(path + ".cookie.attributes[" + i + "].name: must not be empty");
          }
          attributes.add(new String[] {attribute.getName(), attribute.getValue()});
        }
        return new HashPolicy.Cookie(cookie.getName(), ttl, cookie.getPath(), attributes, terminal);
      }
      case QUERY_PARAMETER -> {
        String name = p.getQueryParameter().getName();
        if (name.isEmpty()) {
          throw new ResourceInvalidException(path + ".query_parameter.name: must not be empty");
        }
        return new HashPolicy.QueryParameter(name, terminal);
      }
      case CONNECTION_PROPERTIES -> {
        return new HashPolicy.SourceIp(p.getConnectionProperties().getSourceIp(), terminal);
      }
      case FILTER_STATE -> throw new ResourceInvalidException(path + ".filter_state: not supported");
      default -> throw new ResourceInvalidException(path + ": one of header, cookie, query_parameter is required");
    }
  }
}
