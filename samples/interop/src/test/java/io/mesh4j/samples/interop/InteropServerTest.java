package io.mesh4j.samples.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mesh4j.samples.interop.proto.Empty;
import io.mesh4j.samples.interop.proto.SimpleRequest;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The test server on its own, over gRPC and HTTP: hostname header, rpc-behavior, health updates. */
class InteropServerTest {
  private InteropServer server;
  private ManagedChannel channel;
  private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(5, TimeUnit.SECONDS).build();

  @BeforeEach
  void start() throws IOException {
    server = InteropServer.start(0, 0, 0, "b0");
    channel = Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create()).build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.close();
  }

  private io.grpc.Channel with(String behavior) {
    Metadata headers = new Metadata();
    headers.put(InteropServices.RPC_BEHAVIOR_KEY, behavior);
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private Response post(String method, String behavior, String attemptCount) throws IOException {
    Request.Builder request = new Request.Builder()
        .url("http://127.0.0.1:" + server.httpPort() + "/grpc.testing.TestService/" + method)
        .post(RequestBody.create(new byte[0], null));
    if (behavior != null) {
      request.header("rpc-behavior", behavior);
    }
    if (attemptCount != null) {
      request.header("x-envoy-attempt-count", attemptCount);
    }
    return http.newCall(request.build()).execute();
  }

  @Test
  void grpcAnswersWithItsHostnameAndHonoursErrorCodes() {
    assertThat(ClientCalls.blockingUnaryCall(channel, InteropServices.UNARY_CALL,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), SimpleRequest.getDefaultInstance()).getHostname())
        .isEqualTo("b0");
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(with("error-code-7"), InteropServices.EMPTY_CALL,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), Empty.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getTrailers().get(InteropServices.HOSTNAME_KEY)).isEqualTo("b0");
        });
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(with("keep-open"), InteropServices.EMPTY_CALL,
        CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS), Empty.getDefaultInstance()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
  }

  @Test
  void httpAnswersTheSameWithMappedStatusesAndEnvoyAttemptCounts() throws IOException {
    try (Response ok = post("EmptyCall", null, null)) {
      assertThat(ok.code()).isEqualTo(200);
      assertThat(ok.header("hostname")).isEqualTo("b0");
    }
    try (Response unavailable = post("UnaryCall", "error-code-14", null)) {
      assertThat(unavailable.code()).isEqualTo(503);
      assertThat(unavailable.header("hostname")).isEqualTo("b0");
    }
    try (Response firstAttempt = post("UnaryCall", "succeed-on-retry-attempt-1,error-code-14", "1")) {
      assertThat(firstAttempt.code()).isEqualTo(503);
    }
    try (Response retried = post("UnaryCall", "succeed-on-retry-attempt-1,error-code-14", "2")) {
      assertThat(retried.code()).isEqualTo(200);
    }
    try (Response unknown = post("StreamingCall", null, null)) {
      assertThat(unknown.code()).isEqualTo(404);
    }
    try (Response bad = post("UnaryCall", "explode", null)) {
      assertThat(bad.code()).isEqualTo(400);
    }
  }

  @Test
  void healthUpdatesFlipServing() {
    ClientCalls.blockingUnaryCall(channel, InteropServices.SET_NOT_SERVING,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), Empty.getDefaultInstance());
    assertThat(server.serving()).isFalse();
    ClientCalls.blockingUnaryCall(channel, InteropServices.SET_SERVING,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), Empty.getDefaultInstance());
    assertThat(server.serving()).isTrue();
  }
}
