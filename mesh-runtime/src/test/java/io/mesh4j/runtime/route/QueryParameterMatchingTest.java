package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.exact;
import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static io.mesh4j.runtime.route.RouteProtos.query;
import static io.mesh4j.runtime.route.RouteProtos.regex;
import static io.mesh4j.runtime.route.RouteProtos.route;
import static io.mesh4j.runtime.route.RouteProtos.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.mesh4j.runtime.matcher.QueryParameters;
import io.mesh4j.runtime.view.InMemoryRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Vectors 20-23 (query parameter matchers). */
class QueryParameterMatchingTest {

  private static boolean matches(List<QueryParameterMatcher.Builder> matchers, String path) {
    var match = prefix("/");
    matchers.forEach(match::addQueryParameters);
    return table(route("c", match)).select(InMemoryRequest.get("host", path), 0) != null;
  }

  private static boolean matches(QueryParameterMatcher.Builder matcher, String path) {
    return matches(List.of(matcher), path);
  }

  @Test
  void noQueryMatchesNoQueryRoute() { // vector 20
    for (QueryParameterMatcher.Builder m :
        List.of(query("param").setStringMatch(exact("test")), query("debug"), query("x").setPresentMatch(true))) {
      assertThat(matches(m, "/")).isFalse();
      assertThat(matches(m, "/?")).isFalse();
    }
  }

  @Test
  void exactValue() { // vector 21
    QueryParameterMatcher.Builder m = query("param").setStringMatch(exact("test"));
    assertThat(matches(m, "/?param=testing")).isFalse();
    assertThat(matches(m, "/?param=test")).isTrue();
    assertThat(matches(m, "/?other=1&param=test")).isTrue();
    assertThat(matches(m, "/?param=test#frag")).isTrue();
    assertThat(matches(m, "/?PARAM=test")).isFalse();
  }

  @Test
  void nameOnlyMeansPresent() { // vector 22
    assertThat(matches(query("debug"), "/?debug")).isTrue();
    assertThat(matches(query("debug"), "/?debug=2")).isTrue();
    assertThat(matches(query("debug"), "/?debugx=2")).isFalse();
    assertThat(matches(query("debug").setPresentMatch(true), "/?debug")).isTrue();
  }

  @Test
  void matchersAreAnded() { // vector 23
    List<QueryParameterMatcher.Builder> rule =
        List.of(
            query("param").setStringMatch(exact("test")),
            query("debug"),
            query("id").setStringMatch(StringMatcher.newBuilder().setSafeRegex(regex("\\d+[02468]"))));
    assertThat(matches(rule, "/?param=test&debug&id=01")).isFalse();
    assertThat(matches(rule, "/?param=test&debug&id=02")).isTrue();
  }

  @Test
  void valueIsNotPercentDecodedAndFirstValueWins() {
    assertThat(matches(query("q").setStringMatch(exact("a b")), "/?q=a%20b")).isFalse();
    assertThat(matches(query("q").setStringMatch(exact("a%20b")), "/?q=a%20b")).isTrue();
    assertThat(matches(query("q").setStringMatch(exact("1")), "/?q=1&q=2")).isTrue();
    assertThat(matches(query("q").setStringMatch(exact("2")), "/?q=1&q=2")).isFalse();
    assertThat(matches(query("q").setStringMatch(exact("a=b")), "/?q=a=b")).isTrue();
  }

  @Test
  void queryIsSplitOnAmpersandAndFirstEquals() {
    QueryParameters q = QueryParameters.parse("/p?a=1&&b&c=3=4#d=5");
    assertThat(q.first("a")).isEqualTo("1");
    assertThat(q.first("b")).isEqualTo("");
    assertThat(q.first("c")).isEqualTo("3=4");
    assertThat(q.first("d")).isNull();
  }
}
