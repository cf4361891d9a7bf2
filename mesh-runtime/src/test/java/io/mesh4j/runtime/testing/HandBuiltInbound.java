package io.mesh4j.runtime.testing;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.InboundReply;
import io.mesh4j.runtime.inbound.InboundRequest;
import io.mesh4j.runtime.inbound.ServerTls;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Server listeners made by hand, for the server adapters' tests until the xDS side serves them: an
 * {@link InboundPort} whose chain choice the test sets (and can change), chains with real JSSE TLS over
 * {@link TestPki} certificates, and the clients' SSL contexts.
 */
public final class HandBuiltInbound {
  private HandBuiltInbound() {}

  /** A port with no listener yet: not ready, no chain for anyone, until {@link Port#serve} is called. */
  public static Port port(int port) {
    return new Port(port);
  }

  /** A chain that lets every request through ({@code tls} null for plaintext). */
  public static Chain chain(String name, ServerTls tls) {
    return new Chain(name, tls, request -> null);
  }

  /** A chain that answers each request with {@code policy}'s reply, or lets it through on null. */
  public static Chain chain(String name, ServerTls tls, Function<InboundRequest, InboundReply> policy) {
    return new Chain(name, tls, policy);
  }

  /** RBAC's denial as Envoy sends it. */
  public static InboundReply denied(String policy) {
    return new InboundReply(403, "RBAC: access denied", Map.of(), policy);
  }

  /** A server's TLS presenting {@code identity}, verifying client certificates against {@code clientRoots}. */
  public static ServerTls serverTls(TestPki.Leaf identity, boolean requireClientCertificate,
      X509Certificate... clientRoots) {
    SSLContext context = context(identity, clientRoots);
    SSLParameters parameters = context.getDefaultSSLParameters();
    parameters.setWantClientAuth(true); // ask, so that PERMISSIVE-like chains still learn the peer when it has one
    return new ServerTls(context, parameters, requireClientCertificate);
  }

  /** A client's TLS context: its certificate (or none) and the roots it trusts the server by. */
  public static SSLContext clientContext(TestPki.Leaf identity, X509Certificate... serverRoots) {
    return context(identity, serverRoots);
  }

  public static KeyManagerFactory keyManagers(TestPki.Leaf identity) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      if (identity != null) {
        keys.setKeyEntry("me", identity.privateKey(), new char[0], identity.chain().toArray(new Certificate[0]));
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      return kmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static TrustManagerFactory trustManagers(X509Certificate... roots) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < roots.length; i++) {
        trust.setCertificateEntry("root" + i, roots[i]);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return tmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext context(TestPki.Leaf identity, X509Certificate... roots) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers(identity).getKeyManagers(), trustManagers(roots).getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A port free right now, that no outgoing connection can be given before the server binds it. */
  public static int freePort() {
    return FreePorts.next();
  }

  /** A server port whose chain choice the test sets; records every connection's facts. */
  public static final class Port implements InboundPort {
    private final int port;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final List<ConnectionFacts> connections = new CopyOnWriteArrayList<>();
    private volatile Function<ConnectionFacts, InboundChain> chains = facts -> null;
    private volatile boolean closed;

    private Port(int port) {
      this.port = port;
    }

    /** The listener arrived: from now on connections get {@code chains}' answer. */
    public Port serve(Function<ConnectionFacts, InboundChain> chains) {
      this.chains = chains;
      ready.complete(null);
      return this;
    }

    /** One chain for every connection (a listener with only a default chain). */
    public Port serve(InboundChain only) {
      return serve(facts -> only);
    }

    /** PERMISSIVE as istiod sends it: the TLS chain for {@code tls} connections, the plaintext one otherwise. */
    public Port servePermissive(InboundChain tls, InboundChain plaintext) {
      return serve(facts -> facts.isTls() ? tls : plaintext);
    }

    /** STRICT as istiod sends it: only connections that start a TLS handshake get a chain. */
    public Port serveStrict(InboundChain tls) {
      return serve(facts -> facts.isTls() ? tls : null);
    }

    public List<ConnectionFacts> connections() {
      return List.copyOf(connections);
    }

    public boolean closed() {
      return closed;
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public CompletionStage<Void> ready() {
      return ready;
    }

    @Override
    public InboundChain chainFor(ConnectionFacts facts) {
      connections.add(facts);
      return chains.apply(facts);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** A chain that records the requests it handled. */
  public static final class Chain implements InboundChain {
    private final String name;
    private final ServerTls tls;
    private final Function<InboundRequest, InboundReply> policy;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private Chain(String name, ServerTls tls, Function<InboundRequest, InboundReply> policy) {
      this.name = name;
      this.tls = tls;
      this.policy = policy;
    }

    /** What a chain saw of one request, read while it was handled (request objects may be reused after). */
    public record Seen(String method, String path, String authority, String scheme, String header,
        ConnectionFacts facts, String principal) {}

    public List<Seen> seen() {
      return List.copyOf(seen);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public ServerTls tls() {
      return tls;
    }

    @Override
    public InboundReply handle(InboundRequest request) {
      seen.add(new Seen(request.header(":method"), request.header(":path"), request.header(":authority"),
          request.header(":scheme"), request.header("x-test"), request.connection().facts(),
          request.connection().peer() == null ? null : request.connection().peer().principalName()));
      return policy.apply(request);
    }
  }
}
