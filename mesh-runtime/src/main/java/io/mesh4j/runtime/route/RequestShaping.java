package io.mesh4j.runtime.route;

/**
 * What a route changes in the request it forwards and in the response: path and host rewrites, header mutations of
 * every level (see {@link HeaderMutations} for the order). Response mutations also apply to redirects and direct
 * responses, as in Envoy.
 *
 * @param pathRewrite null to keep the path
 * @param hostRewrite null to keep the Host
 * @param appendXForwardedHost whether to append the original Host to {@code x-forwarded-host} when it is rewritten
 */
public record RequestShaping(
    PathRewrite pathRewrite,
    HostRewrite hostRewrite,
    boolean appendXForwardedHost,
    HeaderMutations requestHeaders,
    HeaderMutations responseHeaders) {
  public static final RequestShaping NONE =
      new RequestShaping(null, null, false, HeaderMutations.NONE, HeaderMutations.NONE);

  public RequestShaping {
    java.util.Objects.requireNonNull(requestHeaders, "requestHeaders");
    java.util.Objects.requireNonNull(responseHeaders, "responseHeaders");
  }
}
