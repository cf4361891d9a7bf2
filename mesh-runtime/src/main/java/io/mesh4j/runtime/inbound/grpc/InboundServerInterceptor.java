package io.mesh4j.runtime.inbound.grpc;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.mesh4j.MeshJwt;
import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.inbound.transport.TlsPeers;
import io.mesh4j.runtime.metrics.InboundMetrics;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/**
 * Runs each call through its connection's filter chain ({@code chain.handle}) before the application sees it: a
 * reply closes the call with the reply's gRPC status and body as description; otherwise the caller's
 * {@link MeshPeer} is in the call's {@link Context}. On the mesh's own server the chain and connection come with the
 * transport ({@link InboundAttributes}); on a server the application built, the chain is chosen per call from what
 * the transport tells (addresses, TLS session).
 */
public final class InboundServerInterceptor implements ServerInterceptor {
  private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>() {};

  private final InboundPort port;
  private final InboundMetrics metrics;

  public InboundServerInterceptor(InboundPort port) {
    this(port, null);
  }

  /** @param metrics where served calls are recorded (reporter {@code destination}), or null when metrics are off */
  public InboundServerInterceptor(InboundPort port, InboundMetrics metrics) {
    this.port = port;
    this.metrics = metrics;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> served, Metadata headers, ServerCallHandler<Q, A> next) {
    long start = metrics == null ? 0 : metrics.now();
    ServerCall<Q, A> call = served;
    Attributes attributes = call.getAttributes();
    InboundChain chain = attributes.get(InboundAttributes.CHAIN);
    DownstreamConnection connection;
    MeshPeer peer;
    if (chain != null) {
      connection = attributes.get(InboundAttributes.CONNECTION);
      peer = attributes.get(InboundAttributes.PEER);
    } else {
      // A server the application built: the transport is not ours, so the chain is chosen for each call.
      SSLSession session = attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      ConnectionFacts facts = facts(attributes, session);
      chain = facts == null ? null : port.chainFor(facts);
      if (chain == null) {
        call.close(Status.UNAVAILABLE.withDescription(facts == null
            ? "mesh: the call's addresses are unknown, no filter chain can be chosen"
            : "mesh: no filter chain of the server listener for port " + port.port() + " accepts this connection"),
            new Metadata());
        return (ServerCall.Listener<Q>) NOOP;
      }
      PeerIdentity identity = TlsPeers.identity(session);
      String refusal = refusal(chain, session, identity);
      if (refusal != null) {
        call.close(Status.UNAVAILABLE.withDescription(refusal), new Metadata());
        return (ServerCall.Listener<Q>) NOOP;
      }
      connection = new DownstreamConnection(facts, identity);
      peer = TlsPeers.forApplication(identity);
    }
    RecordingServerCall<Q, A> recording = null;
    if (metrics != null) {
      // Only calls the chain sees are requests; a connection its chain refuses is not (as in Envoy).
      recording = new RecordingServerCall<>(call, metrics, start,
          connection == null || connection.peer() == null ? null : connection.peer().principalName());
      call = recording;
    }
    GrpcInboundRequest request = new GrpcInboundRequest(call.getAuthority(),
        call.getMethodDescriptor().getFullMethodName(), headers, connection);
    InboundReply reply = chain.handle(request);
    if (reply != null) {
      Metadata trailers = new Metadata();
      for (Map.Entry<String, String> header : reply.headers().entrySet()) {
        try {
          trailers.put(Metadata.Key.of(header.getKey(), Metadata.ASCII_STRING_MARSHALLER), header.getValue());
        } catch (IllegalArgumentException notAGrpcHeader) {
          // a header gRPC cannot carry (binary or invalid name) is left out of the trailers
        }
      }
      call.close(Status.fromCodeValue(reply.grpcStatusCode()).withDescription(reply.body()), trailers);
      return (ServerCall.Listener<Q>) NOOP;
    }
    MeshJwt jwt = request.verifiedJwt();
    ServerCall.Listener<Q> listener;
    if (peer == null && jwt == null) {
      listener = next.startCall(call, headers);
    } else {
      Context context = Context.current();
      if (peer != null) {
        context = context.withValue(InboundAttributes.PEER_CONTEXT_KEY, peer);
      }
      if (jwt != null) {
        context = context.withValue(InboundAttributes.JWT_CONTEXT_KEY, jwt);
      }
      listener = Contexts.interceptCall(context, call, headers, next);
    }
    return recording == null ? listener : recording.listen(listener);
  }

  /**
   * Why a call on a server the application built breaks its chain's TLS terms (the handshake would have refused it
   * on the mesh's own server), or null.
   */
  private static String refusal(InboundChain chain, SSLSession session, PeerIdentity peer) {
    if (chain.tls() == null) {
      return null;
    }
    if (session == null) {
      return "mesh: filter chain " + chain.name() + " requires TLS; the call came in plaintext";
    }
    if (chain.tls().requireClientCertificate() && peer == null) {
      return "mesh: filter chain " + chain.name() + " requires a client certificate; the caller presented none";
    }
    return null;
  }

  /** What a call's transport tells of its connection, or null without both addresses. */
  private static ConnectionFacts facts(Attributes attributes, SSLSession session) {
    SocketAddress local = attributes.get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR);
    SocketAddress remote = attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (!(local instanceof InetSocketAddress localAddress) || !(remote instanceof InetSocketAddress remoteAddress)) {
      return null;
    }
    if (session == null) {
      return new ConnectionFacts(localAddress, remoteAddress, ConnectionFacts.RAW_BUFFER, null, List.of());
    }
    return new ConnectionFacts(localAddress, remoteAddress, ConnectionFacts.TLS, serverName(session), List.of("h2"));
  }

  private static String serverName(SSLSession session) {
    if (session instanceof ExtendedSSLSession extended) {
      for (SNIServerName name : extended.getRequestedServerNames()) {
        if (name instanceof SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return null;
  }
}
