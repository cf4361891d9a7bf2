package io.mesh4j.samples.interop;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.protobuf.ProtoUtils;
import io.mesh4j.samples.interop.proto.ClientConfigureRequest;
import io.mesh4j.samples.interop.proto.ClientConfigureResponse;
import io.mesh4j.samples.interop.proto.Empty;
import io.mesh4j.samples.interop.proto.HookRequest;
import io.mesh4j.samples.interop.proto.HookResponse;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerAccumulatedStatsResponse;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsRequest;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse;
import io.mesh4j.samples.interop.proto.SimpleRequest;
import io.mesh4j.samples.interop.proto.SimpleResponse;
import com.google.protobuf.Message;

/**
 * The method descriptors of {@code grpc/testing/test.proto} that the xDS interop client and server use, written by
 * hand (the grpc-java code generator is not published for every platform). Names match gRPC's exactly.
 */
final class InteropServices {
  static final String TEST_SERVICE = "grpc.testing.TestService";
  static final String STATS_SERVICE = "grpc.testing.LoadBalancerStatsService";
  static final String HEALTH_SERVICE = "grpc.testing.XdsUpdateHealthService";
  static final String CONFIGURE_SERVICE = "grpc.testing.XdsUpdateClientConfigureService";

  static final MethodDescriptor<Empty, Empty> EMPTY_CALL =
      unary(TEST_SERVICE, "EmptyCall", Empty.getDefaultInstance(), Empty.getDefaultInstance());
  static final MethodDescriptor<SimpleRequest, SimpleResponse> UNARY_CALL =
      unary(TEST_SERVICE, "UnaryCall", SimpleRequest.getDefaultInstance(), SimpleResponse.getDefaultInstance());

  static final MethodDescriptor<LoadBalancerStatsRequest, LoadBalancerStatsResponse> GET_CLIENT_STATS = unary(
      STATS_SERVICE, "GetClientStats",
      LoadBalancerStatsRequest.getDefaultInstance(), LoadBalancerStatsResponse.getDefaultInstance());
  static final MethodDescriptor<LoadBalancerAccumulatedStatsRequest, LoadBalancerAccumulatedStatsResponse>
      GET_CLIENT_ACCUMULATED_STATS = unary(STATS_SERVICE, "GetClientAccumulatedStats",
          LoadBalancerAccumulatedStatsRequest.getDefaultInstance(),
          LoadBalancerAccumulatedStatsResponse.getDefaultInstance());

  static final MethodDescriptor<Empty, Empty> SET_SERVING =
      unary(HEALTH_SERVICE, "SetServing", Empty.getDefaultInstance(), Empty.getDefaultInstance());
  static final MethodDescriptor<Empty, Empty> SET_NOT_SERVING =
      unary(HEALTH_SERVICE, "SetNotServing", Empty.getDefaultInstance(), Empty.getDefaultInstance());
  static final MethodDescriptor<HookRequest, HookResponse> SEND_HOOK_REQUEST =
      unary(HEALTH_SERVICE, "SendHookRequest", HookRequest.getDefaultInstance(), HookResponse.getDefaultInstance());

  static final MethodDescriptor<ClientConfigureRequest, ClientConfigureResponse> CONFIGURE = unary(
      CONFIGURE_SERVICE, "Configure",
      ClientConfigureRequest.getDefaultInstance(), ClientConfigureResponse.getDefaultInstance());

  /** The header the server answers with its name, on every call and every HTTP response. */
  static final String HOSTNAME_HEADER = "hostname";
  static final Metadata.Key<String> HOSTNAME_KEY = Metadata.Key.of(HOSTNAME_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  /** The request principal ({@code iss/sub}) of a token the server's mesh verified, answered by the server. */
  static final String JWT_PRINCIPAL_HEADER = "jwt-principal";
  static final Metadata.Key<String> JWT_PRINCIPAL_KEY =
      Metadata.Key.of(JWT_PRINCIPAL_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  /** How a test tells the server to misbehave (sleep, fail, stay open). */
  static final String RPC_BEHAVIOR_HEADER = "rpc-behavior";
  static final Metadata.Key<String> RPC_BEHAVIOR_KEY =
      Metadata.Key.of(RPC_BEHAVIOR_HEADER, Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> PREVIOUS_ATTEMPTS_KEY =
      Metadata.Key.of("grpc-previous-rpc-attempts", Metadata.ASCII_STRING_MARSHALLER);

  private InteropServices() {}

  private static <ReqT extends Message, RespT extends Message> MethodDescriptor<ReqT, RespT> unary(
      String service, String method, ReqT request, RespT response) {
    return MethodDescriptor.<ReqT, RespT>newBuilder(ProtoUtils.marshaller(request), ProtoUtils.marshaller(response))
        .setType(MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
        .build();
  }
}
