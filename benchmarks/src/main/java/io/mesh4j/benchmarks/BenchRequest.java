package io.mesh4j.benchmarks;

import io.mesh4j.runtime.route.RequestView;

/** A request with a few headers, as an adapter would present it, without OkHttp in the measurement. */
final class BenchRequest implements RequestView {
  private final String authority;
  private final String path;
  private final String[] headerNamesAndValues;

  BenchRequest(String authority, String path, String... headerNamesAndValues) {
    this.authority = authority;
    this.path = path;
    this.headerNamesAndValues = headerNamesAndValues;
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
    for (int i = 0; i < headerNamesAndValues.length; i += 2) {
      if (headerNamesAndValues[i].equals(lowerCaseName)) {
        return headerNamesAndValues[i + 1];
      }
    }
    return null;
  }
}
