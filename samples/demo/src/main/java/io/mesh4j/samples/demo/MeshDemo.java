package io.mesh4j.samples.demo;

import io.mesh4j.Mesh;
import io.mesh4j.MeshConfigurationException;
import io.mesh4j.MeshRoutingException;
import io.mesh4j.ResourceState;
import io.mesh4j.ResourceStatus;
import io.mesh4j.samples.controlplane.ConfigLoadException;
import io.mesh4j.samples.controlplane.ConsoleLogging;
import io.mesh4j.samples.controlplane.LocalControlPlane;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The demo mesh: a local control plane serving {@code samples/demo/config}, catalog v1 and v2 on loopback, and a
 * client that calls {@code catalog.shop.svc.cluster.local:8080} through the mesh and prints, once a second, where
 * its requests went. Edit the configuration while it runs and watch the split follow.
 */
public final class MeshDemo implements AutoCloseable {
  static final String CATALOG_URL = "http://catalog.shop.svc.cluster.local:8080/items";
  static final String FEATURE_HEADER = "x-feature";
  static final String FEATURE_VALUE = "new-search";
  static final String ROUTES_TYPE_URL = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  static final String ROUTES_NAME = "catalog-routes";

  /** Where everything listens and how fast the client calls. */
  /** @param adminPort the mesh's admin endpoint: -1 none, 0 any free port */
  record Settings(Path configDir, int xdsPort, int v1Port, int v2Port, Duration requestInterval, int window,
      int adminPort) {
    Settings {
      Objects.requireNonNull(configDir, "configDir");
      Objects.requireNonNull(requestInterval, "requestInterval");
    }

    static Settings defaults(Path configDir) {
      return new Settings(configDir, LocalControlPlane.DEFAULT_PORT, 18081, 18082, Duration.ofMillis(100), 50,
          DemoArguments.DEFAULT_ADMIN_PORT);
    }

    Settings withAdminPort(int port) {
      return new Settings(configDir, xdsPort, v1Port, v2Port, requestInterval, window, port);
    }
  }

