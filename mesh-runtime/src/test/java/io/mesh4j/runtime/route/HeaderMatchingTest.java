package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.exact;
import static io.mesh4j.runtime.route.RouteProtos.header;
import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static io.mesh4j.runtime.route.RouteProtos.regex;
import static io.mesh4j.runtime.route.RouteProtos.route;
import static io.mesh4j.runtime.route.RouteProtos.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Int64Range;
import io.mesh4j.runtime.view.InMemoryRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Vectors 12-19 (header matchers). */
@SuppressWarnings("deprecation") // exercises the deprecated fields istiod still sends
class HeaderMatchingTest {

  private static boolean matches(List<HeaderMatcher.Builder> matchers, InMemoryRequest request) {
    var match = prefix("/");
    matchers.forEach(match::addHeaders);
    return table(route("c", match)).select(request, 0) != null;
  }

  private static boolean matches(HeaderMatcher.Builder matcher, InMemoryRequest request) {
    return matches(List.of(matcher), request);
  }

  private static InMemoryRequest request() {
    return InMemoryRequest.get("host", "/");
  }

  private static InMemoryRequest with(String name, String value) {
    return request().header(name, value);
  }

  @Test
  void matchersAreAnded() { // vector 12
    List<HeaderMatcher.Builder> both =
        List.of(header("a").setStringMatch(exact("1")), header("b").setStringMatch(exact("2")));
    assertThat(matches(both, request().header("a", "1").header("b", "2"))).isTrue();
    assertThat(matches(both, request().header("a", "1").header("b", "3"))).isFalse();
    assertThat(matches(both, request().header("a", "1"))).isFalse();
  }

  @Test
  void repeatedValuesAreJoinedWithComma() { // vector 13
    HeaderMatcher.Builder m = header("custom-key").setStringMatch(exact("custom-value1,custom-value2"));
    assertThat(matches(m, request().header("custom-key", "custom-value1").header("custom-key", "custom-value2")))
        .isTrue();
    assertThat(matches(m, with("custom-key", "custom-value1"))).isFalse();
  }

  @Test
  void headerNamesAreCaseInsensitive() {
    assertThat(matches(header("X-Feature").setStringMatch(exact("on")), with("x-feature", "on"))).isTrue();
  }

  @Test
  void noSpecifierMeansPresent() { // vector 14
    assertThat(matches(header("x"), with("x", ""))).isTrue();
    assertThat(matches(header("x"), with("x", "anything"))).isTrue();
    assertThat(matches(header("x"), request())).isFalse();
    // the deprecated exact_match "" behaves the same in Envoy
    assertThat(matches(header("x").setExactMatch(""), with("x", "v"))).isTrue();
    assertThat(matches(header("x").setExactMatch(""), request())).isFalse();
  }

  @Test
  void invertedPresentMatchesAbsence() { // vector 15
    HeaderMatcher.Builder notPresent = header("x").setPresentMatch(true).setInvertMatch(true);
    assertThat(matches(notPresent, request())).isTrue();
    assertThat(matches(notPresent, with("x", "v"))).isFalse();
    assertThat(matches(header("x").setPresentMatch(true), with("x", ""))).isTrue();
    assertThat(matches(header("x").setPresentMatch(true), request())).isFalse();
    // present_match: false matches absence (Envoy's documented meaning)
    assertThat(matches(header("x").setPresentMatch(false), request())).isTrue();
    assertThat(matches(header("x").setPresentMatch(false), with("x", "v"))).isFalse();
  }

  @Test
  void invertedValueMatchersFailOnMissingHeader() { // vector 16
    List<HeaderMatcher.Builder> inverted =
        List.of(
            header("x").setStringMatch(exact("v")),
            header("x").setExactMatch("v"),
            header("x").setPrefixMatch("v"),
            header("x").setSuffixMatch("v"),
            header("x").setContainsMatch("v"),
            header("x").setSafeRegexMatch(regex("v")),
            header("x").setStringMatch(StringMatcher.newBuilder().setSafeRegex(regex("v"))),
            header("x").setRangeMatch(Int64Range.newBuilder().setStart(0).setEnd(10)));
    for (HeaderMatcher.Builder m : inverted) {
      m.setInvertMatch(true);
      assertThat(matches(m, request())).as("%s on a missing header", m).isFalse();
      assertThat(matches(m, with("x", "other-99"))).as("%s on another value", m).isTrue();
    }
  }

  @Test
  void treatMissingHeaderAsEmpty() {
    HeaderMatcher.Builder emptyExact =
        header("x").setStringMatch(exact("")).setTreatMissingHeaderAsEmpty(true);
    assertThat(matches(emptyExact, request())).isTrue();
    HeaderMatcher.Builder invertedV =
        header("x").setStringMatch(exact("v")).setInvertMatch(true).setTreatMissingHeaderAsEmpty(true);
    assertThat(matches(invertedV, request())).isTrue();
    assertThat(matches(header("x").setPresentMatch(true).setTreatMissingHeaderAsEmpty(true), request())).isTrue();
  }

