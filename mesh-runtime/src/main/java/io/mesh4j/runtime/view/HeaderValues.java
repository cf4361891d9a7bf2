package io.mesh4j.runtime.view;

import java.util.Iterator;

/**
 * How a header sent several times reaches matchers: its values joined with {@code ","} in the order sent (vector 13),
 * as Envoy presents them. One value, the usual case, is returned as is.
 */
public final class HeaderValues {
  private HeaderValues() {}

  /** The values joined, or {@code null} when there are none. */
  public static String join(Iterable<String> values) {
    if (values == null) {
      return null;
    }
    Iterator<String> it = values.iterator();
    if (!it.hasNext()) {
      return null;
    }
    String first = it.next();
    if (!it.hasNext()) {
      return first;
    }
    StringBuilder joined = new StringBuilder(first);
    while (it.hasNext()) {
      joined.append(',').append(it.next());
    }
    return joined.toString();
  }
}
