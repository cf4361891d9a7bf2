package io.mesh4j.runtime.inbound.grpc;

import io.grpc.Attributes;
import io.grpc.Context;
import io.mesh4j.MeshJwt;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.InboundChain;

/**
 * What the mesh's gRPC server learns of a connection once, when it is accepted and its handshake done, and hands to
 * every call on it through the transport attributes: the chain it was matched to and the connection (facts, peer).
 */
public final class InboundAttributes {
  /** The filter chain the connection was matched to. */
  public static final Attributes.Key<InboundChain> CHAIN = Attributes.Key.create("mesh4j.inbound.chain");
  /** The connection as RBAC sees it. */
  public static final Attributes.Key<DownstreamConnection> CONNECTION =
      Attributes.Key.create("mesh4j.inbound.connection");
  /** The client's identity as the application sees it, when it presented a certificate. */
  public static final Attributes.Key<MeshPeer> PEER = Attributes.Key.create("mesh4j.inbound.peer");

  /** The caller of the current call, for the application; unset when it presented no certificate. */
  public static final Context.Key<MeshPeer> PEER_CONTEXT_KEY = Context.key("mesh4j.peer");

  /** The verified JWT of the current call, for the application; unset when none was verified. */
  public static final Context.Key<MeshJwt> JWT_CONTEXT_KEY = Context.key("mesh4j.jwt");

  private InboundAttributes() {}
}
