package io.mesh4j.runtime.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request for routing tests: repeated headers are joined with "," as the adapters do. */
public final class TestRequest implements RequestView {
  private final String authority;
  private final String path;
  private final Map<String, List<String>> headers = new LinkedHashMap<>();

  private TestRequest(String authority, String path) {
    this.authority = authority;
    this.path = path;
  }

  public static TestRequest get(String authority, String path) {
    return new TestRequest(authority, path);
  }

  public TestRequest header(String name, String value) {
    headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    return this;
  }

  @Override
  public String authority() {
    return authority;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    switch (lowerCaseName) {
      case ":authority":
        return authority;
      case ":path":
        return path;
      case ":method":
        return "GET";
      default:
        List<String> values = headers.get(lowerCaseName);
        return values == null ? null : String.join(",", values);
    }
  }

  @Override
  public String toString() {
    return authority + path + headers;
  }
}
