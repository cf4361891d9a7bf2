package io.mesh4j.samples.interop;

import static io.mesh4j.runtime.testing.ServerListeners.allowAll;
import static io.mesh4j.runtime.testing.ServerListeners.chain;
import static io.mesh4j.runtime.testing.ServerListeners.match;
import static io.mesh4j.runtime.testing.ServerListeners.mtls;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mesh4j.Mesh;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import io.mesh4j.runtime.testing.XdsResources;
import io.mesh4j.samples.interop.proto.SimpleRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The interop server under a mesh as the suite's xDS server under test: a real control plane serving its two server
 * listeners ({@code --port} and {@code --http_port}), workload certificates from the bootstrap's {@code file_watcher}
 * provider, and clients of every kind: gRPC and OkHttp, plaintext, TLS without a client certificate, and mutual TLS.
 * Each {@link #serve} waits until the mesh has ACKed both listeners; clients are new per config, because a connection
 * keeps the filter chain it was matched to.
 */
final class MeshServedInterop implements AutoCloseable {
  static final String NS = "spiffe://cluster.local/ns/interop/sa/";
  static final String CLIENT_ID = NS + "client";
  static final String XDS_HOST = "server.interop";
  static final int XDS_PORT = 8080;
  /** What the suite's clients send as {@code :authority} / {@code Host} (the xDS target), whatever port they reach. */
  static final String AUTHORITY = XDS_HOST + ":" + XDS_PORT;
  static final Duration WAIT = Duration.ofSeconds(30);
  static final Metadata.Key<String> TEST_KEY = Metadata.Key.of("test", Metadata.ASCII_STRING_MARSHALLER);

  enum Security {
    PLAINTEXT,
    TLS,
    MTLS
  }

  final TestPki.Ca root = TestPki.root("interop-root");
  final TestPki.Leaf client = root.leaf().spiffe(CLIENT_ID).issue();
  final LoopbackControlPlane controlPlane = LoopbackControlPlane.start();
  final int grpcPort = HandBuiltInbound.freePort();
  final int httpPort = HandBuiltInbound.freePort();
  final Mesh mesh;
  final InteropServer server;
  private final List<AutoCloseable> clients = new ArrayList<>();
  private int version;

  MeshServedInterop(Path certs) {
    root.leaf().spiffe(NS + "server").dns(XDS_HOST).issue().writeIstioFiles(certs, root.certificate());
    mesh = Mesh.builder().bootstrapJson(ServerListeners.withServerTemplate(
        TlsResources.withFileWatcher(controlPlane.bootstrapJson(), "default", certs, "600s"))).build();
    try {
      server = InteropServer.startUnderMesh(mesh, grpcPort, httpPort, 0, "b0");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String grpcListenerName(int port) {
    return ServerListeners.name("0.0.0.0:" + port);
  }

  /** Serves these listeners as the next snapshot and waits until the mesh ACKed each of them at that version. */
  void serve(Listener... listeners) {
    serveWithClientResources(List.of(listeners), List.of(), List.of(), List.of(), List.of());
  }

  /**
   * Serves the server's listeners and, in the same snapshot, a client's resources (API listeners, routes, clusters,
   * endpoints); waits until the server's mesh ACKed its listeners at that version.
   */
  void serveWithClientResources(List<Listener> serverListeners, List<Listener> apiListeners,
      List<RouteConfiguration> routes, List<Cluster> clusters, List<ClusterLoadAssignment> endpoints) {
    String v = Integer.toString(++version);
    List<Listener> listeners = new ArrayList<>(serverListeners);
    listeners.addAll(apiListeners);
    controlPlane.setSnapshot(v, listeners, routes, clusters, endpoints);
    for (Listener listener : serverListeners) {
      await().atMost(WAIT).until(() -> {
        ResourceStatus status = status(listener.getName());
        return status != null && v.equals(status.version()) && status.state() == ResourceState.ACKED;
      });
    }
    server.ready().toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /**
   * Serves this snapshot and waits until the mesh NACKed {@code name} with an error that names {@code field};
   * returns that error.
   */
  String serveRejected(String name, String field, Listener... listeners) {
    String v = Integer.toString(++version);
    controlPlane.setSnapshot(v, List.of(listeners), List.of(), List.of(), List.of());
    await().atMost(WAIT).until(() -> status(name) != null && status(name).state() == ResourceState.NACKED
        && status(name).errorDetail() != null && status(name).errorDetail().contains(field));
    return status(name).errorDetail();
  }

  ResourceStatus status(String name) {
    return mesh.status().resources().stream().filter(r -> r.typeUrl().equals(XdsResources.LDS)
        && r.name().equals(name)).findFirst().orElse(null);
  }

  /** istiod's PERMISSIVE listener for {@code port}: TLS connections to the mTLS chain, others to plaintext. */
  static Listener permissive(int port, HttpConnectionManager hcm, boolean requireClientCertificate) {
    return ServerListeners.listener(grpcListenerName(port), "0.0.0.0", port)
        .addListenerFilters(ServerListeners.tlsInspector())
        .addFilterChains(chain("mtls", match().setTransportProtocol("tls").build(),
            mtls("default", requireClientCertificate), hcm))
        .addFilterChains(chain("plaintext", match().setTransportProtocol("raw_buffer").build(), null, hcm))
        .build();
  }

  /** istiod's STRICT listener for {@code port}: only the mTLS chain, a client certificate required. */
  static Listener strict(int port, HttpConnectionManager hcm) {
    return ServerListeners.listener(grpcListenerName(port), "0.0.0.0", port)
        .addListenerFilters(ServerListeners.tlsInspector())
        .addFilterChains(chain("mtls", match().setTransportProtocol("tls").build(), mtls("default", true), hcm))
        .build();
  }

  /** An inbound HCM: these HTTP filters (name, config) in order, then the router; istiod's allow-all routes. */
  @SafeVarargs
  static HttpConnectionManager hcm(Map.Entry<String, Message>... filters) {
    HttpConnectionManager.Builder hcm = HttpConnectionManager.newBuilder().setStatPrefix("inbound_0.0.0.0")
        .setRouteConfig(allowAll("inbound"));
    for (Map.Entry<String, Message> filter : filters) {
      hcm.addHttpFilters(HttpFilter.newBuilder().setName(filter.getKey()).setTypedConfig(Any.pack(filter.getValue())));
    }
    return hcm.addHttpFilters(XdsResources.routerFilter()).build();
  }

  /** A proto from proto-JSON with Envoy's field names; single quotes for readability in Java strings. */
  static <T extends Message> T proto(String json, Message.Builder builder) {
    try {
      JsonFormat.parser().merge(json.replace('\'', '"'), builder);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("bad test JSON: " + e.getMessage() + "\n" + json, e);
    }
    @SuppressWarnings("unchecked")
    T built = (T) builder.build();
    return built;
  }

  ManagedChannel grpcChannel(Security security) {
    ChannelCredentials credentials = switch (security) {
      case PLAINTEXT -> InsecureChannelCredentials.create();
      case TLS -> TlsChannelCredentials.newBuilder()
          .trustManager(HandBuiltInbound.trustManagers(root.certificate()).getTrustManagers()).build();
      case MTLS -> TlsChannelCredentials.newBuilder()
          .keyManager(HandBuiltInbound.keyManagers(client).getKeyManagers())
          .trustManager(HandBuiltInbound.trustManagers(root.certificate()).getTrustManagers()).build();
    };
    ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + grpcPort, credentials)
        .overrideAuthority(AUTHORITY).build();
    clients.add(channel::shutdownNow);
    return channel;
  }

  OkHttpClient httpClient(Security security) {
    OkHttpClient.Builder builder = new OkHttpClient.Builder().dns(host -> List.of(InetAddress.getLoopbackAddress()))
        .callTimeout(WAIT).retryOnConnectionFailure(false);
    if (security != Security.PLAINTEXT) {
      SSLContext context = HandBuiltInbound.clientContext(security == Security.MTLS ? client : null,
          root.certificate());
      builder.sslSocketFactory(context.getSocketFactory(),
          (X509TrustManager) HandBuiltInbound.trustManagers(root.certificate()).getTrustManagers()[0]);
    }
    OkHttpClient client = builder.build();
    clients.add(() -> {
      client.dispatcher().executorService().shutdownNow();
      client.connectionPool().evictAll();
    });
    return client;
  }

  /** A gRPC UnaryCall with these headers: OK or the status code it failed with. */
  static Status.Code unaryCall(ManagedChannel channel, Map<String, String> headers) {
    Metadata metadata = new Metadata();
    headers.forEach((name, value) -> metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
    try {
      ClientCalls.blockingUnaryCall(
          ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(metadata)),
          InteropServices.UNARY_CALL, CallOptions.DEFAULT.withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS),
          SimpleRequest.getDefaultInstance());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** An HTTP {@code POST /grpc.testing.TestService/UnaryCall} with these headers: "status body" or the failure. */
  String httpUnaryCall(OkHttpClient client, Security security, Map<String, String> headers) {
    Request.Builder request = new Request.Builder()
        .url((security == Security.PLAINTEXT ? "http" : "https") + "://" + XDS_HOST + ":" + httpPort
            + "/grpc.testing.TestService/UnaryCall")
        .header("Host", AUTHORITY)
        .post(RequestBody.create(new byte[0], null));
    headers.forEach(request::header);
    try (Response response = client.newCall(request.build()).execute()) {
      return response.code() + " " + response.body().string();
    } catch (IOException e) {
      return "failed: " + e;
    }
  }

  /** Closes the clients made so far (the next config gets new connections). */
  void closeClients() {
    for (AutoCloseable client : clients) {
      try {
        client.close();
      } catch (Exception e) {
        // a client that fails to close does not matter to the next config
      }
    }
    clients.clear();
  }

  @Override
  public void close() {
    closeClients();
    server.close();
    controlPlane.close();
  }
}
