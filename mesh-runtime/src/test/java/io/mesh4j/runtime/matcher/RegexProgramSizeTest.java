package io.mesh4j.runtime.matcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesh4j.runtime.xds.ResourceInvalidException;
import org.junit.jupiter.api.Test;

/** A regex whose compiled program would be huge is refused before RE2J builds it (RE2J would exhaust the heap). */
class RegexProgramSizeTest {

  @Test
  void nestedRepetitionsAreRefusedNamingTheField() {
    assertThatThrownBy(() -> MatcherDecoder.compileRegex("((a{1000}){1000}){1000}", "routes[0].match.safe_regex.regex"))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessageStartingWith("routes[0].match.safe_regex.regex: regex too large");
    assertThatThrownBy(() -> MatcherDecoder.compileRegex("(((a{100}){100}){100}){100}", "r"))
        .isInstanceOf(ResourceInvalidException.class);
    assertThatThrownBy(() -> MatcherDecoder.compileRegex("x".repeat(20_000), "r"))
        .isInstanceOf(ResourceInvalidException.class);
  }

  @Test
  void regexesControlPlanesSendAreAccepted() throws ResourceInvalidException {
    String[] sent = {
        "/items/[0-9]+", "^/split/(.*)$", "spiffe://.*/ns/default/.*", "(?i)^Bearer\\s+\\S+$", "a{1000}",
        "[a-z]{1,63}(\\.[a-z]{1,63}){0,3}", "\\Q{literal}\\E.*", "\\p{Greek}+|\\x{263a}", "[]a]", "[^]{}]*",
        "^(" + "svc-[0-9]+\\.ns\\.svc\\.cluster\\.local|".repeat(100) + "x)$"};
    for (String regex : sent) {
      assertThat(MatcherDecoder.compileRegex(regex, "r").matcher("").matches()).isIn(true, false);
    }
  }

  @Test
  void theEstimateMultipliesNestedCountsAndErrsHigh() {
    assertThat(RegexProgramSize.estimate("abc", 10_000)).isEqualTo(3);
    assertThat(RegexProgramSize.estimate("(a{10}){10}", 10_000)).isGreaterThanOrEqualTo(100);
    assertThat(RegexProgramSize.estimate("a{2,50}", 10_000)).isGreaterThanOrEqualTo(50);
    assertThat(RegexProgramSize.estimate("x{", 10_000)).isEqualTo(2); // '{' not a repeat: a literal
    assertThat(RegexProgramSize.estimate("((a{1000}){1000}){1000}", 10_000)).isGreaterThan(10_000);
  }
}
