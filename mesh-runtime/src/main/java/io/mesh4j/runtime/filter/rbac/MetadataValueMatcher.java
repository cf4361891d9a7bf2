package io.mesh4j.runtime.filter.rbac;

import io.mesh4j.runtime.matcher.StringMatcher;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A compiled {@code envoy.type.matcher.v3.ValueMatcher} over a dynamic metadata value held as a plain Java value
 * ({@code String}, {@code Double} or another {@code Number}, {@code Boolean}, {@code List}, {@code Map}, or null for
 * {@code null_value}), or {@link #ABSENT} when the path leads nowhere. As Envoy's value matchers: each kind matches
 * only a value of its kind; {@code present_match: true} matches any value that is there (null included) and {@code
 * present_match: false} matches nothing; {@code list_match} matches a list with at least one matching element.
 */
final class MetadataValueMatcher {
  /** What a path that leads nowhere reads as (Envoy's {@code Value} with no kind set). */
  static final Object ABSENT = new Object() {
    @Override
    public String toString() {
      return "absent";
    }
  };

  private enum Kind {
    NULL,
    DOUBLE_RANGE,
    DOUBLE_EXACT,
    STRING,
    BOOL,
    PRESENT,
    LIST_ONE_OF,
    OR
  }

  private final Kind kind;
  private final double start;
  private final double end;
  private final boolean flag;
  private final StringMatcher string;
  private final MetadataValueMatcher[] nested;

  private MetadataValueMatcher(
      Kind kind, double start, double end, boolean flag, StringMatcher string, MetadataValueMatcher[] nested) {
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.flag = flag;
    this.string = string;
    this.nested = nested;
  }

  static MetadataValueMatcher nullValue() {
    return new MetadataValueMatcher(Kind.NULL, 0, 0, false, null, null);
  }

  /** A number in [start, end). */
  static MetadataValueMatcher doubleRange(double start, double end) {
    return new MetadataValueMatcher(Kind.DOUBLE_RANGE, start, end, false, null, null);
  }

  static MetadataValueMatcher doubleExact(double value) {
    return new MetadataValueMatcher(Kind.DOUBLE_EXACT, value, value, false, null, null);
  }

  static MetadataValueMatcher string(StringMatcher matcher) {
    return new MetadataValueMatcher(Kind.STRING, 0, 0, false, matcher, null);
  }

  static MetadataValueMatcher bool(boolean value) {
    return new MetadataValueMatcher(Kind.BOOL, 0, 0, value, null, null);
  }

  static MetadataValueMatcher present(boolean present) {
    return new MetadataValueMatcher(Kind.PRESENT, 0, 0, present, null, null);
  }

  /** A list with at least one element the element matcher matches. */
  static MetadataValueMatcher listOneOf(MetadataValueMatcher element) {
    return new MetadataValueMatcher(Kind.LIST_ONE_OF, 0, 0, false, null, new MetadataValueMatcher[] {element});
  }

  static MetadataValueMatcher or(List<MetadataValueMatcher> matchers) {
    return new MetadataValueMatcher(Kind.OR, 0, 0, false, null, matchers.toArray(new MetadataValueMatcher[0]));
  }

  boolean matches(Object value) {
    switch (kind) {
      case NULL:
        return value == null;
      case DOUBLE_RANGE:
        if (value instanceof Number) {
          double d = ((Number) value).doubleValue();
          return start <= d && d < end;
        }
        return false;
      case DOUBLE_EXACT:
        return value instanceof Number && ((Number) value).doubleValue() == start;
      case STRING:
        return value instanceof String && string.matches((String) value);
      case BOOL:
        return value instanceof Boolean && (Boolean) value == flag;
      case PRESENT:
        return flag && value != ABSENT;
      case LIST_ONE_OF:
        if (value instanceof List) {
          List<?> list = (List<?>) value;
          for (int i = 0; i < list.size(); i++) {
            if (nested[0].matches(list.get(i))) {
              return true;
            }
          }
        }
        return false;
      case OR:
        for (MetadataValueMatcher matcher : nested) {
          if (matcher.matches(value)) {
            return true;
          }
        }
        return false;
      default:
        throw new AssertionError(kind);
    }
  }

  @Override
  public String toString() {
    switch (kind) {
      case STRING:
        return "string(" + string + ")";
      case DOUBLE_RANGE:
        return "double[" + start + ", " + end + ")";
      case DOUBLE_EXACT:
        return "double(" + start + ")";
      case BOOL:
      case PRESENT:
        return kind.name().toLowerCase(Locale.ROOT) + "(" + flag + ")";
      case LIST_ONE_OF:
      case OR:
        return kind.name().toLowerCase(Locale.ROOT) + Arrays.toString(nested);
      default:
        return kind.name().toLowerCase(Locale.ROOT);
    }
  }
}
