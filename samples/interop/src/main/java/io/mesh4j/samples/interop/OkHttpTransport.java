package io.mesh4j.samples.interop;

import io.grpc.Status;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse.MetadataEntry;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse.MetadataType;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The same RPCs as HTTP/1.1 {@code POST http://host:port/grpc.testing.TestService/<Method>} through the mesh's
 * OkHttp client, metadata as headers. The outcome is a gRPC code by gRPC's HTTP-to-gRPC status mapping; a request
 * ended by the client's deadline (OkHttp's call timeout) or by the mesh's own timeout is DEADLINE_EXCEEDED.
 */
final class OkHttpTransport implements RpcTransport {
  private final OkHttpClient client;
  private final String hostPort;

  OkHttpTransport(OkHttpClient client, String hostPort) {
    this.client = client;
    this.hostPort = hostPort;
  }

  @Override
  public void send(RpcType type, List<Map.Entry<String, String>> metadata, int timeoutSec, Consumer<RpcOutcome> done) {
    Request.Builder request = new Request.Builder()
        .url("http://" + hostPort + "/" + InteropServices.TEST_SERVICE + "/" + type.methodName)
        .post(RequestBody.create(new byte[0], null));
    for (Map.Entry<String, String> entry : metadata) {
      request.addHeader(entry.getKey(), entry.getValue());
    }
    Call call = client.newCall(request.build());
    call.timeout().timeout(timeoutSec, TimeUnit.SECONDS);
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call failed, IOException e) {
        done.accept(new RpcOutcome(classify(failed, e), null, List.of()));
      }

      @Override
      public void onResponse(Call succeeded, Response response) {
        try (response) {
          Status.Code code = HttpStatusMapping.toGrpc(response.code());
          String peer = code == Status.Code.OK ? response.header(InteropServices.HOSTNAME_HEADER) : null;
          done.accept(new RpcOutcome(code, peer, entries(response.headers())));
        }
      }
    });
  }

  static Status.Code classify(Call call, IOException e) {
    if (e instanceof MeshRoutingException refused) {
      // The traffic-policy work adds a timeout reason (Envoy's 504 UT); it is a deadline, whatever its status.
      return refused.reason().name().contains("TIMEOUT")
          ? Status.Code.DEADLINE_EXCEEDED
          : HttpStatusMapping.toGrpc(refused.reason().httpStatus());
    }
    if (e instanceof InterruptedIOException && call.timeout().timeoutNanos() > 0 && "timeout".equals(e.getMessage())) {
      return Status.Code.DEADLINE_EXCEEDED;
    }
    if (call.isCanceled()) {
      return Status.Code.CANCELLED;
    }
    return Status.Code.UNAVAILABLE;
  }

  private static List<MetadataEntry> entries(Headers headers) {
    List<MetadataEntry> entries = new ArrayList<>(headers.size());
    for (int i = 0; i < headers.size(); i++) {
      entries.add(MetadataEntry.newBuilder().setKey(headers.name(i).toLowerCase(java.util.Locale.ROOT))
          .setValue(headers.value(i)).setType(MetadataType.INITIAL).build());
    }
    return entries;
  }

  @Override
  public void close() {
    client.dispatcher().cancelAll();
  }
}
