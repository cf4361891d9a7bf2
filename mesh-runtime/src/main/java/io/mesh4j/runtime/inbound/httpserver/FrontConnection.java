package io.mesh4j.runtime.inbound.httpserver;

import io.mesh4j.MeshPeer;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.InboundChain;
import javax.net.ssl.SSLSession;

/**
 * What the front learned of one client connection, for every request the JDK server reads from it.
 *
 * @param chain the filter chain the connection was matched to
 * @param connection the connection as RBAC sees it
 * @param peer the client's identity for the application, or null
 * @param session the TLS session, or null on plaintext
 */
record FrontConnection(InboundChain chain, DownstreamConnection connection, MeshPeer peer, SSLSession session) {}
