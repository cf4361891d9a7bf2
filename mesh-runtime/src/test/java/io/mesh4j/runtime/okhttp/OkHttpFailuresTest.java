package io.mesh4j.runtime.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.policy.AttemptFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Failures are classified by type and by whether the attempt had a connection, whatever their messages say. */
class OkHttpFailuresTest {
  @Test
  void aTimeoutBeforeTheConnectionIsAConnectFailureAfterItATimeout() {
    // Same type, same (misleading) message: only whether the attempt was connected decides.
    SocketTimeoutException timeout = new SocketTimeoutException("connect timed out");
    assertThat(OkHttpFailures.classify(timeout, false, false)).isEqualTo(AttemptFailure.CONNECT_FAILURE);
    assertThat(OkHttpFailures.classify(timeout, true, false)).isEqualTo(AttemptFailure.TIMEOUT);
    assertThat(OkHttpFailures.leavesRotation(timeout, false, false)).isTrue();
    assertThat(OkHttpFailures.leavesRotation(timeout, true, false)).isFalse();
  }

  @Test
  void refusedAndUnreachableAreConnectFailuresEvenAfterAReusedConnection() {
    for (IOException e : new IOException[] {new ConnectException("x"), new NoRouteToHostException("x")}) {
      assertThat(OkHttpFailures.classify(e, false, false)).isEqualTo(AttemptFailure.CONNECT_FAILURE);
      assertThat(OkHttpFailures.classify(e, true, false)).isEqualTo(AttemptFailure.CONNECT_FAILURE);
      assertThat(OkHttpFailures.leavesRotation(e, true, false)).isTrue();
    }
  }

  @Test
  void aSocketErrorAnywhereInTheCausesTakesTheEndpointOutOfRotationAndIsAReset() {
    IOException wrapped = new SSLHandshakeException("handshake");
    wrapped.initCause(new SocketException("anything"));
    assertThat(OkHttpFailures.leavesRotation(wrapped, false, false)).isTrue();
    assertThat(OkHttpFailures.classify(wrapped, false, false)).isEqualTo(AttemptFailure.RESET);
    assertThat(OkHttpFailures.leavesRotation(new IOException("unexpected end of stream"), true, false)).isFalse();
  }

  @Test
  void theMeshsOwnRefusalsAndCancelsAreNotTheUpstreams() {
    assertThat(OkHttpFailures.classify(
        new MeshRoutingException(MeshRoutingException.Reason.OVERFLOW, "x"), false, false)).isNull();
    assertThat(OkHttpFailures.classify(new ConnectException("x"), false, true)).isNull();
    assertThat(OkHttpFailures.leavesRotation(new ConnectException("x"), false, true)).isFalse();
  }
}
