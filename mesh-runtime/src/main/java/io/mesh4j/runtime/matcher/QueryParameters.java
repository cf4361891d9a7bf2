package io.mesh4j.runtime.matcher;

/**
 * The query string of one request, split as Envoy's route matching does it: after the first {@code ?}, on {@code &},
 * each parameter on its first {@code =} (no {@code =}: value ""), with no percent-decoding (Envoy's route matching uses
 * {@code parseQueryString}, not the decoding variant). A fragment ({@code #...}) ends the query. A name given twice
 * keeps its first value. Parsed at most once per request, and only when a route with query matchers is tried.
 */
public final class QueryParameters {

  private static final String[] NONE = new String[0];

  private final String[] names;
  private final String[] values;
  private final int size;

  private QueryParameters(String[] names, String[] values, int size) {
    this.names = names;
    this.values = values;
    this.size = size;
  }

  public static QueryParameters parse(String path) {
    int start = path.indexOf('?');
    if (start < 0) {
      return new QueryParameters(NONE, NONE, 0);
    }
    int end = path.indexOf('#', start);
    if (end < 0) {
      end = path.length();
    }
    start++;
    int count = 1;
    for (int i = start; i < end; i++) {
      if (path.charAt(i) == '&') {
        count++;
      }
    }
    String[] names = new String[count];
    String[] values = new String[count];
    int size = 0;
    while (start < end) {
      int amp = path.indexOf('&', start);
      if (amp < 0 || amp > end) {
        amp = end;
      }
      int eq = path.indexOf('=', start);
      if (eq >= 0 && eq < amp) {
        names[size] = path.substring(start, eq);
        values[size] = path.substring(eq + 1, amp);
      } else {
        names[size] = path.substring(start, amp);
        values[size] = "";
      }
      size++;
      start = amp + 1;
    }
    return new QueryParameters(names, values, size);
  }

  /** The first value of {@code name}, or null. */
  public String first(String name) {
    for (int i = 0; i < size; i++) {
      if (names[i].equals(name)) {
        return values[i];
      }
    }
    return null;
  }
}
