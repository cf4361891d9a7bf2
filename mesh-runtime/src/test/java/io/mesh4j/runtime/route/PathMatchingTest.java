package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.caseInsensitive;
import static io.mesh4j.runtime.route.RouteProtos.path;
import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static io.mesh4j.runtime.route.RouteProtos.regexPath;
import static io.mesh4j.runtime.route.RouteProtos.route;
import static io.mesh4j.runtime.route.RouteProtos.separatedPrefix;
import static io.mesh4j.runtime.route.RouteProtos.table;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.mesh4j.runtime.view.InMemoryRequest;
import org.junit.jupiter.api.Test;

/** Vectors 6-11 (path matching and route order). */
class PathMatchingTest {

  private static boolean matches(RouteMatch.Builder match, String path) {
    return table(route("c", match)).select(InMemoryRequest.get("host", path), 0) != null;
  }

  @Test
  void prefixIsCaseSensitiveByDefault() { // vector 6
    assertThat(matches(prefix("/match"), "/match/this")).isTrue();
    assertThat(matches(prefix("/match"), "/matching")).isTrue();
    assertThat(matches(prefix("/match"), "/MATCH")).isFalse();
    assertThat(matches(prefix("/match"), "/mat")).isFalse();
    assertThat(matches(caseInsensitive(prefix("/match")), "/MATCH")).isTrue();
  }

  @Test
  void pathIsExactWithoutQuery() { // vectors 7, 8
    RouteMatch.Builder insensitive = caseInsensitive(path("/match"));
    assertThat(matches(insensitive, "/MATCH")).isTrue();
    assertThat(matches(insensitive, "/match?ok=bye")).isTrue();
    assertThat(matches(insensitive, "/match/")).isFalse();
    assertThat(matches(insensitive, "/matching")).isFalse();
    assertThat(matches(path("/match"), "/MATCH")).isFalse();
    assertThat(matches(path("/api/locations"), "/api/locations?works=true")).isTrue();
    assertThat(matches(path("/api/locations"), "/api/locations#frag")).isTrue();
  }

  @Test
  void safeRegexIsAFullMatchOnThePathWithoutQuery() { // vector 9
    RouteMatch.Builder ticToc = regexPath("/t[io]c");
    assertThat(matches(ticToc, "/tic")).isTrue();
    assertThat(matches(ticToc, "/toc")).isTrue();
    assertThat(matches(ticToc, "/tic?tac=true")).isTrue();
    assertThat(matches(ticToc, "/tac")).isFalse();
    assertThat(matches(ticToc, "/tick")).isFalse();
    assertThat(matches(ticToc, "/tic/toc")).isFalse();
    assertThat(matches(ticToc, "")).isFalse();

    RouteMatch.Builder baa = regexPath("/baa+");
    assertThat(matches(baa, "/baa")).isTrue();
    assertThat(matches(baa, "/baaaaaa")).isTrue();
    assertThat(matches(baa, "/ba")).isFalse();

    RouteMatch.Builder but = regexPath("/[^c][au]t");
    assertThat(matches(but, "/but")).isTrue();
    assertThat(matches(but, "/mat?ok=bye")).isTrue();
    assertThat(matches(but, "/maut")).isFalse();
    assertThat(matches(but, "/cut")).isFalse();
    assertThat(matches(but, "/mut/")).isFalse();
  }

  @Test
  void caseSensitiveDoesNotApplyToRegex() {
    assertThat(matches(caseInsensitive(regexPath("/tic")), "/TIC")).isFalse();
  }

  @Test
  void pathSeparatedPrefix() { // vector 10
    RouteMatch.Builder rest = separatedPrefix("/rest/api");
    assertThat(matches(rest, "/rest/api")).isTrue();
    assertThat(matches(rest, "/rest/api?param=true")).isTrue();
    assertThat(matches(rest, "/rest/api#fragment")).isTrue();
    assertThat(matches(rest, "/rest/api/")).isTrue();
    assertThat(matches(rest, "/rest/api/thing?x=1")).isTrue();
    assertThat(matches(rest, "/rest/apithing")).isFalse();
    assertThat(matches(rest, "/rest/ap")).isFalse();
    assertThat(matches(rest, "/REST/API")).isFalse();
    assertThat(matches(caseInsensitive(separatedPrefix("/rest/api")), "/REST/API")).isTrue();
  }

  @Test
  void firstMatchingRouteWins() { // vector 11
    RouteTable table = table(route("exact-root", path("/")), route("any", prefix("/")));
    assertThat(table.select(InMemoryRequest.get("h", "/"), 0).name()).isEqualTo("exact-root");
    assertThat(table.select(InMemoryRequest.get("h", "/x"), 0).name()).isEqualTo("any");
    RouteTable reversed = table(route("any", prefix("/")), route("exact-root", path("/")));
    assertThat(reversed.select(InMemoryRequest.get("h", "/"), 0).name()).isEqualTo("any");
  }
}
