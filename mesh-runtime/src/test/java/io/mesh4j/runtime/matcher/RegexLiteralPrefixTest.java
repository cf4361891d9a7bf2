package io.mesh4j.runtime.matcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegexLiteralPrefixTest {

  @Test
  void literalTextUpToTheFirstMetacharacter() {
    assertThat(RegexLiteralPrefix.of("/admin/[a-z]+/[0-9]+")).isEqualTo("/admin/");
    assertThat(RegexLiteralPrefix.of("/exact/path")).isEqualTo("/exact/path");
    assertThat(RegexLiteralPrefix.of("/v1\\.2/x")).isEqualTo("/v1");
    assertThat(RegexLiteralPrefix.of("/items.*")).isEqualTo("/items");
  }

  @Test
  void aQuantifiedLastCharacterIsNotCertain() {
    assertThat(RegexLiteralPrefix.of("/ab*c")).isEqualTo("/a");
    assertThat(RegexLiteralPrefix.of("/ab?")).isEqualTo("/a");
    assertThat(RegexLiteralPrefix.of("/ab{0,2}")).isEqualTo("/a");
    assertThat(RegexLiteralPrefix.of("/ab+")).isEqualTo("/a");
    assertThat(RegexLiteralPrefix.of("a*")).isEmpty();
  }

  @Test
  void noPrefixForAlternationsGroupsFlagsEscapesAndNonAscii() {
    assertThat(RegexLiteralPrefix.of("/a/b|/c")).isEmpty();
    assertThat(RegexLiteralPrefix.of("(/a|/b)/c")).isEmpty();
    assertThat(RegexLiteralPrefix.of("(?i)/admin/.*")).isEmpty();
    assertThat(RegexLiteralPrefix.of("\\d+")).isEmpty();
    assertThat(RegexLiteralPrefix.of("^/a")).isEmpty();
    assertThat(RegexLiteralPrefix.of("[/]a")).isEmpty();
    assertThat(RegexLiteralPrefix.of("/é?x")).isEqualTo("/");
  }

  /** The prefix is a shortcut only: every string the regex matches must start with it. */
  @Test
  void everyMatchingStringStartsWithThePrefix() {
    List<String> patterns = List.of("/admin/[a-z]+/[0-9]+", "/ab*c", "/ab?", "/ab{0,2}", "/ab+", "/a/b|/c",
        "(?i)/ADMIN/.*", "/items.*", "/v1\\.2/x", "/é?x", "/x/é+");
    List<String> inputs = List.of("/admin/users/42", "/ac", "/abbc", "/a", "/ab", "/abb", "/abbb", "/a/b", "/c",
        "/admin/x", "/items", "/items/1", "/v1.2/x", "/x", "/éx", "/x/éé", "/x/");
    for (String pattern : patterns) {
      Pattern regex = Pattern.compile(pattern);
      String prefix = RegexLiteralPrefix.of(pattern);
      for (String input : inputs) {
        if (regex.matches(input)) {
          assertThat(input).as("%s matched by %s", input, pattern).startsWith(prefix);
        }
      }
    }
  }
}
