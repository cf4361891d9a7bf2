package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.config;
import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static io.mesh4j.runtime.route.RouteProtos.route;
import static io.mesh4j.runtime.route.RouteProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.mesh4j.runtime.view.InMemoryRequest;
import io.mesh4j.runtime.xds.DecodeContext;
import io.mesh4j.runtime.xds.ResourceInvalidException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Decoding a table given the previously accepted one reuses the compiled virtual hosts whose protos are unchanged,
 * and gives what decoding it from nothing gives: the same routes, clusters and errors.
 */
class RouteTableReuseTest {
  private static final RouteConfigurationType RDS = RouteConfigurationType.INSTANCE;

  private static RouteConfiguration threeHosts(String bCluster) {
    return config(
        vhost("a", List.of("a.svc"), route("ca", prefix("/"))),
        vhost("b", List.of("b.svc"), route(bCluster, prefix("/"))),
        vhost("c", List.of("c.svc"), route("cc", prefix("/"))));
  }

  private static RouteTable decode(RouteConfiguration config, RouteTable previous) throws ResourceInvalidException {
    return RDS.decode(config, previous, DecodeContext.discarding());
  }

  private static String clusterFor(RouteTable table, String authority) {
    return ((ClusterAction) table.select(InMemoryRequest.get(authority, "/x"), 0).action()).cluster();
  }

  @Test
  void unchangedHostsAreReusedAndTheChangedOneIsDecodedAgain() throws Exception {
    RouteTable first = decode(threeHosts("cb"), null);
    RouteTable second = decode(threeHosts("cb2"), first);

    VirtualHost[] before = first.decodedFrom().hosts();
    VirtualHost[] after = second.decodedFrom().hosts();
    assertThat(after[0]).isSameAs(before[0]);
    assertThat(after[1]).isNotSameAs(before[1]);
    assertThat(after[2]).isSameAs(before[2]);
    assertThat(clusterFor(second, "b.svc")).isEqualTo("cb2");
    assertThat(clusterFor(second, "a.svc")).isEqualTo("ca");
    assertThat(second.clusterNames()).isEqualTo(Set.of("ca", "cb2", "cc"));
    assertThat(second.clusterNames()).isEqualTo(decode(threeHosts("cb2"), null).clusterNames());
  }

  @Test
  void aTableNamingTheSameClustersSharesItsPredecessorsSetOfNames() throws Exception {
    RouteTable first = decode(threeHosts("cb"), null);
    // b now sends to cc as c does, and a new route of c keeps cb named: a changed table, the same clusters.
    RouteConfiguration moved = config(
        vhost("a", List.of("a.svc"), route("ca", prefix("/"))),
        vhost("b", List.of("b.svc"), route("cc", prefix("/"))),
        vhost("c", List.of("c.svc"), route("cb", prefix("/kept")), route("cc", prefix("/"))));

    RouteTable second = decode(moved, first);
    RouteTable third = decode(threeHosts("cb2"), second);

    assertThat(clusterFor(second, "b.svc")).isEqualTo("cc");
    assertThat(second.clusterNames()).isSameAs(first.clusterNames());
    assertThat(third.clusterNames()).isNotSameAs(first.clusterNames()).isEqualTo(Set.of("ca", "cb2", "cc"));
  }

  @Test
  void hostsAreFoundByNameWhenTheyMoved() throws Exception {
    RouteTable first = decode(threeHosts("cb"), null);
    RouteConfiguration reordered = config(
        vhost("new", List.of("new.svc"), route("cn", prefix("/"))),
        vhost("c", List.of("c.svc"), route("cc", prefix("/"))),
        vhost("a", List.of("a.svc"), route("ca", prefix("/"))));

    RouteTable second = decode(reordered, first);

    assertThat(second.decodedFrom().hosts()[1]).isSameAs(first.decodedFrom().hosts()[2]);
    assertThat(second.decodedFrom().hosts()[2]).isSameAs(first.decodedFrom().hosts()[0]);
    assertThat(clusterFor(second, "new.svc")).isEqualTo("cn");
    assertThat(second.virtualHostName("b.svc")).isNull();
    assertThat(second.clusterNames()).isEqualTo(Set.of("cn", "cc", "ca"));
  }

  @Test
  void aChangeOfWhatHostsInheritFromTheTableDecodesEveryHostAgain() throws Exception {
    RouteTable first = decode(threeHosts("cb"), null);
    RouteConfiguration withHeader = threeHosts("cb").toBuilder()
        .addRequestHeadersToAdd(HeaderValueOption.newBuilder()
            .setHeader(HeaderValue.newBuilder().setKey("x-table").setValue("1")))
        .build();

    RouteTable second = decode(withHeader, first);

    for (int i = 0; i < 3; i++) {
      assertThat(second.decodedFrom().hosts()[i]).isNotSameAs(first.decodedFrom().hosts()[i]);
    }
  }

  @Test
  void anInvalidHostBesideReusedOnesRejectsTheTableAsWithoutReuse() throws Exception {
    RouteTable first = decode(threeHosts("cb"), null);
    RouteConfiguration broken = config(
        vhost("a", List.of("a.svc"), route("ca", prefix("/"))),
        vhost("b", List.of("b.svc"), route("cb", RouteMatch.newBuilder())), // no path specifier
        vhost("c", List.of("c.svc"), route("cc", prefix("/"))));

    String fresh = messageOf(broken, null);
    assertThat(fresh).isNotNull();
    assertThat(messageOf(broken, first)).isEqualTo(fresh);
  }

  @Test
  void aDomainDuplicatedByAChangedHostIsStillFoundAcrossReusedOnes() throws Exception {
    RouteTable first = decode(threeHosts("cb"), null);
    RouteConfiguration duplicate = config(
        vhost("a", List.of("a.svc"), route("ca", prefix("/"))),
        vhost("b", List.of("b.svc", "c.svc"), route("cb", prefix("/"))),
        vhost("c", List.of("c.svc"), route("cc", prefix("/"))));

    assertThat(messageOf(duplicate, first))
        .isEqualTo(messageOf(duplicate, null))
        .isEqualTo("virtual_hosts[2].domains[0]: duplicate domain 'c.svc' (also in virtual host 'b')");
  }

  private static String messageOf(RouteConfiguration config, RouteTable previous) {
    try {
      decode(config, previous);
      return null;
    } catch (ResourceInvalidException e) {
      return e.getMessage();
    }
  }

  @Test
  void invalidInputFailsTheSameWithAndWithoutAPrevious() {
    RouteConfiguration noName = config(vhost("", List.of("x"), route("c", prefix("/"))));
    assertThatThrownBy(() -> decode(noName, RouteProtos.decode(threeHosts("cb"))))
        .isInstanceOf(ResourceInvalidException.class)
        .hasMessage(messageOf(noName, null));
  }
}
