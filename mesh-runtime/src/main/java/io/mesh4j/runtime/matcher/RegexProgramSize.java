package io.mesh4j.runtime.matcher;

/**
 * An upper estimate of how many instructions RE2J compiles a regex into, read from the regex text before RE2J sees it.
 * RE2J has no program size limit of its own (RE2 has {@code max_mem}, Envoy {@code re2.max_program_size}): each
 * counted repetition is capped at 1000, but nested ones multiply, so {@code ((a{1000}){1000}){1000}}, 25 characters,
 * exhausts any heap while it compiles. The estimate counts one per literal, class or operator and multiplies a
 * repeated atom by its largest count, so it only ever errs high; it stops counting once past {@code limit}.
 */
final class RegexProgramSize {
  private final String regex;
  private final long limit;
  private int pos;

  private RegexProgramSize(String regex, long limit) {
    this.regex = regex;
    this.limit = limit;
  }

  /** The estimate, or a value above {@code limit} once it is known to exceed it. */
  static long estimate(String regex, long limit) {
    RegexProgramSize scan = new RegexProgramSize(regex, limit);
    return scan.alternation();
  }

  /** Branches separated by {@code |} up to the closing parenthesis of the enclosing group (consumed by the caller). */
  private long alternation() {
    long total = 0;
    long sequence = 0;
    long last = 0;
    while (pos < regex.length() && total + sequence + last <= limit) {
      char c = regex.charAt(pos);
      if (c == ')') {
        break;
      }
      pos++;
      switch (c) {
        case '|' -> {
          total = cap(total + sequence + last + 1);
          sequence = 0;
          last = 0;
        }
        case '(' -> {
          sequence = cap(sequence + last);
          last = cap(alternation() + 1);
          if (pos < regex.length()) {
            pos++; // ')'
          }
        }
        case '*', '+', '?' -> last = cap(last + 1);
        case '{' -> {
          long count = repeatCount();
          if (count < 0) {
            sequence = cap(sequence + last);
            last = 1; // a literal '{'
          } else {
            last = cap(last * Math.max(count, 1) + 1);
          }
        }
        case '[' -> {
          skipClass();
          sequence = cap(sequence + last);
          last = 1;
        }
        case '\\' -> {
          sequence = cap(sequence + last);
          last = escape();
        }
        default -> {
          sequence = cap(sequence + last);
          last = 1;
        }
      }
    }
    return cap(total + sequence + last);
  }

  /** After '{': the largest count of {@code {n}}, {@code {n,}} (n + 1) or {@code {n,m}}, or -1 if not a repeat. */
  private long repeatCount() {
    int start = pos;
    long min = digits();
    if (min < 0) {
      pos = start;
      return -1;
    }
    long count = min;
    if (pos < regex.length() && regex.charAt(pos) == ',') {
      pos++;
      long max = digits();
      count = max < 0 ? min + 1 : Math.max(min, max);
    }
    if (pos >= regex.length() || regex.charAt(pos) != '}') {
      pos = start;
      return -1;
    }
    pos++;
    return count;
  }

  private long digits() {
    int start = pos;
    long value = 0;
    while (pos < regex.length() && Character.isDigit(regex.charAt(pos)) && pos - start < 9) {
      value = value * 10 + (regex.charAt(pos) - '0');
      pos++;
    }
    return pos == start ? -1 : value;
  }

  /** After '[': up to the closing ']' (a leading ']' or '^]' is literal, as are escaped characters). */
  private void skipClass() {
    if (pos < regex.length() && regex.charAt(pos) == '^') {
      pos++;
    }
    if (pos < regex.length() && regex.charAt(pos) == ']') {
      pos++;
    }
    while (pos < regex.length()) {
      char c = regex.charAt(pos++);
      if (c == '\\') {
        pos++;
      } else if (c == '[' && pos < regex.length() && regex.charAt(pos) == ':') {
        int end = regex.indexOf(":]", pos + 1);
        pos = end < 0 ? pos : end + 2;
      } else if (c == ']') {
        return;
      }
    }
  }

  /** After '\\': {@code \Q...\E} counts its characters, {@code \p{..}} and {@code \x{..}} count one. */
  private long escape() {
    if (pos >= regex.length()) {
      return 1;
    }
    char c = regex.charAt(pos++);
    if (c == 'Q') {
      int end = regex.indexOf("\\E", pos);
      int stop = end < 0 ? regex.length() : end;
      long size = Math.max(stop - pos, 1);
      pos = end < 0 ? stop : end + 2;
      return size;
    }
    if ((c == 'p' || c == 'P' || c == 'x') && pos < regex.length() && regex.charAt(pos) == '{') {
      int end = regex.indexOf('}', pos);
      pos = end < 0 ? regex.length() : end + 1;
    }
    return 1;
  }

  private long cap(long value) {
    return Math.min(value, limit + 1);
  }
}
