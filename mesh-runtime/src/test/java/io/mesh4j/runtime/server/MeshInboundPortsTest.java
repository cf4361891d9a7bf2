package io.mesh4j.runtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The {@code ip:port} a served address puts in its listener's name. */
class MeshInboundPortsTest {

  @Test
  void wildcardOrUnknownAddressesAskForZeroZeroZeroZeroAsGrpcJava() throws UnknownHostException {
    assertThat(MeshInboundPorts.ipPort(new InetSocketAddress(8080))).isEqualTo("0.0.0.0:8080");
    assertThat(MeshInboundPorts.ipPort(new InetSocketAddress(InetAddress.getByName("::"), 8080)))
        .isEqualTo("0.0.0.0:8080");
    assertThat(MeshInboundPorts.ipPort(InetSocketAddress.createUnresolved("catalog", 8080))).isEqualTo("0.0.0.0:8080");
  }

  @Test
  void aSpecificAddressIsAskedForAsBound() throws UnknownHostException {
    assertThat(MeshInboundPorts.ipPort(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 8080)))
        .isEqualTo("10.1.2.3:8080");
    assertThat(MeshInboundPorts.ipPort(new InetSocketAddress(InetAddress.getByName("fe80::1"), 8080)))
        .isEqualTo("[fe80:0:0:0:0:0:0:1]:8080");
  }
}
