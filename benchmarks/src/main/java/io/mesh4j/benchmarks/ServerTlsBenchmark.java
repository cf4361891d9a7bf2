package io.mesh4j.benchmarks;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.mesh4j.Mesh;
import io.mesh4j.grpc.MeshGrpc;
import io.mesh4j.grpc.MeshGrpcServer;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * The cost of the mesh's mTLS server: the same grpc-java client (its own JSSE TLS, a client certificate) calls a
 * grpc-java server with plain JSSE TLS requiring client certificates, and {@link MeshGrpc#newServerBuilder} serving
 * a STRICT server listener from xDS (a {@code file_watcher} provider, istiod's {@code DownstreamTlsContext} with a
 * SPIFFE SAN check, rotating key and trust managers, the first bytes sniffed, the chain's HTTP filters per call).
 * Both present the same certificate and trust the same root. Two modes: a new channel per call (the server's
 * handshake) and one channel per client thread (steady state). Phases are interleaved. Arguments:
 * {@code [report.md] [seconds per phase] [rounds] [threads]}.
 */
public final class ServerTlsBenchmark {
  private static final String CATALOG_ID = "spiffe://cluster.local/ns/shop/sa/catalog";
  private static final String FRONTEND_ID = "spiffe://cluster.local/ns/shop/sa/frontend";
  private static final byte[] ANSWER = "{\"id\":42,\"name\":\"espresso\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] REQUEST = "{}".getBytes(StandardCharsets.UTF_8);
  private static final java.util.Queue<ManagedChannel> POOLED = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private ServerTlsBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path report = Path.of(args.length > 0 ? args[0] : "benchmarks/REPORT-server-tls.md");
    Duration phase = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 3);
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;

    Path dir = Files.createTempDirectory("mesh4j-server-tls-bench");
    KeyPair rootKeys = TlsLoadBenchmark.keys();
    X509Certificate root = TlsLoadBenchmark.sign("CN=bench-root", rootKeys, rootKeys, null, true, null);
    KeyPair serverKeys = TlsLoadBenchmark.keys();
    X509Certificate serverCert = TlsLoadBenchmark.sign("CN=catalog", serverKeys, rootKeys, root, false, CATALOG_ID);
    KeyPair clientKeys = TlsLoadBenchmark.keys();
    X509Certificate clientCert = TlsLoadBenchmark.sign("CN=frontend", clientKeys, rootKeys, root, false, FRONTEND_ID);
    // The mesh server's workload files, as Istio's agent writes them.
    Files.writeString(dir.resolve("cert-chain.pem"), TlsLoadBenchmark.pem(serverCert));
    Path keyFile = dir.resolve("key.pem");
    Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(keyFile, TlsLoadBenchmark.pem(new JcaPKCS8Generator(serverKeys.getPrivate(), null).generate()));
    Files.writeString(dir.resolve("root-cert.pem"), TlsLoadBenchmark.pem(root));

    ServerServiceDefinition echo = ServerServiceDefinition.builder("bench.Echo")
        .addMethod(EchoGrpcServer.CALL, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(ANSWER);
          response.onCompleted();
        }))
        .build();
    // JSSE on both servers (grpc-netty-shaded would otherwise pick BoringSSL for the plain one), TLS 1.3 both.
    Server plain = NettyServerBuilder.forPort(0)
        .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(keyManagers(serverKeys, serverCert))
                .trustManager(TlsLoadBenchmark.trustManager(root))
                .clientAuth(ClientAuth.REQUIRE), SslProvider.JDK)
            .build())
        .addService(echo).build().start();
    int meshPort = freePort();
    Path configDir = Files.createDirectory(dir.resolve("xds"));
    writeConfig(configDir, meshPort);
    ChannelCredentials client = TlsChannelCredentials.newBuilder()
        .keyManager(keyManagers(clientKeys, clientCert).getKeyManagers())
        .trustManager(TlsLoadBenchmark.trustManager(root))
        .build();
    try (LocalControlPlane controlPlane = LocalControlPlane.start(configDir, 0);
        Mesh mesh = Mesh.builder().bootstrapJson(withServerTemplate(
            TlsLoadBenchmark.withFileWatcher(controlPlane.bootstrapJson(), dir))).build()) {
      MeshGrpcServer meshServer = MeshGrpc.newServerBuilder(mesh, meshPort).addService(echo).build().start();
      try {
        meshServer.ready().toCompletableFuture().get(30, TimeUnit.SECONDS);
        String[] targets = {"127.0.0.1:" + plain.getPort(), "127.0.0.1:" + meshPort};
        ClosedLoopLoad.Call[] calls = {
            () -> callOnNewChannel(targets[0], client), () -> callOnNewChannel(targets[1], client),
            pooled(targets[0], client), pooled(targets[1], client)};
        for (ClosedLoopLoad.Call call : calls) {
          ClosedLoopLoad.run(call, threads, Duration.ofSeconds(2)); // JIT, the chains' TLS material, the pools
        }
        PhaseResult[] totals = {PhaseResult.EMPTY, PhaseResult.EMPTY, PhaseResult.EMPTY, PhaseResult.EMPTY};
        for (int round = 0; round < rounds; round++) {
          for (int i = 0; i < calls.length; i++) {
            totals[i] = totals[i].plus(ClosedLoopLoad.run(calls[i], threads, phase));
          }
        }
        String markdown = report(totals, threads, phase, rounds);
        System.out.println(markdown);
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, markdown);
      } finally {
        for (ManagedChannel channel : POOLED) {
          channel.shutdownNow();
        }
        meshServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    } finally {
      plain.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** One call on a channel of its own: the server does a full handshake for it. */
  private static void callOnNewChannel(String target, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = Grpc.newChannelBuilder(target, credentials).overrideAuthority("127.0.0.1").build();
    try {
      call(channel);
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Calls on one long-lived channel per client thread (all shut down when the benchmark ends). */
  private static ClosedLoopLoad.Call pooled(String target, ChannelCredentials credentials) {
    ThreadLocal<ManagedChannel> channels = ThreadLocal.withInitial(() -> {
      ManagedChannel channel = Grpc.newChannelBuilder(target, credentials).overrideAuthority("127.0.0.1").build();
      POOLED.add(channel);
      return channel;
    });
    return () -> call(channels.get());
  }

  private static void call(ManagedChannel channel) {
    byte[] answer = ClientCalls.blockingUnaryCall(channel, EchoGrpcServer.CALL,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), REQUEST);
    if (answer.length != ANSWER.length) {
      throw new IllegalStateException("unexpected answer");
    }
  }

  private static String report(PhaseResult[] t, int threads, Duration phase, int rounds) {
    StringBuilder md = new StringBuilder();
    md.append("### mTLS server: grpc-java with plain JSSE TLS vs MeshGrpc.newServerBuilder (STRICT)\n\n");
    md.append(String.format(Locale.ROOT,
        "Run %s on %d cores, %d client threads, %d rounds of %d s per phase (interleaved); the same grpc-java TLS "
            + "client with a client certificate (EC P-256; JSSE with its defaults on both servers). \"new channel\" opens a "
            + "channel per call (a server handshake each time); \"pooled\" keeps one per thread.%n%n",
        Instant.now().toString().substring(0, 19) + "Z", Runtime.getRuntime().availableProcessors(), threads, rounds,
        phase.toSeconds()));
    md.append("| server | calls | calls/s | p50 (µs) | p99 (µs) |\n|---|---:|---:|---:|---:|\n");
    md.append(t[0].row("plain TLS, new channel"));
    md.append(t[1].row("mesh mTLS, new channel"));
    md.append(ratio("mesh / plain, new channel", t[1], t[0]));
    md.append(t[2].row("plain TLS, pooled"));
    md.append(t[3].row("mesh mTLS, pooled"));
    md.append(ratio("mesh / plain, pooled", t[3], t[2]));
    return md.toString();
  }

  private static String ratio(String name, PhaseResult mesh, PhaseResult bare) {
    return String.format(Locale.ROOT, "| **%s** | | **%.3f** | **%.3f** | **%.3f** |%n", name,
        mesh.throughput() / bare.throughput(), mesh.percentile(50) / bare.percentile(50),
        mesh.percentile(99) / bare.percentile(99));
  }

  private static KeyManagerFactory keyManagers(KeyPair keys, X509Certificate cert) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("me", keys.getPrivate(), new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, new char[0]);
    return kmf;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String withServerTemplate(String bootstrapJson) {
    int end = bootstrapJson.lastIndexOf('}');
    return bootstrapJson.substring(0, end)
        + ",\n  \"server_listener_resource_name_template\": \"xds.istio.io/grpc/lds/inbound/%s\"\n}\n";
  }

  /** istiod's STRICT inbound listener for a proxyless server: one mTLS chain, RBAC-free, non-forwarding routes. */
  private static void writeConfig(Path dir, int port) throws IOException {
    Files.writeString(dir.resolve("server.yaml"), """
        resources:
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: xds.istio.io/grpc/lds/inbound/0.0.0.0:%1$d
          address:
            socket_address: {address: 0.0.0.0, port_value: %1$d}
          filter_chains:
          - name: inbound-mtls
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
                require_client_certificate: true
                common_tls_context:
                  tls_certificate_provider_instance: {instance_name: default, certificate_name: default}
                  combined_validation_context:
                    default_validation_context:
                      ca_certificate_provider_instance: {instance_name: default, certificate_name: ROOTCA}
                      match_typed_subject_alt_names:
                      - san_type: URI
                        matcher: {exact: "%2$s"}
            filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: inbound
                route_config:
                  name: inbound
                  virtual_hosts:
                  - name: inbound
                    domains: ["*"]
                    routes:
                    - match: {prefix: /}
                      non_forwarding_action: {}
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
        """.formatted(port, FRONTEND_ID));
  }
}
