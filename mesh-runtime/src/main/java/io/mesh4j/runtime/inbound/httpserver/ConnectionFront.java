package io.mesh4j.runtime.inbound.httpserver;

import io.mesh4j.runtime.inbound.ConnectionFacts;
import io.mesh4j.runtime.inbound.DownstreamConnection;
import io.mesh4j.runtime.inbound.InboundChain;
import io.mesh4j.runtime.inbound.InboundPort;
import io.mesh4j.runtime.inbound.PeerIdentity;
import io.mesh4j.runtime.inbound.ServerTls;
import io.mesh4j.runtime.inbound.transport.ClientHelloSniffer;
import io.mesh4j.runtime.inbound.transport.SniffResult;
import io.mesh4j.runtime.inbound.transport.TlsPeers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket a JDK HTTP server under the mesh listens on. The JDK server cannot look at a connection before it
 * parses HTTP (nor mix TLS and plaintext on one port), so the front accepts each connection, sniffs its first bytes,
 * asks the port for the filter chain, terminates the chain's TLS, and streams the bytes both ways to the JDK server
 * listening on loopback. Each stream to the JDK server is registered by its local address, which is the remote
 * address the JDK server sees, so its requests find their connection ({@link #connection}); connections that did not
 * come through the front have none and are refused.
 */
public final class ConnectionFront implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionFront.class);
  private static final int PUMP_BUFFER = 16 * 1024;
  private static final String[] HTTP_1_1 = {"http/1.1"};

  private final InboundPort port;
  private final ServerSocket socket;
  private final InetSocketAddress backend;
  private final Duration sniffTimeout;
  private final ExecutorService threads;
  private final Map<SocketAddress, FrontConnection> byBackendAddress = new ConcurrentHashMap<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param address where clients connect (its port is {@code port}'s)
   * @param backend the JDK server's loopback address
   */
  public ConnectionFront(InboundPort port, InetSocketAddress address, int backlog, InetSocketAddress backend,
      Duration sniffTimeout) throws IOException {
    this.port = port;
    this.backend = backend;
    this.sniffTimeout = sniffTimeout;
    this.socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(address, backlog);
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = task -> {
      Thread thread = new Thread(task, "mesh4j-http-front-" + port.port() + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    this.threads = Executors.newCachedThreadPool(factory);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** Starts accepting. */
  public void start() {
    threads.execute(this::accept);
  }

  /** The connection a request the JDK server read came on, by the remote address it saw; null if not ours. */
  public FrontConnection connection(InetSocketAddress backendRemoteAddress) {
    return byBackendAddress.get(backendRemoteAddress);
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("mesh4j inbound port {}: accepting failed", port.port(), e);
          pauseAfterAcceptFailure();
        }
        continue;
      }
      open.add(client);
      threads.execute(() -> serve(client));
    }
  }

  /** A failing accept (out of file descriptors) would otherwise spin a core. */
  private static void pauseAfterAcceptFailure() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void serve(Socket client) {
    Socket toClient = client;
    Socket toBackend = null;
    SocketAddress registered = null;
    try {
      client.setTcpNoDelay(true);
      client.setSoTimeout(Math.toIntExact(Math.max(1, sniffTimeout.toMillis())));
      byte[] first = new byte[4096];
      int length = 0;
      SniffResult sniffed = SniffResult.NEED_MORE;
      InputStream in = client.getInputStream();
      while (!sniffed.done()) {
        if (length == first.length) {
          if (length >= ClientHelloSniffer.MAX_SNIFFED_BYTES) {
            sniffed = SniffResult.TOO_LARGE;
            break;
          }
          first = Arrays.copyOf(first, Math.min(length * 2, ClientHelloSniffer.MAX_SNIFFED_BYTES));
        }
        int n = in.read(first, length, first.length - length);
        if (n < 0) {
          return; // closed before saying anything decidable
        }
        length += n;
        sniffed = ClientHelloSniffer.sniff(ByteBuffer.wrap(first, 0, length));
      }
      if (sniffed.state() == SniffResult.State.TOO_LARGE) {
        log.debug("mesh4j inbound port {}: ClientHello too large from {}, closing", port.port(),
            client.getRemoteSocketAddress());
        return;
      }
      ConnectionFacts facts = new ConnectionFacts((InetSocketAddress) client.getLocalSocketAddress(),
          (InetSocketAddress) client.getRemoteSocketAddress(), sniffed.transportProtocol(), sniffed.serverName(),
          sniffed.applicationProtocols());
      InboundChain chain = port.chainFor(facts);
      if (chain == null) {
        log.debug("mesh4j inbound port {}: no filter chain for {}, closing", port.port(), facts);
        return;
      }
      FrontConnection connection;
      byte[] replay;
      if (chain.tls() == null) {
        connection = new FrontConnection(chain, new DownstreamConnection(facts, null), null, null);
        replay = Arrays.copyOf(first, length);
      } else {
        SSLSocket tls = terminate(client, chain.tls(), first, length);
        toClient = tls;
        open.add(tls);
        PeerIdentity peer = TlsPeers.identity(tls.getSession());
        connection = new FrontConnection(chain, new DownstreamConnection(facts, peer), TlsPeers.forApplication(peer),
            tls.getSession());
        replay = new byte[0];
      }
      toClient.setSoTimeout(0);
      toBackend = new Socket();
      toBackend.setTcpNoDelay(true);
      toBackend.connect(backend);
      open.add(toBackend);
      // Registered before the first byte reaches the JDK server, so its first request finds it.
      registered = toBackend.getLocalSocketAddress();
      byBackendAddress.put(registered, connection);
      OutputStream backendOut = toBackend.getOutputStream();
      backendOut.write(replay);
      backendOut.flush();
      Socket from = toClient;
      Socket to = toBackend;
      threads.execute(() -> pump(from, to, true));
      pump(toBackend, toClient, false);
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.debug("mesh4j inbound port {}: connection from {} ended: {}", port.port(),
            client.getRemoteSocketAddress(), e.toString());
      }
    } finally {
      if (registered != null) {
        byBackendAddress.remove(registered);
      }
      closeQuietly(toBackend);
      closeQuietly(toClient);
      closeQuietly(client);
    }
  }

  /** The chain's TLS over the accepted socket, the sniffed bytes read again as the start of the handshake. */
  private SSLSocket terminate(Socket client, ServerTls tls, byte[] first, int length) throws IOException {
    SSLSocket socket = (SSLSocket) tls.context().getSocketFactory()
        .createSocket(client, new ByteArrayInputStream(first, 0, length), true);
    socket.setUseClientMode(false);
    socket.setSSLParameters(tls.parameters());
    // A copy: the chain's parameters are shared by every connection. The JDK server speaks HTTP/1.1 only.
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setApplicationProtocols(HTTP_1_1);
    if (tls.requireClientCertificate()) {
      parameters.setNeedClientAuth(true);
    }
    socket.setSSLParameters(parameters);
    socket.startHandshake(); // still under the sniff timeout
    return socket;
  }

  /**
   * Copies bytes until the source ends. Client to server: a clean end is a half close, which the JDK server sees as
   * such. Server to client: the end closes the connection. A failure either way closes both.
   */
  private void pump(Socket from, Socket to, boolean towardsBackend) {
    byte[] buffer = new byte[PUMP_BUFFER];
    boolean clean = false;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
      if (towardsBackend) {
        to.shutdownOutput();
      }
      clean = true;
    } catch (IOException e) {
      if (!closed) {
        log.debug("mesh4j inbound port {}: stream ended: {}", port.port(), e.toString());
      }
    } finally {
      if (!clean || !towardsBackend) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }
  }

  private void closeQuietly(Socket s) {
    if (s == null) {
      return;
    }
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  /** Stops accepting; open connections go on until {@link #close}. */
  public void stopAccepting() {
    closed = true;
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  /** Stops accepting and closes every connection. */
  @Override
  public void close() {
    stopAccepting();
    for (Socket s : open) {
      closeQuietly(s);
    }
    threads.shutdownNow();
  }
}
