package io.mesh4j.runtime.route;

/**
 * The outcome of a route's {@code hash_policy} for one request.
 *
 * @param present whether any policy produced a hash (hash-based balancers pick at random otherwise, as Envoy)
 * @param value the combined 64-bit hash when present
 * @param setCookie a {@code Set-Cookie} value to add to the response when a cookie policy with a {@code ttl} generated
 *     the cookie, or {@code null}
 */
public record RequestHash(boolean present, long value, String setCookie) {
  public static final RequestHash NONE = new RequestHash(false, 0, null);
}
