package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.config;
import static io.mesh4j.runtime.route.RouteProtos.decode;
import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static io.mesh4j.runtime.route.RouteProtos.route;
import static io.mesh4j.runtime.route.RouteProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.mesh4j.runtime.view.InMemoryRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Vectors 1-5 (virtual host domains) and how authorities with a port are matched. */
class VirtualHostSelectionTest {

  private static RouteConfiguration.Builder hosts(String... domainsPerHost) {
    RouteConfiguration.Builder config = RouteConfiguration.newBuilder().setName("r");
    for (String domain : domainsPerHost) {
      config.addVirtualHosts(vhost(domain, List.of(domain), route("c-" + domain, prefix("/"))));
    }
    return config;
  }

  private static String vhostFor(RouteConfiguration.Builder config, String authority) {
    RouteTable table = decode(config.build());
    Route route = table.select(InMemoryRequest.get(authority, "/"), 0);
    String name = table.virtualHostName(authority);
    assertThat(route == null ? null : route.name()).isEqualTo(name == null ? null : "c-" + name);
    return name;
  }

  @Test
  void precedenceIsExactThenSuffixThenPrefixThenAny() { // vector 1
    RouteConfiguration.Builder config = hosts("*", "foo.*", "*.foo.com", "www.foo.com");
    assertThat(vhostFor(config, "www.foo.com")).isEqualTo("www.foo.com");
    assertThat(vhostFor(config, "api.foo.com")).isEqualTo("*.foo.com");
    assertThat(vhostFor(config, "foo.org")).isEqualTo("foo.*");
    assertThat(vhostFor(config, "bar.org")).isEqualTo("*");
  }

  @Test
  void longestSuffixWins() { // vector 1
    assertThat(vhostFor(hosts("*.baz.com", "*-bar.baz.com"), "foo-bar.baz.com")).isEqualTo("*-bar.baz.com");
    assertThat(vhostFor(hosts("*-bar.baz.com", "*.baz.com"), "foo-bar.baz.com")).isEqualTo("*-bar.baz.com");
    assertThat(vhostFor(hosts("*-bar.baz.com", "*.baz.com"), "foo.baz.com")).isEqualTo("*.baz.com");
  }

  @Test
  void longestPrefixWins() {
    assertThat(vhostFor(hosts("foo.*", "foo.bar.*"), "foo.bar.com")).isEqualTo("foo.bar.*");
    assertThat(vhostFor(hosts("foo.bar.*", "foo.*"), "foo.baz.com")).isEqualTo("foo.*");
  }

  @Test
  void suffixWildcardBeatsPrefixWildcard() { // vector 2
    assertThat(vhostFor(hosts("a.googleapis.*", "*.googleapis.com"), "a.googleapis.com"))
        .isEqualTo("*.googleapis.com");
  }

  @Test
  void wildcardStandsForAtLeastOneCharacter() { // vector 3
    RouteConfiguration.Builder suffix = hosts("*.foo.com");
    assertThat(vhostFor(suffix, "foo.com")).isNull();
    assertThat(vhostFor(suffix, ".foo.com")).isNull();
    assertThat(vhostFor(suffix, "a.foo.com")).isEqualTo("*.foo.com");
    assertThat(vhostFor(hosts("*-bar.baz.com"), "-bar.baz.com")).isNull();
    RouteConfiguration.Builder prefix = hosts("foo-*");
    assertThat(vhostFor(prefix, "foo-bar")).isEqualTo("foo-*");
    assertThat(vhostFor(prefix, "foo-.com")).isEqualTo("foo-*");
    assertThat(vhostFor(prefix, "foo-")).isNull();
  }

  @Test
  void domainsAreCaseInsensitive() { // vector 4
    assertThat(vhostFor(hosts("lyft.com"), "LYFT.COM")).isEqualTo("lyft.com");
    assertThat(vhostFor(hosts("LYFT.com"), "lyft.com")).isEqualTo("LYFT.com");
    assertThat(vhostFor(hosts("*.Lyft.com"), "API.LYFT.COM")).isEqualTo("*.Lyft.com");
    assertThat(vhostFor(hosts("Lyft.*"), "lyft.COM")).isEqualTo("Lyft.*");
  }

