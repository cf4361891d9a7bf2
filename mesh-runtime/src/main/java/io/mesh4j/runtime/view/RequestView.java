package io.mesh4j.runtime.view;

/**
 * What routing reads of a request, whatever the transport (OkHttp, gRPC). Adapters implement it over their own
 * request objects so that nothing is copied on the request path.
 */
public interface RequestView {

  /** The authority as the caller wrote it ({@code host} or {@code host:port}), or {@code null} if there is none. */
  String authority();

  /** The path with its query string as sent, e.g. {@code /items?page=2}; for gRPC {@code /pkg.Service/Method}. */
  String path();

  /**
   * All values of a header joined with {@code ","} in the order sent, or {@code null} when absent. The name is
   * lower case. Pseudo-headers {@code :authority}, {@code :path}, {@code :method} and {@code :scheme} are answered too,
   * as Envoy lets header matchers see them.
   */
  String header(String lowerCaseName);
}
