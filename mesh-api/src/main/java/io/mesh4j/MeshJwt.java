package io.mesh4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The verified JWT of a request a server under the mesh received: what the listener's {@code jwt_authn} filter
 * checked (signature, issuer, audiences, time) before the application saw the request. When a request carried
 * several verified tokens, it is the one Istio's {@code request.auth.*} attributes describe (see docs/JWT.md).
 *
 * <p>Where to find it: {@code MeshGrpc.JWT.get()} in a gRPC service served under the mesh, the request attribute
 * {@link #REQUEST_ATTRIBUTE} in a servlet behind {@code MeshServletFilter} and in a handler of {@code MeshHttpServer}.
 * Absent when the request's route required no token and carried none.
 *
 * @param issuer {@code iss}, "" when absent
 * @param subject {@code sub}, or null
 * @param audiences {@code aud} (a single audience as a list of one)
 * @param claims the whole payload as dynamic metadata holds it: strings, booleans, numbers as {@code Double}, lists
 *     and maps, immutable
 */
public record MeshJwt(String issuer, String subject, List<String> audiences, Map<String, Object> claims) {
  /** The request attribute (servlet, JDK HTTP server) that holds the request's verified {@code MeshJwt}, if any. */
  public static final String REQUEST_ATTRIBUTE = "io.mesh4j.MeshJwt";

  public MeshJwt {
    Objects.requireNonNull(issuer, "issuer");
    audiences = List.copyOf(audiences);
    // Claims may be JSON null, which Map.copyOf refuses.
    claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
  }

  /** Istio's request principal ({@code request.auth.principal}, {@code requestPrincipals}): {@code iss/sub}. */
  public String principal() {
    return issuer + "/" + (subject == null ? "" : subject);
  }

  /** A claim by name, or null; {@code .} descends into nested objects ({@code "address.country"}). */
  public Object claim(String name) {
    Object direct = claims.get(name);
    if (direct != null || name.indexOf('.') < 0) {
      return direct;
    }
    Object current = claims;
    for (String part : name.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }
}
