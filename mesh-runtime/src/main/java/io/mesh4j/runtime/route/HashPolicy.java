package io.mesh4j.runtime.route;

import io.mesh4j.runtime.matcher.QueryParameters;
import io.mesh4j.runtime.util.XxHash64;
import io.mesh4j.runtime.view.RequestView;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A route's {@code hash_policy}, compiled: the request hash that RING_HASH and MAGLEV clusters pick by. Follows
 * Envoy's {@code HashPolicyImpl}: policies are evaluated in order; each one that yields a hash is combined as
 * {@code hash = rotl(hash, 1) ^ new}; a {@code terminal} policy that has produced a hash (its own or an earlier one)
 * ends the evaluation. Values are hashed with xxHash64 as in Envoy, so the same user lands on the same ring point as
 * behind an Envoy.
 */
public final class HashPolicy {
  public static final HashPolicy NONE = new HashPolicy(List.of());

  private final List<Method> methods;

  HashPolicy(List<Method> methods) {
    this.methods = List.copyOf(methods);
  }

  public boolean isEmpty() {
    return methods.isEmpty();
  }

  /**
   * @param random draws the value of a generated cookie
   * @param sourceAddress this instance's address, what {@code connection_properties.source_ip} hashes, or null
   */
  public RequestHash evaluate(RequestView request, LongSupplier random, String sourceAddress) {
    boolean present = false;
    long hash = 0;
    String setCookie = null;
    for (Method method : methods) {
      String value = method instanceof SourceIp source ? (source.enabled() ? sourceAddress : null) : method.value(request);
      if (value == null && method instanceof Cookie cookie && cookie.ttl != null) {
        // Envoy generates the cookie and asks the router to set it on the response.
        value = String.format(Locale.ROOT, "%016x", random.getAsLong());
        setCookie = cookie.setCookie(value);
      }
      if (value != null) {
        long next = XxHash64.hash(value);
        hash = present ? Long.rotateLeft(hash, 1) ^ next : next;
        present = true;
      }
      if (method.terminal() && present) {
        break;
      }
    }
    return present || setCookie != null ? new RequestHash(present, hash, setCookie) : RequestHash.NONE;
  }

  @Override
  public String toString() {
    return "HashPolicy" + methods;
  }

  /** One entry of {@code hash_policy}. */
  sealed interface Method {
    boolean terminal();

    /** The value to hash, or {@code null} when the request does not have it. */
    String value(RequestView request);
  }

  /**
   * {@code header}: the header's value. Several lines of the same header are hashed as the transport joins them
   * ({@code a,b}); Envoy hashes the sorted values one after the other, so only multi-line headers hash differently.
   */
  record Header(String lowerCaseName, boolean terminal) implements Method {
    @Override
    public String value(RequestView request) {
      return request.header(lowerCaseName);
    }
  }

  /**
   * {@code connection_properties.source_ip}: behind a sidecar the downstream connection comes from the application's
   * own address, so every request of one instance hashes alike; in process that address is the instance's, which
   * the engine supplies. {@code source_ip: false} contributes nothing, as in Envoy.
   */
  record SourceIp(boolean enabled, boolean terminal) implements Method {
    @Override
    public String value(RequestView request) {
      throw new UnsupportedOperationException("the engine supplies the instance's address");
    }
  }

  /** {@code query_parameter}: the first value of the parameter, not decoded (Envoy's {@code parseQueryString}). */
  record QueryParameter(String name, boolean terminal) implements Method {
    @Override
    public String value(RequestView request) {
      return QueryParameters.parse(request.path()).first(name);
    }
  }

  /**
   * {@code cookie}: the cookie's value (surrounding quotes removed, as Envoy's {@code parseCookieValue}). When absent
   * and {@code ttl} is set, a random value is generated and set on the response (Envoy derives it from the downstream
   * address; a client has none).
   *
   * @param ttl {@code Max-Age}, zero for a session cookie; {@code null} when unset (no cookie is generated)
   */
  record Cookie(String name, Duration ttl, String path, List<String[]> attributes, boolean terminal)
      implements Method {
    @Override
    public String value(RequestView request) {
      String header = request.header("cookie");
      if (header == null) {
        return null;
      }
      int i = 0;
      while (i < header.length()) {
        int end = i;
        while (end < header.length() && header.charAt(end) != ';' && header.charAt(end) != ',') {
          end++;
        }
        String pair = header.substring(i, end).trim();
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
          String v = pair.substring(eq + 1).trim();
          if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            v = v.substring(1, v.length() - 1);
          }
          return v.isEmpty() ? null : v;
        }
        i = end + 1;
      }
      return null;
    }

    /** Envoy's {@code makeSetCookieValue}: {@code name="value"; Max-Age=s; Path=p; attributes; HttpOnly}. */
    String setCookie(String value) {
      StringBuilder b = new StringBuilder(name).append("=\"").append(value).append('"');
      if (!ttl.isZero()) {
        b.append("; Max-Age=").append(ttl.getSeconds());
      }
      if (!path.isEmpty()) {
        b.append("; Path=").append(path);
      }
      for (String[] attribute : attributes) {
        b.append("; ").append(attribute[0]);
        if (!attribute[1].isEmpty()) {
          b.append('=').append(attribute[1]);
        }
      }
      return b.append("; HttpOnly").toString();
    }
  }
}
