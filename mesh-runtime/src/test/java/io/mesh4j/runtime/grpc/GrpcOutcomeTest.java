package io.mesh4j.runtime.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.mesh4j.runtime.policy.AttemptFailure;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class GrpcOutcomeTest {
  @Test
  void transportFailuresAreToldApartFromServerStatuses() {
    assertThat(GrpcOutcome.transportFailure(Status.UNAVAILABLE.withCause(new ConnectException("Connection refused"))))
        .isEqualTo(AttemptFailure.CONNECT_FAILURE);
    assertThat(GrpcOutcome.transportFailure(
        Status.UNAVAILABLE.withDescription("RST_STREAM closed stream. HTTP/2 error code: REFUSED_STREAM")))
        .isEqualTo(AttemptFailure.REFUSED_STREAM);
    assertThat(GrpcOutcome.transportFailure(
        Status.CANCELLED.withDescription("RST_STREAM closed stream. HTTP/2 error code: CANCEL")))
        .isEqualTo(AttemptFailure.RESET);
    assertThat(GrpcOutcome.transportFailure(Status.UNAVAILABLE.withCause(new IOException("Connection reset by peer"))))
        .isEqualTo(AttemptFailure.RESET);
    // What a server sent: no cause, no HTTP/2 reset.
    assertThat(GrpcOutcome.transportFailure(Status.UNAVAILABLE.withDescription("try later"))).isNull();
    assertThat(GrpcOutcome.transportFailure(Status.INTERNAL)).isNull();
  }

  @Test
  void serverStatusesReadAsATrailersOnlyResponse() {
    assertThat(GrpcOutcome.response(Status.UNAVAILABLE).status()).isEqualTo(200);
    assertThat(GrpcOutcome.response(Status.UNAVAILABLE).header("grpc-status")).isEqualTo("14");
    assertThat(GrpcOutcome.response(Status.UNAVAILABLE).header("x-other")).isNull();
  }

  @Test
  void outlierDetectionCountsGrpcStatusesAsEnvoyMapsThemToHttp() {
    assertThat(GrpcOutcome.httpStatus(Status.Code.OK)).isEqualTo(200);
    assertThat(GrpcOutcome.httpStatus(Status.Code.UNAVAILABLE)).isEqualTo(503);
    assertThat(GrpcOutcome.httpStatus(Status.Code.DEADLINE_EXCEEDED)).isEqualTo(504);
    assertThat(GrpcOutcome.httpStatus(Status.Code.RESOURCE_EXHAUSTED)).isEqualTo(429);
    assertThat(GrpcOutcome.httpStatus(Status.Code.UNIMPLEMENTED)).isEqualTo(501);
    assertThat(GrpcOutcome.httpStatus(Status.Code.INTERNAL)).isEqualTo(500);
    assertThat(GrpcOutcome.httpStatus(Status.Code.UNKNOWN)).isEqualTo(500);
    assertThat(GrpcOutcome.httpStatus(Status.Code.NOT_FOUND)).isEqualTo(404);
    assertThat(GrpcOutcome.httpStatus(Status.Code.CANCELLED)).isEqualTo(499);
    assertThat(GrpcOutcome.httpStatus(Status.Code.UNAUTHENTICATED)).isEqualTo(401);
    assertThat(GrpcOutcome.httpStatus(Status.Code.PERMISSION_DENIED)).isEqualTo(403);
    assertThat(GrpcOutcome.httpStatus(Status.Code.ABORTED)).isEqualTo(409);
    assertThat(GrpcOutcome.httpStatus(Status.Code.INVALID_ARGUMENT)).isEqualTo(400);
  }
}
