package io.mesh4j.runtime.matcher;

/**
 * The literal text every string matching a whole-string RE2 regex must start with, read conservatively from the
 * pattern: plain ASCII characters up to the first metacharacter, minus the last one when a quantifier follows it. A
 * pattern with an alternation anywhere, or that starts with a group, a class, an escape or a flag, has none ({@code ""}).
 * Only a shortcut: the regex still decides every string that has the prefix.
 */
final class RegexLiteralPrefix {
  private static final String METACHARACTERS = "\\.+*?()|[]{}^$";

  private RegexLiteralPrefix() {}

  static String of(String pattern) {
    if (pattern.indexOf('|') >= 0) {
      return "";
    }
    int end = 0;
    while (end < pattern.length()) {
      char c = pattern.charAt(end);
      if (c >= 0x80 || METACHARACTERS.indexOf(c) >= 0) {
        break;
      }
      end++;
    }
    if (end < pattern.length() && end > 0 && isQuantifier(pattern.charAt(end))) {
      end--; // "ab*" or "ab{0,2}": only "a" is certain
    }
    return pattern.substring(0, end);
  }

  private static boolean isQuantifier(char c) {
    return c == '*' || c == '?' || c == '+' || c == '{';
  }
}
