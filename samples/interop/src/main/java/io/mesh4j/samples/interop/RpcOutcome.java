package io.mesh4j.samples.interop;

import io.grpc.Status;
import io.mesh4j.samples.interop.proto.LoadBalancerStatsResponse.MetadataEntry;
import java.util.List;

/**
 * How one RPC ended, whatever the transport.
 *
 * @param code its gRPC status (over HTTP, mapped from the response status)
 * @param peer the {@code hostname} the server answered, or {@code null} when no server answered
 * @param metadata response headers and trailers as received
 */
record RpcOutcome(Status.Code code, String peer, List<MetadataEntry> metadata) {
  RpcOutcome {
    metadata = List.copyOf(metadata);
  }
}
