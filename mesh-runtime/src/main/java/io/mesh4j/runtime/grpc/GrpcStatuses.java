package io.mesh4j.runtime.grpc;

import io.grpc.Status;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.runtime.engine.LocalReply;
import io.mesh4j.runtime.filter.fault.AbortStatus;

/** How the engine's refusals read to a gRPC caller. */
final class GrpcStatuses {
  private GrpcStatuses() {}

  /**
   * A call the mesh could not route fails with {@code UNAVAILABLE} (as gRPC's own xDS client fails it), the
   * description carrying the reason and Envoy's response flag so the cause is visible to the caller.
   */
  static Status fromRouting(MeshRoutingException e) {
    return Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e);
  }

  /**
   * A fault abort: its gRPC status, or the one gRPC maps its HTTP status to (the fault filter's vector 29).
   */
  static Status fromLocalReply(LocalReply reply) {
    int code = reply.grpcStatus() >= 0 ? reply.grpcStatus() : AbortStatus.httpToGrpcStatus(reply.status());
    return Status.fromCodeValue(code).withDescription(
        "local reply" + (reply.responseFlag().isEmpty() ? "" : " (" + reply.responseFlag() + ")"));
  }
}
