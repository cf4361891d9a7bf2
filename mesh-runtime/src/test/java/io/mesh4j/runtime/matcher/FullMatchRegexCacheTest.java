package io.mesh4j.runtime.matcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import org.junit.jupiter.api.Test;

/** A regex repeated across a config (the same route regex in every virtual host) is determinized once. */
class FullMatchRegexCacheTest {

  @Test
  void theSamePatternSharesOneDfa() {
    FullMatchRegex first = FullMatchRegex.of(Pattern.compile("/api/v[0-9]+/users/[^/]+"));
    FullMatchRegex again = FullMatchRegex.of(Pattern.compile("/api/v[0-9]+/users/[^/]+"));

    assertThat(first.hasDfa()).isTrue();
    assertThat(again.dfa()).isSameAs(first.dfa());
    assertThat(again.matches("/api/v2/users/ada")).isTrue();
    assertThat(again.matches("/api/v2/users/ada/x")).isFalse();
  }

  @Test
  void aPatternWithoutDfaIsRememberedAsSuchAndStillMatchesOnRe2j() {
    String exploding = "(a|b)*a(a|b){20}";
    FullMatchRegex first = FullMatchRegex.of(Pattern.compile(exploding));
    FullMatchRegex again = FullMatchRegex.of(Pattern.compile(exploding));

    assertThat(first.hasDfa()).isFalse();
    assertThat(again.hasDfa()).isFalse();
    assertThat(again.matches("a" + "b".repeat(20))).isTrue();
    assertThat(again.matches("b".repeat(21))).isFalse();
  }
}
