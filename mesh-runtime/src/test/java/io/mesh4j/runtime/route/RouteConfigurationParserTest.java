package io.mesh4j.runtime.route;

import static io.mesh4j.runtime.route.RouteProtos.config;
import static io.mesh4j.runtime.route.RouteProtos.prefix;
import static io.mesh4j.runtime.route.RouteProtos.route;
import static io.mesh4j.runtime.route.RouteProtos.vhost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.BoolValue;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing a route table given the previous one takes its unchanged virtual hosts and equals a full parse. */
class RouteConfigurationParserTest {
  private static RouteConfiguration table(String bCluster) {
    return config(
        vhost("a", List.of("a.svc"), route("ca", prefix("/"))),
        vhost("b", List.of("b.svc"), route(bCluster, prefix("/"))),
        vhost("c", List.of("c.svc"), route("cc", prefix("/"))));
  }

  @Test
  void unchangedHostsAreThePreviousObjectsAndTheWholeEqualsAFullParse() throws Exception {
    ByteString firstBytes = table("cb").toByteString();
    RouteConfiguration first = RouteConfiguration.parseFrom(firstBytes);
    RouteConfiguration next = table("cb2").toBuilder().setName("renamed")
        .setIgnorePortInHostMatching(true).build();

    RouteConfiguration parsed = RouteConfigurationParser.parse(next.toByteString(), firstBytes, first);

    assertThat(parsed).isEqualTo(next).isEqualTo(RouteConfiguration.parseFrom(next.toByteString()));
    assertThat(parsed.getVirtualHosts(0)).isSameAs(first.getVirtualHosts(0));
    assertThat(parsed.getVirtualHosts(1)).isNotSameAs(first.getVirtualHosts(1));
    assertThat(parsed.getVirtualHosts(2)).isSameAs(first.getVirtualHosts(2));
  }

  @Test
  void movedAndRepeatedHostsKeepTheNewOrder() throws Exception {
    ByteString firstBytes = table("cb").toByteString();
    RouteConfiguration first = RouteConfiguration.parseFrom(firstBytes);
    RouteConfiguration next = RouteConfiguration.newBuilder().setName("test-routes")
        .addVirtualHosts(first.getVirtualHosts(2))
        .addVirtualHosts(first.getVirtualHosts(0))
        .addVirtualHosts(first.getVirtualHosts(2))
        .build();

    RouteConfiguration parsed = RouteConfigurationParser.parse(next.toByteString(), firstBytes, first);

    assertThat(parsed).isEqualTo(next);
    assertThat(parsed.getVirtualHosts(0)).isSameAs(first.getVirtualHosts(2));
    assertThat(parsed.getVirtualHosts(1)).isSameAs(first.getVirtualHosts(0));
  }

  @Test
  void aBrokenChangedHostFailsAsAFullParseDoes() {
    ByteString firstBytes = table("cb").toByteString();
    RouteConfiguration first = parse(firstBytes);
    // virtual_hosts[1] claims 50 bytes where only 2 follow.
    ByteString broken = table("cb").toBuilder().clearVirtualHosts().addVirtualHosts(first.getVirtualHosts(0))
        .build().toByteString().concat(ByteString.copyFrom(new byte[] {0x12, 50, 0x0a, 0x00}));

    assertThatThrownBy(() -> RouteConfiguration.parseFrom(broken)).isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> RouteConfigurationParser.parse(broken, firstBytes, first))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }

  @Test
  void previousBytesThatDoNotMatchThePreviousProtoAreNotUsed() throws Exception {
    RouteConfiguration other = table("zz").toBuilder()
        .setValidateClusters(BoolValue.of(true)).build();
    RouteConfiguration next = table("cb");

    RouteConfiguration parsed = RouteConfigurationParser.parse(next.toByteString(),
        RouteConfiguration.newBuilder().setName("x").build().toByteString(), other);

    assertThat(parsed).isEqualTo(next);
    assertThat(parsed.getVirtualHosts(0)).isNotSameAs(other.getVirtualHosts(0));
  }

  private static RouteConfiguration parse(ByteString bytes) {
    try {
      return RouteConfiguration.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