  private final Settings settings;
  private final PrintStream out;
  private final TrafficTally tally;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "mesh4j-demo-client");
    thread.setDaemon(true);
    return thread;
  });
  private LocalControlPlane controlPlane;
  private CatalogService v1;
  private CatalogService v2;
  private Mesh mesh;
  private OkHttpClient http;

  private MeshDemo(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
    this.tally = new TrafficTally(settings.window());
  }

  /**
   * Starts the control plane, both catalog versions and the mesh client; traffic starts with {@link #startTraffic}.
   *
   * @throws ConfigLoadException the configuration does not load
   * @throws IOException a port is taken
   * @throws MeshConfigurationException no mesh runtime is on the class path, or it refused the bootstrap
   */
  static MeshDemo start(Settings settings, PrintStream out) throws ConfigLoadException, IOException {
    MeshDemo demo = new MeshDemo(settings, out);
    try {
      demo.controlPlane = LocalControlPlane.start(settings.configDir(), settings.xdsPort());
      demo.v1 = CatalogService.start("v1", settings.v1Port());
      demo.v2 = CatalogService.start("v2", settings.v2Port());
      demo.mesh = Mesh.builder().bootstrapJson(demo.controlPlane.bootstrapJson("mesh4j-demo", "demo"))
          .adminPort(settings.adminPort()).build();
      demo.http = demo.mesh.okHttp(new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(3))).build();
      return demo;
    } catch (ConfigLoadException | IOException | RuntimeException e) {
      demo.close();
      throw e;
    }
  }

  void printIntro() {
    out.printf("mesh4j demo%n");
    out.printf("  control plane  127.0.0.1:%d serving %s%n", controlPlane.port(), controlPlane.configDir());
    out.printf("  catalog v1     127.0.0.1:%d%n", v1.port());
    out.printf("  catalog v2     127.0.0.1:%d%n", v2.port());
    out.printf("  client         GET %s, %d a second through the mesh, and one a second with %s: %s%n",
        CATALOG_URL, Math.max(1, 1000 / settings.requestInterval().toMillis()), FEATURE_HEADER, FEATURE_VALUE);
    mesh.adminAddress().ifPresent(admin -> {
      String url = "http://127.0.0.1:" + admin.getPort();
      out.printf("  admin          %s/stats/prometheus  %s/config_dump  %s/status%n", url, url, url);
      out.printf("  proxy-status   java -jar mesh-cli/target/meshctl.jar proxy-status --control-plane 127.0.0.1:%d"
          + " --instances 127.0.0.1:%d%n", controlPlane.port(), admin.getPort());
    });
    out.printf("Edit %s (e.g. change the weights 90/10 to 50/50) and save. Ctrl-C stops.%n%n",
        controlPlane.configDir().resolve("routes.yaml"));
  }

  /** Starts calling the catalog, and printing one line a second. */
  void startTraffic() {
    long interval = settings.requestInterval().toMillis();
    scheduler.scheduleWithFixedDelay(() -> tally.record(call(false)), 0, interval, TimeUnit.MILLISECONDS);
    scheduler.scheduleAtFixedRate(this::printLine, 1, 1, TimeUnit.SECONDS);
  }

  private void printLine() {
    String newSearch = call(true);
    out.println(SplitLine.render(tally.counts(), routesVersion(), newSearch));
  }

  /** Calls the catalog once; returns the version that answered, or what went wrong. */
  String call(boolean newSearch) {
    Request.Builder request = new Request.Builder().url(CATALOG_URL);
    if (newSearch) {
      request.header(FEATURE_HEADER, FEATURE_VALUE);
    }
    try (Response response = http.newCall(request.build()).execute()) {
      String version = response.header(CatalogService.VERSION_HEADER);
      if (response.isSuccessful() && version != null) {
        return version;
      }
      return "HTTP " + response.code();
    } catch (MeshRoutingException e) {
      reportOnce("the mesh refused a request: " + e.getMessage());
      return e.reason().name();
    } catch (IOException | RuntimeException e) {
      reportOnce("a request failed: " + e);
      return "error";
    }
  }

  /** The routes version the mesh has accepted, with a note when it rejected a newer one. */
  private String routesVersion() {
    try {
      for (ResourceStatus status : mesh.status().resources()) {
        if (status.typeUrl().equals(ROUTES_TYPE_URL) && status.name().equals(ROUTES_NAME)) {
          String version = status.version().isEmpty() ? "-" : status.version();
          if (status.state() == ResourceState.NACKED) {
            reportOnce("the mesh rejected the routes and keeps version " + version + ": " + status.errorDetail());
            return version + ", newer one rejected";
          }
          return version;
        }
      }
    } catch (RuntimeException e) {
      reportOnce("mesh status unavailable: " + e);
    }
    return "-";
  }

  private void reportOnce(String notice) {
    if (reported.size() < 100 && reported.add(notice)) {
      out.println("! " + notice);
    }
  }

  TrafficTally tally() {
    return tally;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Stop scheduling but let a request in flight finish before the mesh goes, so the last line shows traffic,
    // not MESH_CLOSED or an interrupted call.
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(2, TimeUnit.SECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      scheduler.shutdownNow();
      Thread.currentThread().interrupt();
    }
    if (mesh != null) {
      mesh.close();
    }
    if (v1 != null) {
      v1.close();
    }
    if (v2 != null) {
      v2.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  /** {@code mesh4j-demo [--config-dir DIR] [--duration SECONDS]}. */
  public static void main(String[] args) throws InterruptedException {
    ConsoleLogging.configure();
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    DemoArguments arguments;
    try {
      arguments = DemoArguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(DemoArguments.USAGE);
      System.exit(2);
      return;
    }
    if (arguments.help()) {
      out.println(DemoArguments.USAGE);
      return;
    }
    Path configDir = arguments.configDir() != null
        ? arguments.configDir()
        : ConfigDirectory.find(Path.of("")).orElse(null);
    if (configDir == null) {
      System.err.println("cannot find " + ConfigDirectory.RELATIVE_TO_PROJECT + " above " + Path.of("").toAbsolutePath()
          + ": run the demo from the project root, or pass --config-dir DIR");
      System.exit(2);
      return;
    }
    MeshDemo demo;
    try {
      demo = start(Settings.defaults(configDir)
          .withAdminPort(arguments.adminPort() == 0 ? -1 : arguments.adminPort()), out);
    } catch (ConfigLoadException e) {
      System.err.println("the demo configuration does not load: " + e.getMessage());
      System.exit(1);
      return;
    } catch (IOException e) {
      System.err.println("cannot start (is another demo running? it needs ports 18000, 18081 and 18082, and the admin port): "
          + e);
      System.exit(1);
      return;
    } catch (MeshConfigurationException e) {
      System.err.println("cannot start the mesh: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      stopped.countDown();
    }, "mesh4j-demo-shutdown"));
    demo.printIntro();
    demo.startTraffic();
    if (arguments.duration() == null) {
      stopped.await();
    } else {
      stopped.await(arguments.duration().toMillis(), TimeUnit.MILLISECONDS);
      demo.close();
      System.exit(0);
    }
  }
}