  @Test
  void exactIsLiteralRegexIsFull() { // vector 17
    assertThat(matches(header("x").setExactMatch("^customer=test-\\d+$"), with("x", "customer=test-1223")))
        .isFalse();
    assertThat(
            matches(
                header("x").setStringMatch(exact("^customer=test-\\d+$")), with("x", "customer=test-1223")))
        .isFalse();
    assertThat(matches(header("x").setSafeRegexMatch(regex("^user=test-\\d+$")), with("x", "user=test-1223")))
        .isTrue();
    assertThat(matches(header("x").setSafeRegexMatch(regex("user=test-\\d+")), with("x", "user=test-1223x")))
        .isFalse();
  }

  @Test
  void rangeIsHalfOpenOverIntegers() { // vector 18
    HeaderMatcher.Builder oneToTen = header("x").setRangeMatch(Int64Range.newBuilder().setStart(1).setEnd(10));
    assertThat(matches(oneToTen, with("x", "9"))).isTrue();
    assertThat(matches(oneToTen, with("x", "1"))).isTrue();
    assertThat(matches(oneToTen, with("x", "10"))).isFalse();
    assertThat(matches(oneToTen, with("x", "19"))).isFalse();
    assertThat(matches(oneToTen, with("x", "0"))).isFalse();
    assertThat(matches(oneToTen, with("x", "9.5"))).isFalse();
    assertThat(matches(oneToTen, with("x", "nine"))).isFalse();
    assertThat(matches(oneToTen, with("x", ""))).isFalse();
    HeaderMatcher.Builder ports = header("x").setRangeMatch(Int64Range.newBuilder().setStart(8080).setEnd(8090));
    assertThat(matches(ports, with("x", "8080"))).isTrue();
    assertThat(matches(ports, with("x", "8090"))).isFalse();
  }

  @Test
  void rangeParsing() {
    assertThat(io.mesh4j.runtime.matcher.HeaderMatcher.inRange("-5", -10, 0)).isTrue();
    assertThat(io.mesh4j.runtime.matcher.HeaderMatcher.inRange("+5", 0, 10)).isTrue();
    assertThat(io.mesh4j.runtime.matcher.HeaderMatcher.inRange(" 5 ", 0, 10)).isTrue();
    assertThat(io.mesh4j.runtime.matcher.HeaderMatcher.inRange("-", -10, 10)).isFalse();
    assertThat(io.mesh4j.runtime.matcher.HeaderMatcher.inRange("9223372036854775807", 0, Long.MAX_VALUE)).isFalse();
    assertThat(io.mesh4j.runtime.matcher.HeaderMatcher.inRange("9223372036854775806", 0, Long.MAX_VALUE)).isTrue();
    assertThat(io.mesh4j.runtime.matcher.HeaderMatcher.inRange("9223372036854775808", 0, Long.MAX_VALUE)).isFalse();
    assertThat(io.mesh4j.runtime.matcher.HeaderMatcher.inRange("-9223372036854775808", Long.MIN_VALUE, 0)).isTrue();
  }

  @Test
  void stringMatcherEdges() { // vector 19
    assertThat(matches(header("x").setStringMatch(StringMatcher.newBuilder().setPrefix("")), with("x", "any")))
        .isTrue();
    HeaderMatcher.Builder emptyIgnoreCase = header("x").setStringMatch(exact("").setIgnoreCase(true));
    assertThat(matches(emptyIgnoreCase, with("x", ""))).isTrue();
    assertThat(matches(emptyIgnoreCase, with("x", "a"))).isFalse();
    HeaderMatcher.Builder contains = header("x").setStringMatch(StringMatcher.newBuilder().setContains("Needle"));
    assertThat(matches(contains, with("x", "hayNeedlehay"))).isTrue();
    assertThat(matches(contains, with("x", "hayneedlehay"))).isFalse();
    HeaderMatcher.Builder containsIgnoreCase =
        header("x").setStringMatch(StringMatcher.newBuilder().setContains("Needle").setIgnoreCase(true));
    assertThat(matches(containsIgnoreCase, with("x", "hayNEEDLEhay"))).isTrue();
    assertThat(matches(containsIgnoreCase, with("x", "hayNEEDhay"))).isFalse();
    HeaderMatcher.Builder suffixIgnoreCase =
        header("x").setStringMatch(StringMatcher.newBuilder().setSuffix(".COM").setIgnoreCase(true));
    assertThat(matches(suffixIgnoreCase, with("x", "a.com"))).isTrue();
    assertThat(matches(suffixIgnoreCase, with("x", "com"))).isFalse();
    HeaderMatcher.Builder prefixIgnoreCase =
        header("x").setStringMatch(StringMatcher.newBuilder().setPrefix("Bear").setIgnoreCase(true));
    assertThat(matches(prefixIgnoreCase, with("x", "bearer x"))).isTrue();
    assertThat(matches(header("x").setPrefixMatch("Bear"), with("x", "bearer x"))).isFalse();
  }

  @Test
  void pseudoHeadersAreVisible() {
    assertThat(matches(header(":method").setStringMatch(exact("GET")), request())).isTrue();
    assertThat(matches(header(":authority").setStringMatch(exact("host")), request())).isTrue();
    assertThat(matches(header(":path").setStringMatch(exact("/x")), request())).isFalse();
  }
}
