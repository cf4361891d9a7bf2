package io.mesh4j.grpc;

import static io.mesh4j.runtime.testing.ServerListeners.chain;
import static io.mesh4j.runtime.testing.ServerListeners.inlineHcm;
import static io.mesh4j.runtime.testing.ServerListeners.allowAll;
import static io.mesh4j.runtime.testing.ServerListeners.match;
import static io.mesh4j.runtime.testing.ServerListeners.mtls;
import static io.mesh4j.runtime.testing.ServerListeners.plainChain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.mesh4j.Mesh;
import io.mesh4j.MeshPeer;
import io.mesh4j.httpserver.MeshHttpServer;
import io.mesh4j.runtime.testing.HandBuiltInbound;
import io.mesh4j.runtime.testing.LoopbackControlPlane;
import io.mesh4j.runtime.testing.ServerListeners;
import io.mesh4j.runtime.testing.TestPki;
import io.mesh4j.runtime.testing.TlsResources;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InboundEndToEndTest {
  private static final String NS = "spiffe://cluster.local/ns/shop/sa/";
  @TempDir Path certs;

  @Test
  void permissiveFromARealListener() throws Exception {
    TestPki.Ca root = TestPki.root("root-a");
    root.leaf().spiffe(NS + "catalog").dns("catalog.shop.svc").issue().writeIstioFiles(certs, root.certificate());
    TestPki.Leaf frontend = root.leaf().spiffe(NS + "frontend").issue();
    int grpcPort = HandBuiltInbound.freePort();
    int httpPort = HandBuiltInbound.freePort();
    try (LoopbackControlPlane cp = LoopbackControlPlane.start()) {
      cp.setSnapshot("1", List.of(permissive(grpcPort), permissive(httpPort)), List.of(), List.of(), List.of());
      try (Mesh mesh = Mesh.builder().bootstrapJson(ServerListeners.withServerTemplate(
          TlsResources.withFileWatcher(cp.bootstrapJson(), "default", certs, "600s"))).build()) {
        MeshGrpcServer server = MeshGrpc.newServerBuilder(mesh, grpcPort).addService(MeshGrpcServerTest.service())
            .build().start();
        MeshHttpServer http = MeshHttpServer.create(mesh, httpPort);
        http.createContext("/", exchange -> {
          MeshPeer peer = MeshHttpServer.peer(exchange);
          byte[] body = ("peer=" + (peer == null ? "none" : peer.principalName())).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
        http.start();
        try {
          server.ready().toCompletableFuture().get(30, TimeUnit.SECONDS);
          http.ready().toCompletableFuture().get(30, TimeUnit.SECONDS);
          ManagedChannel plain = Grpc.newChannelBuilder("127.0.0.1:" + grpcPort,
              InsecureChannelCredentials.create()).build();
          ManagedChannel tls = Grpc.newChannelBuilder("127.0.0.1:" + grpcPort, TlsChannelCredentials.newBuilder()
              .keyManager(HandBuiltInbound.keyManagers(frontend).getKeyManagers())
              .trustManager(HandBuiltInbound.trustManagers(root.certificate()).getTrustManagers()).build())
              .overrideAuthority("catalog.shop.svc").build();
          ManagedChannel anonymous = Grpc.newChannelBuilder("127.0.0.1:" + grpcPort, TlsChannelCredentials.newBuilder()
              .trustManager(HandBuiltInbound.trustManagers(root.certificate()).getTrustManagers()).build())
              .overrideAuthority("catalog.shop.svc").build();
          assertThat(MeshGrpcServerTest.hello(plain, "hi")).isEqualTo("peer=none");
          assertThat(MeshGrpcServerTest.hello(tls, "hi")).isEqualTo("peer=" + NS + "frontend");
          assertThatThrownBy(() -> MeshGrpcServerTest.hello(anonymous, "hi"))
              .isInstanceOf(StatusRuntimeException.class);
          plain.shutdownNow();
          tls.shutdownNow();
          anonymous.shutdownNow();

          SSLContext context = HandBuiltInbound.clientContext(frontend, root.certificate());
          OkHttpClient client = new OkHttpClient.Builder().dns(h -> List.of(InetAddress.getLoopbackAddress()))
              .sslSocketFactory(context.getSocketFactory(),
                  (X509TrustManager) HandBuiltInbound.trustManagers(root.certificate()).getTrustManagers()[0])
              .build();
          try (Response r = client.newCall(new Request.Builder().url("https://catalog.shop.svc:" + httpPort + "/")
              .build()).execute()) {
            assertThat(r.body().string()).isEqualTo("peer=" + NS + "frontend");
          }
          try (Response r = client.newCall(new Request.Builder().url("http://catalog.shop.svc:" + httpPort + "/")
              .build()).execute()) {
            assertThat(r.body().string()).isEqualTo("peer=none");
          }
        } finally {
          server.shutdownNow();
          http.stop(0);
        }
      }
    }
  }

  private static Listener permissive(int port) {
    return ServerListeners.listener(ServerListeners.name("0.0.0.0:" + port), "0.0.0.0", port)
        .addListenerFilters(ServerListeners.tlsInspector())
        .addFilterChains(chain("mtls", match().setTransportProtocol("tls").build(),
            mtls("default", true, NS + "frontend"), inlineHcm(allowAll("inbound"))))
        .addFilterChains(plainChain("plaintext", match().setTransportProtocol("raw_buffer").build()))
        .build();
  }
}
