package io.mesh4j.samples.gateway;

import com.google.gson.JsonParser;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import io.mesh4j.Mesh;
import io.mesh4j.OutboundTrafficPolicy;
import io.mesh4j.samples.controlplane.ConfigLoadException;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Everything the sample runs, on loopback: IAP's stand-in (a key and its JWKS server), the in-mesh {@code orders}
 * service, the on-premises {@code ledger} (HTTPS, certificate from a test CA whose root is written to a file), the
 * local control plane serving the YAML with this run's ports and files filled in, the mesh, and the gateway.
 */
final class GatewaySetup implements AutoCloseable {
  static final String UPSTREAM = "http://partner-api.internal";
  static final String LEDGER_HOST = "ledger.onprem.example";
  static final List<String> CONFIG_FILES =
      List.of("gateway-listener.yaml", "partner-api.yaml", "clusters.yaml", "iap-keys.yaml");
  /** Istio's name for a proxyless server's listener: the gateway's port is served from that resource. */
  static final String SERVER_LISTENER_TEMPLATE = "xds.istio.io/grpc/lds/inbound/%s";

  /** Ports ({@code 0}: any free one; the gateway's must be real, its listener is named by it), templates, hooks. */
  record Settings(int xdsPort, int gatewayPort, int ordersPort, int ledgerPort, int jwksPort, Path templates,
      Backend.StreamHooks hooks) {
    Settings {
      Objects.requireNonNull(hooks, "hooks");
    }

    static Settings defaults(Path templates) {
      return new Settings(18100, 18101, 18102, 18103, 18104, templates, Backend.StreamHooks.NONE);
    }
  }

  final Path runDir;
  final IapKeys iap = IapKeys.generate("sample-iap-key-1");
  private HttpServer jwks;
  Backend orders;
  Backend ledger;
  LocalControlPlane controlPlane;
  Mesh mesh;
  PartnerGateway gateway;

  private GatewaySetup(Path runDir) {
    this.runDir = runDir;
  }

  static GatewaySetup start(Settings settings) throws IOException, ConfigLoadException {
    // The JDK server writes a response's headers and body separately; with Nagle's algorithm on, the second write
    // waits for the client's delayed ACK (40 ms on Linux). Read once, when the first server is made.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    GatewaySetup setup = new GatewaySetup(Files.createTempDirectory("mesh4j-partner-gateway"));
    try {
      setup.startAll(settings);
      return setup;
    } catch (IOException | ConfigLoadException | RuntimeException e) {
      setup.close();
      throw e;
    }
  }

  private void startAll(Settings settings) throws IOException, ConfigLoadException {
    // The on-premises side: its own CA, which only the onprem-ledger cluster trusts.
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
        .commonName("On-Premises Test CA").build();
    HeldCertificate ledgerCertificate = new HeldCertificate.Builder().commonName(LEDGER_HOST)
        .addSubjectAlternativeName(LEDGER_HOST).signedBy(ca).build();
    Path caFile = runDir.resolve("onprem-ca.pem");
    Files.writeString(caFile, ca.certificatePem());
    ledger = Backend.startTls("ledger", settings.ledgerPort(),
        new HandshakeCertificates.Builder().heldCertificate(ledgerCertificate).build().sslContext(),
        settings.hooks());
    orders = Backend.start("orders", settings.ordersPort(), settings.hooks());

    jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.jwksPort()), 0);
    byte[] keys = iap.jwksJson().getBytes(StandardCharsets.UTF_8);
    jwks.createContext(IapKeys.JWKS_PATH, exchange -> {
      try (exchange) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, keys.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(keys);
        }
      }
    });
    jwks.start();

    int gatewayPort = settings.gatewayPort() != 0 ? settings.gatewayPort() : freePort();
    Path templates = settings.templates() != null ? settings.templates()
        : ConfigTemplates.extractBundled(runDir.resolve("templates"), CONFIG_FILES);
    Path config = ConfigTemplates.render(templates, runDir.resolve("config"), Map.of(
        "GATEWAY_PORT", Integer.toString(gatewayPort),
        "ORDERS_PORT", Integer.toString(orders.port()),
        "LEDGER_PORT", Integer.toString(ledger.port()),
        "JWKS_PORT", Integer.toString(jwks.getAddress().getPort()),
        "ONPREM_CA_FILE", caFile.toString().replace('\\', '/')));
    controlPlane = LocalControlPlane.start(config, settings.xdsPort());

    mesh = Mesh.builder()
        .bootstrapJson(serverBootstrap(controlPlane.bootstrapJson("partner-gateway", "partner-gateway")))
        .outboundTrafficPolicy(OutboundTrafficPolicy.REGISTRY_ONLY) // an edge reaches only what the mesh names
        .listenerWait(Duration.ofSeconds(15))
        .build();
    gateway = PartnerGateway.start(mesh, gatewayPort, HttpUrl.get(UPSTREAM), 64);
  }

  /** The control plane's bootstrap, with the template under which the gateway's port asks for its listener. */
  static String serverBootstrap(String bootstrapJson) {
    JsonObject bootstrap = JsonParser.parseString(bootstrapJson).getAsJsonObject();
    bootstrap.addProperty("server_listener_resource_name_template", SERVER_LISTENER_TEMPLATE);
    return bootstrap.toString();
  }

  /** Waits until the gateway's listener arrived. */
  void awaitReady(Duration timeout) throws Exception {
    gateway.ready().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  String gatewayUrl() {
    return "http://127.0.0.1:" + gateway.port();
  }

  private static int freePort() throws IOException {
    try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (gateway != null) {
      gateway.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (jwks != null) {
      jwks.stop(0);
    }
    if (orders != null) {
      orders.close();
    }
    if (ledger != null) {
      ledger.close();
    }
    deleteRunDir();
  }

  /** The run's files (rendered YAML, the CA) go with the run. */
  private void deleteRunDir() {
    try (var files = Files.walk(runDir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // A leftover temporary directory is not worth failing a shutdown for.
    }
  }
}
