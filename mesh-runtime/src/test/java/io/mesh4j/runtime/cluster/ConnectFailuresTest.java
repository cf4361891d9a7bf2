package io.mesh4j.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class ConnectFailuresTest {

  @Test
  void refusedUnreachableConnectTimeoutAndResetAreConnectivity() {
    assertThat(ConnectFailures.isConnectFailure(new ConnectException("Failed to connect to /127.0.0.1:1"))).isTrue();
    assertThat(ConnectFailures.isConnectFailure(new NoRouteToHostException("no route"))).isTrue();
    assertThat(ConnectFailures.isConnectFailure(new SocketTimeoutException("Connect timed out"))).isTrue();
    assertThat(ConnectFailures.isConnectFailure(new SocketException("Connection reset"))).isTrue();
    assertThat(ConnectFailures.isConnectFailure(new IOException("wrapped", new ConnectException("refused"))))
        .isTrue();
  }

  @Test
  void slowOrBrokenAnswersAreNotConnectivity() {
    assertThat(ConnectFailures.isConnectFailure(new SocketTimeoutException("Read timed out"))).isFalse();
    assertThat(ConnectFailures.isConnectFailure(new SocketTimeoutException("timeout"))).isFalse();
    assertThat(ConnectFailures.isConnectFailure(new IOException("unexpected end of stream"))).isFalse();
    assertThat(ConnectFailures.isConnectFailure(new InterruptedIOException("canceled"))).isFalse();
  }
}
