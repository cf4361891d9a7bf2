package io.mesh4j.runtime.xds;

/** Builds proto field paths for error messages, e.g. {@code virtual_hosts[1].routes[0].match.safe_regex}. */
public final class FieldPath {
  private FieldPath() {}

  public static String of(String parent, String field) {
    return parent.isEmpty() ? field : parent + "." + field;
  }

  public static String of(String parent, String field, int index) {
    return of(parent, field) + "[" + index + "]";
  }

  /** The error for the field at {@code path}: its path, then what is wrong with it. */
  public static ResourceInvalidException invalid(String path, String problem) {
    return new ResourceInvalidException(path.isEmpty() ? problem : path + ": " + problem);
  }
}
