package io.mesh4j.runtime.view;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request held in memory, for routing without a transport: tests and benchmarks. {@code :authority}, {@code :path}
 * and {@code :method} (GET) are answered as the adapters do; other headers, pseudo or not, are what was added, repeated
 * ones joined with ",". Not thread-safe while headers are being added.
 */
public final class InMemoryRequest implements RequestView {
  private final String authority;
  private final String path;
  private final Map<String, List<String>> headers = new LinkedHashMap<>();

  private InMemoryRequest(String authority, String path) {
    this.authority = authority;
    this.path = path;
  }

  public static InMemoryRequest get(String authority, String path) {
    return new InMemoryRequest(authority, path);
  }

  public InMemoryRequest header(String name, String value) {
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
        return HeaderValues.join(headers.get(lowerCaseName));
    }
  }

  @Override
  public String toString() {
    return authority + path + headers;
  }
}
