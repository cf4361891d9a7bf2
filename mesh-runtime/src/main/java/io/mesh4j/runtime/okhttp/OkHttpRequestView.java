package io.mesh4j.runtime.okhttp;

import io.mesh4j.runtime.view.RequestView;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Request;

/** An OkHttp request as routing sees it; computes nothing until a matcher asks. */
final class OkHttpRequestView implements RequestView {
  private final Request request;
  /** The URL's {@code host:port}, when the caller has it formatted already; else null. */
  private final String hostPort;
  private String authority;
  /** Whether the caller set a Host header; known once {@link #authority()} looked. */
  private boolean hostHeader;
  private String path;
  private String encodedPath;

  OkHttpRequestView(Request request) {
    this(request, null);
  }

  /** @param hostPort the URL's {@code host:port} as the mesh formatted it to find the listener, or null */
  OkHttpRequestView(Request request, String hostPort) {
    this.request = request;
    this.hostPort = hostPort;
  }

  /** The Host header OkHttp will send: the one the caller set, else {@code host} or {@code host:port}. */
  @Override
  public String authority() {
    String a = authority;
    if (a == null) {
      a = request.header("Host");
      hostHeader = a != null;
      if (a == null) {
        HttpUrl url = request.url();
        if (url.port() == HttpUrl.defaultPort(url.scheme())) {
          a = url.host();
        } else {
          a = hostPort != null ? hostPort : url.host() + ":" + url.port();
        }
      }
      authority = a;
    }
    return a;
  }

  /** Whether the caller set the Host header itself. */
  boolean hasHostHeader() {
    authority();
    return hostHeader;
  }

  @Override
  public String path() {
    String p = path;
    if (p == null) {
      String query = request.url().encodedQuery();
      p = query == null ? encodedPath() : encodedPath() + "?" + query;
      path = p;
    }
    return p;
  }

  /** The URL's encoded path, without the query (OkHttp makes a new string each time it is asked). */
  String encodedPath() {
    String p = encodedPath;
    if (p == null) {
      p = request.url().encodedPath();
      encodedPath = p;
    }
    return p;
  }

  @Override
  public String header(String lowerCaseName) {
    if (!lowerCaseName.isEmpty() && lowerCaseName.charAt(0) == ':') {
      return pseudoHeader(lowerCaseName);
    }
    return joined(request.headers(), lowerCaseName);
  }

  /** All values of a header joined with {@code ","}, or {@code null}; shared with the response view. */
  static String joined(Headers headers, String lowerCaseName) {
    String first = null;
    StringBuilder joined = null;
    for (int i = 0, n = headers.size(); i < n; i++) {
      if (!headers.name(i).equalsIgnoreCase(lowerCaseName)) {
        continue;
      }
      String value = headers.value(i);
      if (first == null) {
        first = value;
      } else {
        if (joined == null) {
          joined = new StringBuilder(first);
        }
        joined.append(',').append(value);
      }
    }
    return joined != null ? joined.toString() : first;
  }

  private String pseudoHeader(String name) {
    switch (name) {
      case ":authority":
        return authority();
      case ":path":
        return path();
      case ":method":
        return request.method();
      case ":scheme":
        return request.url().scheme();
      default:
        return null;
    }
  }
}
