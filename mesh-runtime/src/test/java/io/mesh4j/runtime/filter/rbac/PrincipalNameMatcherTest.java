package io.mesh4j.runtime.filter.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import io.mesh4j.runtime.matcher.StringMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The namespace regex istiod writes is matched without RE2J, and answers exactly as RE2J's full match does. */
class PrincipalNameMatcherTest {
  private static final List<String> REGEXES = List.of(
      ".*/ns/foo/.*", ".*/ns/istio-system/.*", ".*/ns/fo.o/.*", ".*/ns/(foo|bar)/.*", ".*foo", "foo.*", ".*");
  private static final List<String> NAMES = List.of(
      "spiffe://cluster.local/ns/foo/sa/bar",
      "spiffe://cluster.local/ns/foo2/sa/bar",
      "spiffe://cluster.local/ns/bar/sa/foo",
      "spiffe://cluster.local/ns/istio-system/sa/istiod",
      "spiffe://cluster.local/ns/fo-o/sa/x",
      "/ns/foo/",
      "spiffe://cluster.local/ns/foo/sa/a\nb",
      "foo",
      "");

  @Test
  void answersAsRe2jDoes() {
    for (String regex : REGEXES) {
      Pattern pattern = Pattern.compile(regex);
      PrincipalNameMatcher matcher = PrincipalNameMatcher.of(StringMatcher.regex(pattern), regex);
      for (String name : NAMES) {
        assertThat(matcher.matches(name)).as("%s on %s", regex, name).isEqualTo(pattern.matches(name));
      }
    }
  }

  @Test
  void onlyIstiodsNamespaceShapeSkipsTheRegex() {
    assertThat(PrincipalNameMatcher.of(StringMatcher.regex(Pattern.compile(".*/ns/foo/.*")), ".*/ns/foo/.*"))
        .hasToString("contains '/ns/foo/'")
        .returns(false, PrincipalNameMatcher::isRegex);
    assertThat(PrincipalNameMatcher.of(StringMatcher.regex(Pattern.compile(".*/ns/fo.o/.*")), ".*/ns/fo.o/.*")
        .isRegex()).isTrue();
    assertThat(PrincipalNameMatcher.of(StringMatcher.exact("x", false), null).isRegex()).isFalse();
  }
}