  @Test
  void noAuthorityNoRoute() { // vector 5
    RouteTable table = decode(hosts("*").build());
    assertThat(table.select(InMemoryRequest.get(null, "/"), 0)).isNull();
    assertThat(table.select(InMemoryRequest.get("anything", "/"), 0)).isNotNull();
  }

  @Test
  void noPathNoRoute() {
    assertThat(decode(hosts("*").build()).select(InMemoryRequest.get("a", null), 0)).isNull();
  }

  @Test
  void authorityWithPortMatchesOnlyDomainsWithThatPort() {
    // Envoy's default and grpc-java's behaviour: the port is part of what is matched.
    RouteConfiguration.Builder config = hosts("foo.svc", "foo.svc:8080", "*.bar.svc");
    assertThat(vhostFor(config, "foo.svc")).isEqualTo("foo.svc");
    assertThat(vhostFor(config, "foo.svc:8080")).isEqualTo("foo.svc:8080");
    assertThat(vhostFor(config, "foo.svc:9090")).isNull();
    assertThat(vhostFor(config, "x.bar.svc:8080")).isNull();
    assertThat(vhostFor(hosts("foo.svc", "*"), "foo.svc:9090")).isEqualTo("*");
  }

  @Test
  void ignorePortInHostMatchingStripsThePortFirst() {
    RouteConfiguration.Builder config = hosts("foo.svc", "*.bar.svc", "[::1]").setIgnorePortInHostMatching(true);
    assertThat(vhostFor(config, "foo.svc:9090")).isEqualTo("foo.svc");
    assertThat(vhostFor(config, "FOO.svc:9090")).isEqualTo("foo.svc");
    assertThat(vhostFor(config, "x.bar.svc:8080")).isEqualTo("*.bar.svc");
    assertThat(vhostFor(config, "[::1]:8080")).isEqualTo("[::1]");
    assertThat(vhostFor(config, "[::1]")).isEqualTo("[::1]");
  }

  @Test
  void listenerCanAskToIgnoreThePort() {
    RouteTable table = decode(hosts("foo.svc").build());
    assertThat(table.virtualHostName("foo.svc:80")).isNull();
    assertThat(table.ignoringPortInHostMatching().virtualHostName("foo.svc:80")).isEqualTo("foo.svc");
  }

  @Test
  void hostsPortStart() {
    assertThat(Hosts.portStart("a:80")).isEqualTo(1);
    assertThat(Hosts.portStart("a")).isEqualTo(-1);
    assertThat(Hosts.portStart("a:")).isEqualTo(-1);
    assertThat(Hosts.portStart("a:b")).isEqualTo(-1);
    assertThat(Hosts.portStart("[::1]:443")).isEqualTo(5);
    assertThat(Hosts.portStart("[::1]")).isEqualTo(-1);
    assertThat(Hosts.portStart("::1")).isEqualTo(-1);
  }

  @Test
  void lowerCasingDoesNotCopyLowerCaseHosts() {
    String host = "already.lower:8080";
    assertThat(Hosts.toLowerCase(host)).isSameAs(host);
    assertThat(Hosts.toLowerCase("Upper.Case")).isEqualTo("upper.case");
  }

  @Test
  void firstMatchingRouteOfTheSelectedHostOnly() {
    // A request whose vhost has no matching route gets no route, even if another vhost would match it.
    RouteTable table =
        decode(
            config(
                vhost("api", List.of("api.com"), route("api", prefix("/api"))),
                vhost("any", List.of("*"), route("any", prefix("/")))));
    assertThat(table.select(InMemoryRequest.get("api.com", "/other"), 0)).isNull();
    assertThat(table.select(InMemoryRequest.get("web.com", "/other"), 0).name()).isEqualTo("any");
    assertThat(table.clusterNames()).containsExactlyInAnyOrder("api", "any");
    assertThat(table.name()).isEqualTo("test-routes");
  }
}
