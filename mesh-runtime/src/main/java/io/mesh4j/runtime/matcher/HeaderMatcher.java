package io.mesh4j.runtime.matcher;

import io.mesh4j.runtime.view.RequestView;

/**
 * A compiled {@code envoy.config.route.v3.HeaderMatcher}, with Envoy's semantics:
 *
 * <ul>
 *   <li>repeated headers are seen as one value joined by {@code ,} (the {@link RequestView} does that);
 *   <li>a missing header fails every kind of matcher, inverted or not, except {@code present_match}, which compares
 *       presence (true: must be present, false: must be absent) and is then inverted by {@code invert_match};
 *   <li>{@code treat_missing_header_as_empty} makes a missing header look like the value {@code ""} (so it is also
 *       "present");
 *   <li>no match specifier, or the deprecated {@code exact_match: ""}, means "present with any value";
 *   <li>{@code range_match} is [start, end) over a value that parses as a signed 64-bit integer (surrounding ASCII
 *       spaces allowed, as absl::SimpleAtoi does); anything else does not match.
 * </ul>
 */
public final class HeaderMatcher {

  enum Kind {
    ANY_VALUE,
    PRESENCE,
    STRING,
    RANGE
  }

  private final String name;
  private final Kind kind;
  private final StringMatcher value;
  private final boolean expectPresent;
  private final long rangeStart;
  private final long rangeEnd;
  private final boolean invert;
  private final boolean missingAsEmpty;

  private HeaderMatcher(
      String name,
      Kind kind,
      StringMatcher value,
      boolean expectPresent,
      long rangeStart,
      long rangeEnd,
      boolean invert,
      boolean missingAsEmpty) {
    this.name = name;
    this.kind = kind;
    this.value = value;
    this.expectPresent = expectPresent;
    this.rangeStart = rangeStart;
    this.rangeEnd = rangeEnd;
    this.invert = invert;
    this.missingAsEmpty = missingAsEmpty;
  }

  static HeaderMatcher anyValue(String name, boolean invert, boolean missingAsEmpty) {
    return new HeaderMatcher(name, Kind.ANY_VALUE, null, false, 0, 0, invert, missingAsEmpty);
  }

  static HeaderMatcher presence(String name, boolean expectPresent, boolean invert, boolean missingAsEmpty) {
    return new HeaderMatcher(name, Kind.PRESENCE, null, expectPresent, 0, 0, invert, missingAsEmpty);
  }

  static HeaderMatcher string(String name, StringMatcher value, boolean invert, boolean missingAsEmpty) {
    return new HeaderMatcher(name, Kind.STRING, value, false, 0, 0, invert, missingAsEmpty);
  }

  static HeaderMatcher range(String name, long start, long end, boolean invert, boolean missingAsEmpty) {
    return new HeaderMatcher(name, Kind.RANGE, null, false, start, end, invert, missingAsEmpty);
  }

  public boolean matches(RequestView request) {
    String header = request.header(name);
    if (header == null) {
      if (missingAsEmpty) {
        header = "";
      } else if (kind == Kind.PRESENCE) {
        return !expectPresent != invert;
      } else {
        return false;
      }
    }
    boolean match;
    switch (kind) {
      case ANY_VALUE:
        match = true;
        break;
      case PRESENCE:
        match = expectPresent;
        break;
      case STRING:
        match = value.matches(header);
        break;
      case RANGE:
        match = inRange(header, rangeStart, rangeEnd);
        break;
      default:
        throw new AssertionError(kind);
    }
    return match != invert;
  }

  /** Parses {@code s} as a decimal long without allocating; false if it is not one or is outside [start, end). */
  public static boolean inRange(String s, long start, long end) {
    int i = 0;
    int n = s.length();
    while (i < n && s.charAt(i) == ' ') {
      i++;
    }
    while (n > i && s.charAt(n - 1) == ' ') {
      n--;
    }
    if (i == n) {
      return false;
    }
    boolean negative = false;
    char first = s.charAt(i);
    if (first == '-' || first == '+') {
      negative = first == '-';
      if (++i == n) {
        return false;
      }
    }
    // Accumulate negatively so that Long.MIN_VALUE parses.
    long result = 0;
    for (; i < n; i++) {
      int digit = s.charAt(i) - '0';
      if (digit < 0 || digit > 9 || result < (Long.MIN_VALUE + digit) / 10) {
        return false;
      }
      result = result * 10 - digit;
    }
    if (!negative) {
      if (result == Long.MIN_VALUE) {
        return false;
      }
      result = -result;
    }
    return result >= start && result < end;
  }

  @Override
  public String toString() {
    return name + ":" + kind + (invert ? "(inverted)" : "");
  }
}
