package io.mesh4j.samples.interop;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.mesh4j.samples.interop.proto.Empty;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse.MetadataEntry;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse.MetadataType;
import io.mesh4j.samples.interop.proto.SimpleRequest;
import io.mesh4j.samples.interop.proto.SimpleResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** {@code grpc.testing.TestService} calls on a mesh gRPC channel. */
final class GrpcTransport implements RpcTransport {
  private final ManagedChannel channel;

  GrpcTransport(ManagedChannel channel) {
    this.channel = channel;
  }

  @Override
  public void send(RpcType type, List<Map.Entry<String, String>> metadata, int timeoutSec, Consumer<RpcOutcome> done) {
    Metadata headers = new Metadata();
    for (Map.Entry<String, String> entry : metadata) {
      headers.put(Metadata.Key.of(entry.getKey(), Metadata.ASCII_STRING_MARSHALLER), entry.getValue());
    }
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeoutSec, TimeUnit.SECONDS);
    if (type == RpcType.EMPTY_CALL) {
      call(InteropServices.EMPTY_CALL, Empty.getDefaultInstance(), options, headers, done);
    } else {
      call(InteropServices.UNARY_CALL, SimpleRequest.newBuilder().setFillServerId(true).build(), options, headers, done);
    }
  }

  private <ReqT, RespT extends Message> void call(MethodDescriptor<ReqT, RespT> method, ReqT request,
      CallOptions options, Metadata headers, Consumer<RpcOutcome> done) {
    ClientCall<ReqT, RespT> call = channel.newCall(method, options);
    call.start(new ClientCall.Listener<>() {
      private Metadata responseHeaders;
      private RespT response;

      @Override
      public void onHeaders(Metadata received) {
        responseHeaders = received;
      }

      @Override
      public void onMessage(RespT message) {
        response = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        List<MetadataEntry> entries = new ArrayList<>();
        String peer = null;
        if (responseHeaders != null) {
          addEntries(entries, responseHeaders, MetadataType.INITIAL);
          peer = responseHeaders.get(InteropServices.HOSTNAME_KEY);
        }
        addEntries(entries, trailers, MetadataType.TRAILING);
        if (peer == null && response instanceof SimpleResponse simple && !simple.getHostname().isEmpty()) {
          peer = simple.getHostname();
        }
        if (peer == null) {
          peer = trailers.get(InteropServices.HOSTNAME_KEY);
        }
        done.accept(new RpcOutcome(status.getCode(), status.isOk() ? peer : null, entries));
      }
    }, headers);
    call.sendMessage(request);
    call.halfClose();
    call.request(1);
  }

  private static void addEntries(List<MetadataEntry> into, Metadata metadata, MetadataType type) {
    for (String key : metadata.keys()) {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        continue;
      }
      Iterable<String> values = metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
      if (values != null) {
        for (String value : values) {
          into.add(MetadataEntry.newBuilder().setKey(key).setValue(value).setType(type).build());
        }
      }
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
